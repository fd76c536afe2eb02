import { gatewayWith, globalInbound, type TestGateway } from './helpers';

const PRODUCT_POLICY = (inbound: string) =>
  `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

describe('gateway rate-limit (sliding window per subscription)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await gatewayWith({
      'products/starter/policy.xml': PRODUCT_POLICY('<rate-limit calls="3" renewal-period="10" remaining-calls-header-name="X-Remaining" total-calls-header-name="X-Total" />'),
    });
  });
  afterAll(() => gw.close());

  it('answers call calls+1 inside the window with 429, Retry-After and APIM body, without calling the backend', async () => {
    const key = await gw.key({ product: 'starter' });
    const send = () => gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await send();
      expect(reply.status).toBe(200);
      expect(reply.headers['x-total']).toBe('3');
      remaining.push(reply.headers['x-remaining']);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    await gw.control('DELETE', 'backend-requests');
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(9);
    expect(limited.json()).toEqual({ statusCode: 429, message: `Rate limit is exceeded. Try again in ${limited.headers['retry-after']} seconds.` });
    expect(await gw.backendRequests()).toEqual([]);
    // Another subscription has its own counter.
    const other = await gw.key({ product: 'starter' });
    expect((await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': other } })).status).toBe(200);
    // The window slides: after renewal-period seconds of the gateway clock the calls pass again.
    await gw.control('POST', 'clock', { advanceSeconds: 11 });
    expect((await send()).status).toBe(200);
  });
});

describe('gateway rate-limit-by-key', () => {
  it('counts per counter-key value across policies, and only increments when the increment-condition holds', async () => {
    // The condition is a policy expression; here the literal "false" must keep every call uncounted.
    const gw = await gatewayWith({
      'policies/global.xml': globalInbound('<rate-limit-by-key calls="2" renewal-period="60" counter-key="everyone" retry-after-header-name="X-Retry" />'),
    });
    try {
      const key = await gw.key({ product: 'starter' });
      const send = () => gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
      expect((await send()).status).toBe(200);
      expect((await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': await gw.key({ api: 'shop' }) } })).status).toBe(200);
      const limited = await send();
      expect(limited.status).toBe(429);
      expect(limited.headers['x-retry']).toBe('60');
    } finally {
      await gw.close();
    }
    const conditional = await gatewayWith({
      'policies/global.xml': globalInbound('<rate-limit-by-key calls="1" renewal-period="60" counter-key="k" increment-condition="false" />'),
    });
    try {
      const key = await conditional.key({ product: 'starter' });
      for (let i = 0; i < 3; i++) expect((await conditional.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } })).status).toBe(200);
    } finally {
      await conditional.close();
    }
  });
});

describe('gateway increment-condition that throws', () => {
  it("answers APIM's 500 naming the failed expression, and keeps serving", async () => {
    const gw = await gatewayWith({
      'policies/global.xml': globalInbound(
        '<rate-limit-by-key calls="5" renewal-period="60" counter-key="k" increment-condition="@(int.Parse(context.Response.Headers.GetValueOrDefault(&quot;X-N&quot;, &quot;x&quot;)) &gt; 0)" />',
      ),
    });
    try {
      const key = await gw.key({ product: 'starter' });
      const send = () => gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
      const failed = await send();
      expect(failed.status).toBe(500);
      expect(failed.json()).toEqual({ statusCode: 500, message: 'Internal server error', activityId: expect.any(String) });
      expect(failed.headers['x-apiops-error']).toMatch(/^an increment-condition evaluated on the final response failed: Expression evaluation failed\. /);
      await gw.control('PUT', 'backend-response', { status: 200, headers: { 'X-N': '1' }, body: {} });
      expect((await send()).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe('gateway quota (fixed window per subscription)', () => {
  it('answers 403 with Retry-After once the calls are used, until the period renews', async () => {
    const gw = await gatewayWith({ 'products/starter/policy.xml': PRODUCT_POLICY('<quota calls="2" renewal-period="3600" />') });
    try {
      const key = await gw.key({ product: 'starter' });
      const send = () => gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
      expect((await send()).status).toBe(200);
      expect((await send()).status).toBe(200);
      const refused = await send();
      expect(refused.status).toBe(403);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
      expect(refused.json()).toEqual({ statusCode: 403, message: expect.stringMatching(/^Out of call volume quota\. Quota will be replenished in 00:59:\d\d\.$/) });
      // Keys of other scopes skip the product, and with it the quota.
      expect((await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': await gw.key({ api: 'shop' }) } })).status).toBe(200);
      await gw.control('POST', 'clock', { advanceSeconds: 3600 });
      expect((await send()).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('does not limit keyless calls (rate-limit and quota need a subscription)', async () => {
    const gw = await gatewayWith({
      'apis/shop/api.yaml': 'displayName: Shop\npath: shop\nserviceUrl: https://shop-backend.example/api\nsubscriptionRequired: false\n',
      'apis/shop/policy.xml': PRODUCT_POLICY('<rate-limit calls="1" renewal-period="60" />'),
    });
    try {
      for (let i = 0; i < 3; i++) expect((await gw.request('GET', '/shop/items')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
