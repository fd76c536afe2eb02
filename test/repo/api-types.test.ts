import { loadRepository } from '../../src/repo';
import { makeRepo, removeRepo, type RepoFiles } from '../fixtures/repo';
import { API_TYPES_REPO, WHOLE_INSTANCE_REPO } from '../fixtures/whole-instance';

/** The repository files of revisions, API types, API schemas and GraphQL resolvers: loaded, and bad input named by file:line:column. */

function load(overrides: RepoFiles = {}) {
  const root = makeRepo({ ...API_TYPES_REPO, ...overrides }, WHOLE_INSTANCE_REPO);
  try {
    return loadRepository(root);
  } finally {
    removeRepo(root);
  }
}

const at = (findings: Array<{ file: string; line: number; column: number; message: string }>) => findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message}`);

describe('revisions, API types, API schemas and resolvers in the repository', () => {
  it('loads every API type, a non-current revision and an API schema without findings', () => {
    const { model, findings } = load();
    expect(at(findings)).toEqual([]);
    const api = (id: string) => model.apis.find((a) => a.id === id)!;
    expect(api('orders').revisions.map((r) => [r.number, r.specification?.operations.map((o) => o.id), Object.keys(r.operationPolicies), Boolean(r.policy)])).toEqual([
      ['2', ['getOrder', 'listOrders'], ['listOrders'], true],
    ]);
    expect(api('orders').schemas.map((s) => [s.id, s.definition.data.contentType])).toEqual([['order', 'application/json']]);
    expect(api('currency').specification).toMatchObject({ format: 'wsdl', operations: [{ id: 'ConversionRate', method: 'POST', urlTemplate: '/?soapAction=http://www.webserviceX.NET/ConversionRate' }] });
    expect(api('currency-rest').specification?.operations.map((o) => [o.id, o.method, o.urlTemplate])).toEqual([['ConversionRate', 'POST', '/ConversionRate']]);
    expect(api('collector').specification?.operations.map((o) => o.id).sort()).toEqual(['deleteCollection', 'getCollection', 'getCollections']);
    expect(api('people').specification).toMatchObject({ format: 'graphql', operations: [] });
    expect(api('users-graph').resolvers.map((r) => [r.id, r.definition.data.path, Boolean(r.policy)])).toEqual([['users', 'Query/users', true]]);
    expect(Object.keys(api('chat').operationPolicies)).toEqual(['onHandshake']);
    expect(api('root').definition.data.path).toBe('');
  });

  it.each([
    ['a malformed WSDL', { 'apis/currency/api.wsdl': '<definitions>\n  <types>\n</definitions>\n' }, /^apis\/currency\/api\.wsdl:3:\d+: not well-formed XML: /],
    ['a WSDL service the document lacks', { 'apis/currency/api.yaml': API_TYPES_REPO['apis/currency/api.yaml'].replace('wsdlService: CurrencyConvertor', 'wsdlService: Nope') }, /^apis\/currency\/api\.wsdl:1:1: not a WSDL document APIM imports: The WSDL document has no service 'Nope'\.$/],
    ['a GraphQL SDL whose braces do not balance', { 'apis/people/schema.graphql': 'type Query {\n  users: [User]\n\ntype User {\n  id: ID!\n}\n' }, /^apis\/people\/schema\.graphql:1:12: not a GraphQL schema APIM accepts: /],
    ['a GraphQL SDL on an http API', { 'apis/people/api.yaml': 'displayName: People\npath: people\nserviceUrl: https://people.contoso.example/graphql\n' }, /^apis\/people\/api\.yaml:1:1: an API of type http cannot have the specification apis\/people\/schema\.graphql \(its format makes type graphql\): add type: graphql$/],
    ['an unknown API type', { 'apis/chat/api.yaml': 'displayName: Chat\npath: chat\ntype: websockets\n' }, /^apis\/chat\/api\.yaml:3:7: /],
    ['a resolver for a field the SDL lacks', { 'apis/users-graph/resolvers/users.yaml': 'displayName: Users\npath: Query/people\n' }, /^apis\/users-graph\/resolvers\/users\.yaml:2:7: 'Query\/people' is not a field of apis\/users-graph\/schema\.graphql \(Type\/field\)$/],
    ['a revision folder not named by a number', { 'apis/orders/revisions/next/revision.yaml': 'description: x\n' }, /^apis\/orders\/revisions\/next:1:1: a revision folder is named by its number/],
    ['a revision folder for the current revision', { 'apis/orders/revisions/1/revision.yaml': 'description: x\n' }, /^apis\/orders\/revisions\/1:1:1: revision 1 is the current revision/],
    ['a revision without revision.yaml', { 'apis/orders/revisions/3/openapi.yaml': API_TYPES_REPO['apis/orders/revisions/2/openapi.yaml'] }, /^apis\/orders\/revisions\/3\/revision\.yaml:1:1: revision folder apis\/orders\/revisions\/3\/ has no revision\.yaml$/],
    ['an unknown field in revision.yaml', { 'apis/orders/revisions/2/revision.yaml': 'description: x\ndisplayName: Orders next\n' }, /^apis\/orders\/revisions\/2\/revision\.yaml:2:1: /],
    ['a revision operation policy for an operation its specification lacks', { 'apis/orders/revisions/2/operations/deleteOrder.xml': API_TYPES_REPO['apis/orders/revisions/2/operations/listOrders.xml'] }, /^apis\/orders\/revisions\/2\/operations\/deleteOrder\.xml:1:1: 'deleteOrder' is not an operation of apis\/orders\/revisions\/2\/openapi\.yaml/],
    ['a current revision other than 1 without a release', { 'apis/currency/api.yaml': `${API_TYPES_REPO['apis/currency/api.yaml']}revision: 2\n` }, /^apis\/currency\/api\.yaml:8:11: revision 2 is current only through a release/],
    ['an API schema with neither document nor value', { 'apis/orders/api-schemas/order.yaml': 'contentType: application/json\n' }, /^apis\/orders\/api-schemas\/order\.yaml:1:1: /],
    ['a policy for a websocket operation other than onHandshake', { 'apis/chat/operations/onMessage.xml': API_TYPES_REPO['apis/chat/operations/onHandshake.xml'] }, /^apis\/chat\/operations\/onMessage\.xml:1:1: 'onMessage' is not an operation of websocket API 'chat'/],
  ])('%s is a finding at its file:line:column', (_what, overrides, expected) => {
    const messages = at(load(overrides).findings);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});
