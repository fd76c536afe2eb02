import { gatewayWith, withGateway, type TestGateway } from './helpers';

describe('gateway request matching', () => {
  let gw: TestGateway;
  let key: string;
  beforeAll(async () => {
    gw = await gatewayWith();
    key = await gw.key({ product: 'starter' });
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.control('DELETE', 'backend-requests'));

  const get = (path: string) => gw.request('GET', path, { headers: { 'Ocp-Apim-Subscription-Key': key } });

  it('forwards to serviceUrl + the path after the API suffix, query kept', async () => {
    const reply = await get('/shop/items/42?color=red');
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('{}');
    const [backend] = await gw.backendRequests();
    expect(backend.url).toBe('https://shop-backend.example/api/items/42?color=red');
    expect(backend.method).toBe('GET');
    expect(backend.headers.host).toBe('shop-backend.example');
  });

  it('matches the API suffix and literal segments in any letter case', async () => {
    expect((await get('/SHOP/Items')).status).toBe(200);
    expect((await gw.backendRequests())[0].url).toBe('https://shop-backend.example/api/Items');
  });

  it('answers an unmatched path, method or API with 404 and APIM body', async () => {
    for (const reply of [await get('/shop/nothing'), await gw.request('DELETE', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } }), await get('/elsewhere/items')]) {
      expect(reply.status).toBe(404);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.json()).toEqual({ statusCode: 404, message: 'Resource not found' });
    }
    expect(await gw.backendRequests()).toEqual([]);
  });

  it('prefers literal segments over template segments (/items/special over /items/{itemId}; undocumented: the fact sheet\'s most-literal-first inference)', async () => {
    const policy = `<policies><inbound><base /><rewrite-uri template="/matched/special" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
    const other = await gatewayWith({ 'apis/shop/operations/getSpecial.xml': policy });
    try {
      const otherKey = await other.key({ product: 'starter' });
      await other.request('GET', '/shop/items/special', { headers: { 'Ocp-Apim-Subscription-Key': otherKey } });
      await other.request('GET', '/shop/items/plain', { headers: { 'Ocp-Apim-Subscription-Key': otherKey } });
      expect((await other.backendRequests()).map((r) => r.url)).toEqual([
        'https://shop-backend.example/api/matched/special',
        'https://shop-backend.example/api/items/plain',
      ]);
    } finally {
      await other.close();
    }
  });

  it('fills template parameters from the matched path (rewrite-uri sees MatchedParameters)', async () => {
    const policy = `<policies><inbound><base /><rewrite-uri template="/v2/item/{itemId}" copy-unmatched-params="false" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
    const other = await gatewayWith({ 'apis/shop/operations/getItem.xml': policy });
    try {
      const otherKey = await other.key({ product: 'starter' });
      await other.request('GET', '/shop/items/a%20b?x=1', { headers: { 'Ocp-Apim-Subscription-Key': otherKey } });
      expect((await other.backendRequests())[0].url).toBe('https://shop-backend.example/api/v2/item/a%20b');
    } finally {
      await other.close();
    }
  });

  it('needs the templated query parameter of an operation (/search?q={q})', async () => {
    expect((await get('/shop/search')).status).toBe(404);
    expect((await get('/shop/search?Q=pens&page=2')).status).toBe(200);
  });

  it('sends any depth below a /* operation to it', async () => {
    expect((await get('/shop/files/a/b/c.txt')).status).toBe(200);
    expect((await gw.backendRequests())[0].url).toBe('https://shop-backend.example/api/files/a/b/c.txt');
  });

  it('serves the current revision on ;rev=1 and no other revision', async () => {
    expect((await get('/shop;rev=1/items')).status).toBe(200);
    expect((await gw.backendRequests())[0].url).toBe('https://shop-backend.example/api/items');
    expect((await get('/shop;rev=2/items')).status).toBe(404);
  });

  it('serves the revision api.yaml names as current on its ;rev=n and the plain URL (context.Api.Revision)', async () => {
    await withGateway(
      {
        'apis/shop/api.yaml': 'displayName: Shop\npath: shop\nserviceUrl: https://shop-backend.example/api\nrevision: 2\nrelease: { id: r2, notes: second }\n',
        'apis/shop/policy.xml': '<policies><inbound><base /><set-header name="X-Revision" exists-action="override"><value>@(context.Api.Revision + "/" + context.Api.IsCurrentRevision)</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
      },
      async (other, otherKey) => {
        const call = (path: string) => other.request('GET', path, { headers: { 'Ocp-Apim-Subscription-Key': otherKey } });
        expect((await call('/shop;rev=2/items')).status).toBe(200);
        expect((await call('/shop/items')).status).toBe(200);
        expect((await call('/shop;rev=1/items')).status).toBe(404);
        expect((await other.backendRequests()).map((r) => r.headers['x-revision'])).toEqual(['2/True', '2/True']);
      },
    );
  });

  it('matches a non-current revision by its own operations and says it does not run its policies', async () => {
    const other = await gatewayWith({
      'apis/shop/api.yaml': 'displayName: Shop\npath: shop\nserviceUrl: https://shop-backend.example/api\nrevision: 2\nrelease: { id: second, notes: Second }\n',
      'apis/shop/revisions/1/revision.yaml': 'description: First\n',
      'apis/shop/revisions/1/openapi.yaml': 'openapi: 3.0.3\ninfo: { title: Shop, version: "1" }\npaths:\n  /legacy:\n    get:\n      operationId: getLegacy\n      responses: { "200": { description: ok } }\n',
    });
    try {
      const otherKey = await other.key({ product: 'starter' });
      const call = (path: string) => other.request('GET', path, { headers: { 'Ocp-Apim-Subscription-Key': otherKey } });
      expect((await call('/shop/items')).status).toBe(200);
      expect((await call('/shop;rev=2/items')).status).toBe(200);
      expect((await call('/shop/legacy')).status).toBe(404);
      expect((await call('/shop;rev=1/items')).status).toBe(404);
      const legacy = await call('/shop;rev=1/legacy');
      expect(legacy.status).toBe(500);
      expect(legacy.headers['x-apiops-unsupported']).toMatch(/^a call to non-current revision 1 of API shop .* at apis\/shop\/revisions\/1\/revision\.yaml:1:1$/);
      expect((await call('/shop;rev=3/items')).status).toBe(404);
      expect(await other.backendRequests()).toHaveLength(2);
    } finally {
      await other.close();
    }
  });

  it('says it does not run a GraphQL API instead of answering 404', async () => {
    const other = await gatewayWith({
      'apis/graph/api.yaml': 'displayName: Graph\npath: graph\ntype: graphql\nserviceUrl: https://graph-backend.example/graphql\n',
      'apis/graph/schema.graphql': 'type Query {\n  item(id: ID!): String\n}\n',
    });
    try {
      const reply = await other.request('POST', '/graph', { headers: { 'Content-Type': 'application/json' }, body: '{"query":"{ item(id: 1) }"}' });
      expect(reply.status).toBe(500);
      expect(reply.headers['x-apiops-unsupported']).toBe('a call to GraphQL API graph at apis/graph/api.yaml:1:1');
      expect((await other.request('GET', '/elsewhere')).status).toBe(404);
      expect(await other.backendRequests()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('does not serve an API whose protocols lack https (the listener counts as https)', async () => {
    const other = await gatewayWith({ 'apis/shop/api.yaml': 'displayName: Shop\npath: shop\nprotocols: [http]\nserviceUrl: http://shop-backend.example/api\n' });
    try {
      const otherKey = await other.key({ product: 'starter' });
      expect((await other.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': otherKey } })).status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('refuses to start on an API whose path starts with .apiops', async () => {
    await expect(gatewayWith({ 'apis/shop/api.yaml': 'displayName: Shop\npath: .apiops/x\nserviceUrl: https://shop-backend.example/api\n' })).rejects.toThrow(
      /paths starting with \.apiops are the gateway's control endpoints/,
    );
  });
});

describe('gateway version sets', () => {
  const versioned = (scheme: string, names = '') => ({
    'api-version-sets/shop.yaml': `displayName: Shop\nversioningScheme: ${scheme}\n${names}`,
    'apis/shop/api.yaml': 'displayName: Shop\npath: shop\nserviceUrl: https://shop-backend.example/v1\nversionSet: shop\napiVersion: v1\n',
    'apis/shop-v2/api.yaml': 'displayName: Shop\npath: shop\nserviceUrl: https://shop-backend.example/v2\nversionSet: shop\napiVersion: v2\nspecification: openapi.yaml\n',
    'apis/shop-v2/openapi.yaml': 'openapi: 3.0.1\ninfo: { title: Shop, version: "2" }\npaths:\n  /items:\n    get:\n      operationId: listItems\n      responses: { "200": { description: OK } }\n',
    'products/starter/product.yaml': 'displayName: Starter\nsubscriptionRequired: true\nstate: published\napis: [shop, shop-v2]\n',
  });

  it('matches the version segment after the API suffix (Segment)', async () => {
    await withGateway(versioned('Segment'), async (gw, key) => {
      const get = (path: string) => gw.request('GET', path, { headers: { 'Ocp-Apim-Subscription-Key': key } });
      expect((await get('/shop/v2/items')).status).toBe(200);
      expect((await get('/shop/V1/items')).status).toBe(200);
      expect((await get('/shop/items')).status).toBe(404);
      expect((await get('/shop/v3/items')).status).toBe(404);
      expect((await gw.backendRequests()).map((r) => r.url)).toEqual(['https://shop-backend.example/v2/items', 'https://shop-backend.example/v1/items']);
    });
  });

  it('matches the version header (Header) and the version query parameter (Query)', async () => {
    await withGateway(versioned('Header', 'versionHeaderName: Api-Version\n'), async (gw, key) => {
      const get = (headers: Record<string, string>) => gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key, ...headers } });
      expect((await get({ 'api-version': 'v2' })).status).toBe(200);
      expect((await get({ 'Api-Version': 'v1' })).status).toBe(200);
      expect((await get({})).status).toBe(404);
      expect((await gw.backendRequests()).map((r) => r.url)).toEqual(['https://shop-backend.example/v2/items', 'https://shop-backend.example/v1/items']);
    });
    await withGateway(versioned('Query', 'versionQueryName: api-version\n'), async (gw, key) => {
      const get = (path: string) => gw.request('GET', path, { headers: { 'Ocp-Apim-Subscription-Key': key } });
      expect((await get('/shop/items?api-version=v2')).status).toBe(200);
      expect((await get('/shop/items?api-version=v9')).status).toBe(404);
      expect((await gw.backendRequests()).map((r) => r.url)).toEqual(['https://shop-backend.example/v2/items?api-version=v2']);
    });
  });
});
