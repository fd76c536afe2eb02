import * as YAML from 'yaml';
import { loadSpecification } from '../../src/repo';
import { deriveApimOperation, specOperations } from '../../src/repo/openapi';

/**
 * Operations derived from a specification the way APIM's import creates them: what the plan compares with the
 * instance, so anything APIM derives differently shows as a change on every diff.
 */

const FIND_SPEC = `openapi: 3.0.3
info: { title: Finder, version: "1" }
components:
  parameters:
    query: { $ref: '#/components/parameters/q' }
    q: { name: q, in: query, required: true, description: Search text., schema: { type: string } }
  responses:
    NotFound: { description: Nothing found., content: { application/problem+json: {} } }
  schemas:
    Page: { type: integer, minimum: 1 }
paths:
  /find/{scope}:
    parameters:
      - { name: scope, in: path, required: true, schema: { type: string } }
      - { name: page, in: query, schema: { type: string } }
    get:
      operationId: find
      summary: Find things
      parameters:
        - $ref: '#/components/parameters/query'
        - { name: page, in: query, schema: { $ref: '#/components/schemas/Page' } }
        - { name: kind, in: query, required: true, schema: { type: string, enum: [a, b] } }
        - { name: filter, in: query, schema: { oneOf: [{ type: string }, { type: integer }] } }
        - { name: X-Tenant, in: header, required: true, schema: { type: string } }
        - { name: X-Trace, in: header, schema: { type: string } }
        - { name: session, in: cookie, schema: { type: string } }
      responses:
        '200': { description: Found., content: { application/json: {} } }
        '404': { $ref: '#/components/responses/NotFound' }
        2XX: { description: Other success. }
        default: { description: Error. }
`;

function operationsOf(text: string, file = 'apis/finder/openapi.yaml') {
  const { specification, findings } = loadSpecification(file, text);
  expect(findings).toEqual([]);
  return specification!.operations;
}

describe('operations derived from a specification, as APIM imports them', () => {
  it('moves required query parameters into the URL template (translateRequiredQueryParameters: template, the default)', () => {
    const [find] = operationsOf(FIND_SPEC);
    expect(find.urlTemplate).toBe('/find/{scope}?q={q}&kind={kind}');
    expect(find.templateParameters).toEqual([
      { name: 'scope', type: 'string', required: true },
      { name: 'q', type: 'string', required: true, description: 'Search text.' },
      { name: 'kind', type: 'string', required: true },
    ]);
  });

  it('keeps optional query parameters and headers with their declared primitive type, and response status codes', () => {
    const [find] = operationsOf(FIND_SPEC);
    expect(find.request).toEqual({
      // The operation's `page` overrides the path's; its type comes through a schema $ref; `filter` has no single type.
      queryParameters: [
        { name: 'page', type: 'integer', required: false },
        { name: 'filter', required: false },
      ],
      headers: [
        { name: 'X-Tenant', type: 'string', required: true },
        { name: 'X-Trace', type: 'string', required: false },
      ],
    });
    // Only three-digit codes: APIM records no `default` or range responses.
    expect(find.responses).toEqual([{ statusCode: 200 }, { statusCode: 404 }]);
  });

  it('derives Swagger 2 query parameters and headers from their `type`', () => {
    const swagger = {
      swagger: '2.0',
      info: { title: 'Legacy', version: '1' },
      paths: {
        '/items': {
          get: {
            operationId: 'listItems',
            parameters: [
              { name: 'limit', in: 'query', type: 'integer' },
              { name: 'category', in: 'query', required: true, type: 'string' },
              { name: 'X-Api-Version', in: 'header', type: 'string' },
              { name: 'body', in: 'body', schema: { type: 'object' } },
            ],
            responses: { 200: { description: 'OK' }, 500: { description: 'Failed' } },
          },
        },
      },
    };
    const [list] = operationsOf(JSON.stringify(swagger), 'apis/legacy/swagger.json');
    expect(list).toMatchObject({
      urlTemplate: '/items?category={category}',
      templateParameters: [{ name: 'category', type: 'string', required: true }],
      request: { queryParameters: [{ name: 'limit', type: 'integer', required: false }], headers: [{ name: 'X-Api-Version', type: 'string', required: false }] },
      responses: [{ statusCode: 200 }, { statusCode: 500 }],
    });
  });

  it('is the derivation the emulator imports with: same operations, and `query` leaves required parameters alone', () => {
    const root = YAML.parse(FIND_SPEC);
    const [entry] = specOperations(root);
    const imported = deriveApimOperation(root, entry, { fallbackName: 'unused' });
    const [loaded] = operationsOf(FIND_SPEC);
    expect({ displayName: imported.displayName, method: imported.method, urlTemplate: imported.urlTemplate, templateParameters: imported.templateParameters }).toEqual({
      displayName: loaded.displayName,
      method: loaded.method,
      urlTemplate: loaded.urlTemplate,
      templateParameters: loaded.templateParameters,
    });
    expect(imported.responses).toEqual([
      { statusCode: 200, description: 'Found.', contentTypes: ['application/json'] },
      { statusCode: 404, description: 'Nothing found.', contentTypes: ['application/problem+json'] },
    ]);
    const asQuery = deriveApimOperation(root, entry, { requiredQueryParameters: 'query', fallbackName: 'unused' });
    expect(asQuery.urlTemplate).toBe('/find/{scope}');
    expect(asQuery.request.queryParameters.map((p) => [p.name, p.required])).toEqual([
      ['page', false],
      ['q', true],
      ['kind', true],
      ['filter', false],
    ]);
  });

  it('names an operation without summary by its operationId, and one without either by the fallback', () => {
    const root = { openapi: '3.0.0', paths: { '/a': { get: { operationId: 'getA' }, post: {} } } };
    const [get, post] = specOperations(root).map((entry) => deriveApimOperation(root, entry, { fallbackName: 'post-a' }));
    expect([get.displayName, post.displayName]).toEqual(['getA', 'post-a']);
    expect(get.responses).toEqual([]);
  });
});
