import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as YAML from 'yaml';
import { all, armFailure, raw, RG, SVC, suiteHarness } from './helpers';

/**
 * API types and their specifications through the real SDK: OpenAPI 3 and Swagger 2 (inline and as links, which stay
 * on this machine), WSDL (SOAP pass-through and SOAP-to-REST), WADL, GraphQL (pass-through and synthetic, with the
 * API schema), WebSocket, OData and gRPC. Operations and schemas are derived as APIM derives them, and export gives
 * back what the import gave.
 */

const LINKS = path.resolve(__dirname, '..', 'fixtures', 'arm-examples', 'links');
const fileLink = (name: string) => pathToFileURL(path.join(LINKS, name)).href;
const fixture = (name: string) => fs.readFileSync(path.join(LINKS, name), 'utf8');

const SDL = 'type Query {\n  users(first: Int): [User]\n  user(id: ID!): User\n}\n\ntype User {\n  id: ID!\n  name: String\n}\n';

describe('API types and specifications', () => {
  const suite = suiteHarness();
  let loopback: http.Server;
  let loopbackUrl: string;
  beforeAll(async () => {
    loopback = http.createServer((req, res) => {
      res.writeHead(req.url === '/schema.graphql' ? 200 : 404, { 'Content-Type': 'text/plain' });
      res.end(req.url === '/schema.graphql' ? SDL : 'not here');
    });
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    loopbackUrl = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => loopback.close(() => resolve())));

  async function exported(apiId: string, format: string): Promise<{ format?: string; text: string }> {
    const result = await suite.c.apiExport.get(RG, SVC, apiId, format, 'true');
    return { format: result.exportResultFormat, text: await (await fetch(result.value?.link as string)).text() };
  }

  it('imports OpenAPI 3 from a file:// link: operations, an API schema of its components, representations naming it', async () => {
    const api = await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'pets', { path: 'pets', format: 'openapi-link', value: fileLink('petstore-openapi3.yaml') });
    expect(api).toMatchObject({ displayName: 'Swagger Petstore', serviceUrl: 'http://petstore.swagger.io/v1' });
    const operations = await all(suite.c.apiOperation.listByApi(RG, SVC, 'pets'));
    expect(operations.map((o) => [o.name, o.method, o.urlTemplate])).toEqual([
      ['createPets', 'POST', '/pets'],
      ['listPets', 'GET', '/pets'],
      ['showPetById', 'GET', '/pets/{petId}'],
    ]);
    const schemas = await all(suite.c.apiSchema.listByApi(RG, SVC, 'pets'));
    expect(schemas).toHaveLength(1);
    expect(schemas[0]).toMatchObject({ contentType: 'application/vnd.oai.openapi.components+json', components: { schemas: { Pet: expect.objectContaining({ required: ['id', 'name'] }) } } });
    const create = operations.find((o) => o.name === 'createPets');
    expect(create?.request?.representations).toEqual([{ contentType: 'application/json', schemaId: schemas[0].name, typeName: 'Pet' }]);
    const list = operations.find((o) => o.name === 'listPets');
    expect(list?.responses?.[0].representations).toEqual([{ contentType: 'application/json', schemaId: schemas[0].name, typeName: 'Pets' }]);

    // Re-importing keeps the schema's id (what validate-content policies name).
    await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'pets', { path: 'pets', format: 'openapi', value: fixture('petstore-openapi3.yaml') });
    expect((await all(suite.c.apiSchema.listByApi(RG, SVC, 'pets'))).map((s) => s.name)).toEqual([schemas[0].name]);
  });

  it('exports what the import gave: components, request bodies, response content, enums, formats, servers', async () => {
    const original = YAML.parse(fixture('petstore-openapi3.yaml'));
    const yamlExport = await exported('pets', 'openapi-link');
    expect(yamlExport.format).toBe('openapi-link');
    const document = YAML.parse(yamlExport.text);
    expect(document.servers).toEqual(original.servers);
    expect(document.components).toEqual(original.components);
    expect(document.components.schemas.Pet.properties.status.enum).toEqual(['available', 'sold']);
    expect(document.paths).toEqual(original.paths);
    // An operation added on the service is exported too; one whose method or template changed is written anew.
    await suite.c.apiOperation.createOrUpdate(RG, SVC, 'pets', 'deletePet', { displayName: 'Delete a pet', method: 'DELETE', urlTemplate: '/pets/{petId}', templateParameters: [{ name: 'petId', type: 'string', required: true }] });
    await suite.c.apiOperation.update(RG, SVC, 'pets', 'listPets', '*', { urlTemplate: '/animals' });
    const json = JSON.parse((await exported('pets', 'openapi+json-link')).text);
    expect(json.paths['/pets/{petId}'].delete).toMatchObject({ operationId: 'deletePet', summary: 'Delete a pet' });
    expect(json.paths['/pets/{petId}'].get).toEqual(original.paths['/pets/{petId}'].get);
    expect(json.paths['/pets'].get).toBeUndefined();
    expect(json.paths['/animals'].get.operationId).toBe('listPets');
    expect(json.paths['/pets'].post).toEqual(original.paths['/pets'].post);
  });

  it('imports Swagger 2 with its definitions as a schema and its schemes as the protocols, and exports it back', async () => {
    const api = await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'store', { path: 'store', format: 'swagger-json', value: fixture('petstore-swagger2.json') });
    expect(api).toMatchObject({ displayName: 'Swagger Petstore', serviceUrl: 'http://petstore.swagger.io/v2', protocols: ['http'] });
    const [schema] = await all(suite.c.apiSchema.listByApi(RG, SVC, 'store'));
    expect(schema).toMatchObject({ contentType: 'application/vnd.ms-azure-apim.swagger.definitions+json', definitions: { Pet: expect.any(Object) } });
    const get = await suite.c.apiOperation.get(RG, SVC, 'store', 'getPetById');
    expect(get.responses?.[0].representations).toEqual([
      { contentType: 'application/json', schemaId: schema.name, typeName: 'Pet' },
      { contentType: 'application/xml', schemaId: schema.name, typeName: 'Pet' },
    ]);
    const swagger = await exported('store', 'swagger-link');
    expect(swagger.format).toBe('swagger-link-json');
    expect(JSON.parse(swagger.text)).toEqual(JSON.parse(fixture('petstore-swagger2.json')));
  });

  it('fetches links only on this machine: loopback URLs and file:// yes, anything else is refused without going online', async () => {
    await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'people', { path: 'people', displayName: 'People', format: 'graphql-link', value: `${loopbackUrl}/schema.graphql`, apiType: 'graphql', serviceUrl: 'https://people.example.com/graphql' });
    const offline = await raw(suite.h.emulator, 'PUT', 'apis/remote', { properties: { path: 'remote', format: 'openapi-link', value: 'https://specs.example.com/remote.yaml' } });
    expect(offline.status).toBe(400);
    expect(offline.body.error.message).toBe("Could not download 'https://specs.example.com/remote.yaml': the emulator works offline: it reads file:// URLs, loopback (127.0.0.1, localhost, [::1]) URLs and the documents its links option maps URLs to.");
    const missing = await raw(suite.h.emulator, 'PUT', 'apis/remote', { properties: { path: 'remote', format: 'openapi-link', value: `${loopbackUrl}/nothing.yaml` } });
    expect({ status: missing.status, message: missing.body.error.message }).toEqual({ status: 400, message: `Could not download '${loopbackUrl}/nothing.yaml': HTTP 404.` });
    expect((await raw(suite.h.emulator, 'GET', 'apis/remote')).status).toBe(404);
  });

  it('holds a pass-through GraphQL API: its schema resource `graphql`, no operations, resolvers checked against the schema', async () => {
    expect(await suite.c.api.get(RG, SVC, 'people')).toMatchObject({ apiType: 'graphql', serviceUrl: 'https://people.example.com/graphql' });
    expect(await suite.c.apiSchema.get(RG, SVC, 'people', 'graphql')).toMatchObject({ contentType: 'application/vnd.ms-azure-apim.graphql.schema', value: SDL });
    expect(await all(suite.c.apiOperation.listByApi(RG, SVC, 'people'))).toEqual([]);
    await suite.c.graphQLApiResolver.createOrUpdate(RG, SVC, 'people', 'users', { displayName: 'Users', path: 'Query/users' });
    const unknown = await raw(suite.h.emulator, 'PUT', 'apis/people/resolvers/orders', { properties: { displayName: 'Orders', path: 'Query/orders' } });
    expect(unknown.body.error.details[0].message).toBe("The GraphQL schema of API 'people' has no field 'orders' on type 'Query'.");
  });

  it('holds a synthetic GraphQL API: the schema uploaded as an API schema, resolvers for its fields', async () => {
    await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'catalog', { displayName: 'Catalog', path: 'catalog', apiType: 'graphql' });
    await suite.c.apiSchema.beginCreateOrUpdateAndWait(RG, SVC, 'catalog', 'graphql', { contentType: 'application/vnd.ms-azure-apim.graphql.schema', value: SDL });
    await suite.c.graphQLApiResolver.createOrUpdate(RG, SVC, 'catalog', 'user', { displayName: 'User', path: 'Query/user' });
    expect((await all(suite.c.graphQLApiResolver.listByApi(RG, SVC, 'catalog'))).map((r) => r.path)).toEqual(['Query/user']);
    const broken = await raw(suite.h.emulator, 'PUT', 'apis/catalog/schemas/graphql', { properties: { contentType: 'application/vnd.ms-azure-apim.graphql.schema', document: { value: 'type Query {' } } });
    expect(broken.status).toBe(400);
  });

  it('imports WSDL as SOAP pass-through: soapAction operations, the XML schema, the endpoint address; exports the WSDL', async () => {
    const api = await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'currency', {
      path: 'currency',
      format: 'wsdl',
      value: fixture('currency-convertor.wsdl'),
      soapApiType: 'soap',
      wsdlSelector: { wsdlServiceName: 'CurrencyConvertor', wsdlEndpointName: 'CurrencyConvertorSoap' },
    });
    expect(api).toMatchObject({ displayName: 'CurrencyConvertor', apiType: 'soap', serviceUrl: 'http://www.webservicex.net/CurrencyConvertor.asmx' });
    const [operation] = await all(suite.c.apiOperation.listByApi(RG, SVC, 'currency'));
    const [schema] = await all(suite.c.apiSchema.listByApi(RG, SVC, 'currency'));
    expect(operation).toMatchObject({ name: 'ConversionRate', method: 'POST', urlTemplate: '/?soapAction=http://www.webserviceX.NET/ConversionRate', description: 'Get the conversion rate from one currency to another.' });
    expect(operation.request?.representations).toEqual([{ contentType: 'text/xml', schemaId: schema.name, typeName: 'ConversionRate' }]);
    expect(schema.contentType).toBe('application/vnd.ms-azure-apim.xsd+xml');
    expect(schema.value).toContain('<s:element name="ConversionRateResponse">');
    const wsdl = await exported('currency', 'wsdl-link');
    expect(wsdl).toEqual({ format: 'wsdl-link+xml', text: fixture('currency-convertor.wsdl') });
    const wrongPort = await raw(suite.h.emulator, 'PUT', 'apis/currency2', { properties: { path: 'currency2', format: 'wsdl', value: fixture('currency-convertor.wsdl'), wsdlSelector: { wsdlServiceName: 'CurrencyConvertor', wsdlEndpointName: 'Nope' } } });
    expect(wrongPort.body.error.details[0]).toMatchObject({ target: 'wsdlSelector', message: "The WSDL document has no endpoint 'Nope'." });
  });

  it('imports WSDL as SOAP-to-REST: POST /{operation} with the policy that builds the SOAP envelope (SOAP 1.2 endpoint)', async () => {
    const api = await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'currency-rest', {
      path: 'currency-rest',
      format: 'wsdl-link',
      value: fileLink('currency-convertor.wsdl'),
      wsdlSelector: { wsdlServiceName: 'CurrencyConvertor', wsdlEndpointName: 'CurrencyConvertorSoap12' },
    });
    expect(api.apiType ?? 'http').toBe('http');
    const [operation] = await all(suite.c.apiOperation.listByApi(RG, SVC, 'currency-rest'));
    expect(operation).toMatchObject({ name: 'ConversionRate', method: 'POST', urlTemplate: '/ConversionRate' });
    const policy = (await raw(suite.h.emulator, 'GET', 'apis/currency-rest/operations/ConversionRate/policies/policy', undefined, {}, 'api-version=2024-05-01&format=rawxml')).body.properties.value;
    expect(policy).toContain('<value>"http://www.webserviceX.NET/ConversionRate"</value>');
    expect(policy).toContain('<FromCurrency>{{body.ConversionRate.FromCurrency}}</FromCurrency>');
    expect(policy).toContain('http://www.w3.org/2003/05/soap-envelope');
    expect(policy).toContain('<xml-to-json kind="direct"');
  });

  it('imports WADL: operations from nested resources with their parameters, named after the resources base; exports the WADL', async () => {
    const api = await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'collector', { path: 'collector', format: 'wadl-xml', value: fixture('collector.wadl') });
    expect(api).toMatchObject({ displayName: 'http://localhost:8080/collector-northbound', serviceUrl: 'http://localhost:8080/collector-northbound' });
    const operations = await all(suite.c.apiOperation.listByApi(RG, SVC, 'collector'));
    expect(operations.map((o) => [o.name, o.method, o.urlTemplate])).toEqual([
      ['deleteCollection', 'DELETE', '/collection/{name}'],
      ['getCollection', 'GET', '/collection/{name}'],
      ['getCollections', 'GET', '/collection'],
    ]);
    const remove = operations.find((o) => o.name === 'deleteCollection');
    expect(remove?.templateParameters).toEqual([{ name: 'name', type: 'string', required: true, values: [] }]);
    expect(remove?.request?.headers).toEqual([{ name: 'X-Request-Id', type: 'string', required: true, values: [] }]);
    expect(operations.find((o) => o.name === 'getCollection')?.responses?.map((r) => r.statusCode)).toEqual([200, 404]);
    expect(await exported('collector', 'wadl-link')).toEqual({ format: 'wadl-link-json', text: fixture('collector.wadl') });
    expect((await armFailure(suite.c.apiExport.get(RG, SVC, 'pets', 'wadl-link', 'true'))).statusCode).toBe(400);
  });

  it('creates the handshake operation of a WebSocket API, and keeps OData and gRPC documents', async () => {
    await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'chat', { displayName: 'Chat', path: 'chat', apiType: 'websocket', serviceUrl: 'wss://chat.example.com', protocols: ['wss'] });
    expect((await all(suite.c.apiOperation.listByApi(RG, SVC, 'chat'))).map((o) => [o.name, o.method, o.urlTemplate])).toEqual([['onHandshake', 'GET', '/']]);
    const odata = await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'trips', { displayName: 'Trips', path: 'trips', apiType: 'odata', serviceUrl: 'https://trips.example.com', format: 'odata', value: fixture('trippin-metadata.xml') });
    expect(odata.apiType).toBe('odata');
    const grpc = await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'scaler', { displayName: 'Scaler', path: 'scaler', apiType: 'grpc', serviceUrl: 'https://scaler.example.com', format: 'grpc-link', value: fileLink('external-scaler.proto') });
    expect(grpc.apiType).toBe('grpc');
    const bad = await raw(suite.h.emulator, 'PUT', 'apis/bad-odata', { properties: { displayName: 'Bad', path: 'bad-odata', format: 'odata', value: '<not-edmx />' } });
    expect(bad.body.error.details[0].message).toBe('The document is not an OData metadata (CSDL) document: its root element is not <Edmx>.');
  });
});
