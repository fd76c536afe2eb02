import * as YAML from 'yaml';
import { all, armFailure, raw, RG, startHarness, SVC, type Harness } from './helpers';

const SPEC = {
  openapi: '3.0.1',
  info: { title: 'Media Orders', description: 'Orders of media assets', version: '1.0' },
  components: { parameters: { orderId: { name: 'orderId', in: 'path', required: true, description: 'Order number', schema: { $ref: '#/components/schemas/OrderId' } } }, schemas: { OrderId: { type: 'integer' } } },
  servers: [{ url: 'https://media-orders.azurewebsites.net/api' }],
  paths: {
    '/orders': {
      get: { operationId: 'list-orders', summary: 'List orders', parameters: [{ name: 'top', in: 'query', schema: { type: 'integer' } }], responses: { '200': { description: 'OK', content: { 'application/json': {} } } } },
      post: { operationId: 'create-order', summary: 'Create order', requestBody: { content: { 'application/json': {} } }, responses: { '201': { description: 'Created' } } },
    },
    '/orders/{orderId}': {
      parameters: [{ $ref: '#/components/parameters/orderId' }],
      get: { operationId: 'get-order', summary: 'Get order', responses: { '200': { description: 'OK' }, '404': { description: 'Not found' } } },
    },
  },
};

describe('API import and export', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.emulator.close());

  async function operations(apiId: string) {
    const ops = [];
    for await (const op of h.apim.client.apiOperation.listByApi(RG, SVC, apiId)) ops.push(op);
    return ops;
  }

  it('creates operations from an OpenAPI document (YAML), taking title, description and server from it', async () => {
    const api = await h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, 'media-orders', { path: 'media/orders', format: 'openapi', value: YAML.stringify(SPEC) });
    expect(api).toMatchObject({ displayName: 'Media Orders', description: 'Orders of media assets', serviceUrl: 'https://media-orders.azurewebsites.net/api', path: 'media/orders' });
    const ops = await operations('media-orders');
    expect(ops.map((o) => [o.name, o.method, o.urlTemplate, o.displayName])).toEqual([
      ['create-order', 'POST', '/orders', 'Create order'],
      ['get-order', 'GET', '/orders/{orderId}', 'Get order'],
      ['list-orders', 'GET', '/orders', 'List orders'],
    ]);
    const getOrder = ops.find((o) => o.name === 'get-order');
    expect(getOrder?.templateParameters).toEqual([{ name: 'orderId', description: 'Order number', type: 'integer', required: true, values: [] }]);
    expect(getOrder?.responses?.map((r) => r.statusCode)).toEqual([200, 404]);
  });

  it('on re-import (openapi+json) keeps the operations whose operationId is still there, with their policies and tags, as APIM does', async () => {
    const c = h.apim.client;
    const policy = '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
    await c.apiOperationPolicy.createOrUpdate(RG, SVC, 'media-orders', 'list-orders', 'policy', { format: 'rawxml', value: policy });
    await c.apiOperationPolicy.createOrUpdate(RG, SVC, 'media-orders', 'get-order', 'policy', { format: 'rawxml', value: policy });
    await c.tag.createOrUpdate(RG, SVC, 'reads', { displayName: 'Reads' });
    await c.tag.assignToOperation(RG, SVC, 'media-orders', 'get-order', 'reads');
    await c.tag.assignToOperation(RG, SVC, 'media-orders', 'list-orders', 'reads');
    const reduced = { ...SPEC, paths: { '/orders/{orderId}': SPEC.paths['/orders/{orderId}'] } };
    await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'media-orders', { path: 'media/orders', format: 'openapi+json', value: JSON.stringify(reduced) });
    expect((await operations('media-orders')).map((o) => o.name)).toEqual(['get-order']);
    // The operation that stayed keeps its policy and tag; the one that went took its own with it.
    expect((await raw(h.emulator, 'GET', 'apis/media-orders/operations/get-order/policies/policy', undefined, {}, 'api-version=2024-05-01&format=rawxml')).body.properties.value).toContain('<base />');
    expect((await all(c.tag.listByOperation(RG, SVC, 'media-orders', 'get-order'))).map((t) => t.name)).toEqual(['reads']);
    expect((await raw(h.emulator, 'GET', 'tags/reads/operationLinks')).body.value.map((l: { properties: { operationId: string } }) => l.properties.operationId.split('/').pop())).toEqual(['get-order']);
    await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'media-orders', { path: 'media/orders', format: 'openapi+json', value: JSON.stringify(SPEC) });
    expect((await armFailure(c.apiOperationPolicy.get(RG, SVC, 'media-orders', 'list-orders', 'policy'))).statusCode).toBe(404);
    expect((await c.apiOperationPolicy.get(RG, SVC, 'media-orders', 'get-order', 'policy')).name).toBe('policy');
  });

  it('moves required query parameters into the URL template unless asked not to, as APIM does', async () => {
    const spec = { ...SPEC, paths: { '/search': { get: { operationId: 'search', parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string' } }, { name: 'page', in: 'query', schema: { type: 'integer' } }], responses: { '200': { description: 'OK' } } } } } };
    await h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, 'search', { path: 'search', format: 'openapi+json', value: JSON.stringify(spec) });
    const [templated] = await operations('search');
    expect(templated.urlTemplate).toBe('/search?q={q}');
    expect(templated.templateParameters?.map((p) => p.name)).toEqual(['q']);
    expect(templated.request?.queryParameters?.map((p) => p.name)).toEqual(['page']);
    const exported = await h.apim.client.apiExport.get(RG, SVC, 'search', 'openapi+json-link', 'true');
    const document = (await (await fetch(exported.value?.link as string)).json()) as { paths: Record<string, { get: { parameters: Array<{ name: string; in: string; required: boolean }> } }> };
    expect(document.paths['/search'].get.parameters).toEqual([expect.objectContaining({ name: 'q', in: 'query', required: true }), expect.objectContaining({ name: 'page', in: 'query', required: false })]);
    await h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, 'search', { path: 'search', format: 'openapi+json', value: JSON.stringify(spec), translateRequiredQueryParametersConduct: 'query' });
    const [kept] = await operations('search');
    expect(kept.urlTemplate).toBe('/search');
    expect(kept.request?.queryParameters?.map((p) => [p.name, p.required])).toEqual([['q', true], ['page', false]]);
  });

  it('imports Swagger 2.0 and names operations without operationId from method and path', async () => {
    const swagger = { swagger: '2.0', info: { title: 'Legacy', version: '1' }, host: 'legacy.example.com', basePath: '/v1', schemes: ['https'], paths: { '/items/{id}': { get: { parameters: [{ name: 'id', in: 'path', required: true, type: 'integer' }], responses: { '200': { description: 'OK' } } } } } };
    const api = await h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, 'legacy', { path: 'legacy', format: 'swagger-json', value: JSON.stringify(swagger) });
    expect(api.serviceUrl).toBe('https://legacy.example.com/v1');
    const ops = await operations('legacy');
    expect(ops.map((o) => [o.name, o.templateParameters?.[0].type])).toEqual([['get-items-id', 'integer']]);
  });

  it('imports from a link the emulator downloads', async () => {
    const exported = await h.apim.client.apiExport.get(RG, SVC, 'media-orders', 'openapi+json-link', 'true');
    const api = await h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, 'media-copy', { path: 'media/copy', format: 'openapi+json-link', value: exported.value?.link });
    expect(api.displayName).toBe('Media Orders');
    expect((await operations('media-copy')).map((o) => o.name)).toEqual(['create-order', 'get-order', 'list-orders']);
  });

  it('exports an OpenAPI link served on loopback whose document round-trips the operations', async () => {
    const exported = await h.apim.client.apiExport.get(RG, SVC, 'media-orders', 'openapi-link', 'true');
    expect(exported.exportResultFormat).toBe('openapi-link');
    const link = exported.value?.link as string;
    expect(link.startsWith(h.emulator.url)).toBe(true);
    const document = YAML.parse(await (await fetch(link)).text());
    expect(document.info.title).toBe('Media Orders');
    expect(document.servers[0].url).toBe(`https://${SVC}.azure-api.net/media/orders`);
    expect(Object.keys(document.paths).sort()).toEqual(['/orders', '/orders/{orderId}']);
    expect(document.paths['/orders/{orderId}'].get.operationId).toBe('get-order');
    const swagger = await h.apim.client.apiExport.get(RG, SVC, 'media-orders', 'swagger-link', 'true');
    expect(swagger.exportResultFormat).toBe('swagger-link-json');
    const swaggerDoc = (await (await fetch(swagger.value?.link as string)).json()) as { swagger: string; basePath: string };
    expect(swaggerDoc.swagger).toBe('2.0');
    expect(swaggerDoc.basePath).toBe('/media/orders');
  });

  it('refuses unknown formats and unparsable documents', async () => {
    expect((await armFailure(h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, 'bad', { path: 'bad', format: 'wadl-xml', value: '<x/>' }))).code).toBe('ValidationError');
    expect((await armFailure(h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, 'bad', { path: 'bad', format: 'openapi', value: '{ not json' }))).code).toBe('ValidationError');
    expect((await armFailure(h.apim.client.apiExport.get(RG, SVC, 'media-orders', 'wsdl-link', 'true'))).code).toBe('ValidationError');
  });
});
