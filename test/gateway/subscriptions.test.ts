import { gatewayWith, globalInbound, type TestGateway } from './helpers';

const MISSING = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
const INVALID = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';

describe('gateway subscription keys', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await gatewayWith({
      // The product adds a header, so a test can tell whether the call ran in the product's context.
      'products/starter/policy.xml': `<policies><inbound><base /><set-header name="X-Product" exists-action="override"><value>starter</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
      'products/other/product.yaml': 'displayName: Other\nsubscriptionRequired: true\nstate: published\napis: []\n',
    });
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.control('DELETE', 'backend-requests'));

  it('answers a call without a key with APIM 401: body, WWW-Authenticate challenge, Vary', async () => {
    const reply = await gw.request('GET', '/shop/items');
    expect(reply.status).toBe(401);
    expect(reply.json()).toEqual({ statusCode: 401, message: MISSING });
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers.vary).toBe('Origin');
    const host = new URL(gw.url).host;
    expect(reply.headers['www-authenticate']).toBe(`AzureApiManagementKey realm="https://${host}/shop",name="Ocp-Apim-Subscription-Key",type="header"`);
    expect(await gw.backendRequests()).toEqual([]);
  });

  it('accepts a product key in the header or the subscription-key query parameter, header first', async () => {
    const key = await gw.key({ product: 'starter' });
    expect((await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } })).status).toBe(200);
    expect((await gw.request('GET', `/shop/items?subscription-key=${key}`)).status).toBe(200);
    // With the header present, the query parameter is not looked at.
    const reply = await gw.request('GET', `/shop/items?subscription-key=${key}`, { headers: { 'Ocp-Apim-Subscription-Key': 'wrong' } });
    expect(reply.status).toBe(401);
    expect(reply.json().message).toBe(INVALID);
    const requests = await gw.backendRequests();
    expect(requests.map((r) => r.headers['x-product'])).toEqual(['starter', 'starter']);
  });

  it('refuses unknown keys, keys of inactive subscriptions and keys of products without the API', async () => {
    const suspended = await gw.key({ product: 'starter', state: 'suspended' });
    const otherProduct = await gw.key({ product: 'other' });
    for (const key of ['0123456789abcdef', suspended, otherProduct]) {
      const reply = await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
      expect(reply.status).toBe(401);
      expect(reply.json()).toEqual({ statusCode: 401, message: INVALID });
    }
    expect(await gw.backendRequests()).toEqual([]);
  });

  it('runs API-scoped and all-APIs keys without the product: its policies are skipped', async () => {
    for (const scope of [{ api: 'shop' }, { allApis: true }]) {
      const key = await gw.key(scope);
      expect((await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } })).status).toBe(200);
    }
    expect((await gw.backendRequests()).map((r) => r.headers['x-product'])).toEqual([undefined, undefined]);
    const otherApi = await gw.key({ api: 'missing' }).catch(() => undefined);
    expect(otherApi).toBeUndefined();
  });

  it('lists the subscriptions it knows, with keys, and refuses bad ones', async () => {
    const list = (await gw.control('GET', 'subscriptions')).json();
    expect(list.length).toBeGreaterThan(0);
    expect(list[0]).toEqual(expect.objectContaining({ id: expect.any(String), primaryKey: expect.any(String), secondaryKey: expect.any(String), state: expect.any(String) }));
    expect((await gw.control('POST', 'subscriptions', { product: 'nope' })).status).toBe(400);
    expect((await gw.control('POST', 'subscriptions', { product: 'starter', state: 'sleeping' })).status).toBe(400);
    expect((await gw.control('POST', 'subscriptions', {})).status).toBe(400);
  });

  it('runs keyless calls in the open product, or without a product when the API needs no subscription', async () => {
    const open = await gatewayWith({
      'products/starter/product.yaml': 'displayName: Starter\nsubscriptionRequired: false\nstate: published\napis: [shop]\n',
      'products/starter/policy.xml': `<policies><inbound><base /><set-header name="X-Product" exists-action="override"><value>open</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
    });
    const free = await gatewayWith({ 'apis/shop/api.yaml': 'displayName: Shop\npath: shop\nserviceUrl: https://shop-backend.example/api\nsubscriptionRequired: false\n', 'products/starter/product.yaml': 'displayName: Starter\nstate: published\napis: []\n' });
    try {
      expect((await open.request('GET', '/shop/items')).status).toBe(200);
      expect((await open.backendRequests())[0].headers['x-product']).toBe('open');
      expect((await free.request('GET', '/shop/items')).status).toBe(200);
      // A key that is sent must still be valid.
      expect((await free.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': 'nope' } })).status).toBe(401);
    } finally {
      await open.close();
      await free.close();
    }
  });

  it('takes the key under the names api.yaml gives (subscriptionKeyParameterNames), in the challenge and context.Api too', async () => {
    const renamed = await gatewayWith({
      'apis/shop/api.yaml': 'displayName: Shop\npath: shop\nserviceUrl: https://shop-backend.example/api\nsubscriptionKeyParameterNames: { header: X-Api-Key, query: apikey }\n',
      'policies/global.xml': globalInbound(
        '<set-header name="X-Key-Names" exists-action="override"><value>@(context.Api.SubscriptionKeyParameterNames.Header + "," + context.Api.SubscriptionKeyParameterNames.Query)</value></set-header>',
      ),
    });
    try {
      const key = await renamed.key({ product: 'starter' });
      expect((await renamed.request('GET', '/shop/items', { headers: { 'X-Api-Key': key } })).status).toBe(200);
      expect((await renamed.request('GET', `/shop/items?apikey=${key}`)).status).toBe(200);
      // APIM's default names are no key for this API.
      const defaultName = await renamed.request('GET', `/shop/items?subscription-key=${key}`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
      expect([defaultName.status, defaultName.json().message]).toEqual([401, MISSING]);
      expect(defaultName.headers['www-authenticate']).toBe(`AzureApiManagementKey realm="https://${new URL(renamed.url).host}/shop",name="X-Api-Key",type="header"`);
      const backend = await renamed.backendRequests();
      expect(backend.map((r) => r.headers['x-key-names'])).toEqual(['X-Api-Key,apikey', 'X-Api-Key,apikey']);
    } finally {
      await renamed.close();
    }
  });

  it('never runs policies or the backend for a refused key', async () => {
    const strict = await gatewayWith({ 'policies/global.xml': globalInbound('<set-header name="X-Seen" exists-action="override"><value>yes</value></set-header>') });
    try {
      await strict.request('GET', '/shop/items');
      expect(await strict.backendRequests()).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});
