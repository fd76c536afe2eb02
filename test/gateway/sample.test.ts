/**
 * The reference scenario's zero-trust claims, as raw HTTP exchanges against `apiops gateway --env local --port 0`
 * running in its own process on the sample repository at the project root: each claim of issue 12's "Done when" is
 * one test. Figures the claims depend on (devCallsPerMinute, catalog-cache-seconds, the tenant, the audience, the
 * Function App) are read from the sample, so the test follows the repository.
 */
import { loadAndRender } from '../../src/render';
import { gatewayCommand, PROJECT_ROOT, type GatewayProcess } from './helpers';

const ROOT = PROJECT_ROOT;
const sample = loadAndRender(ROOT, 'local', {});
const values = sample.environment.values as Record<string, string | number>;
const TENANT = String(values.tenantId);
const V2_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const AUDIENCE = String(values.apiAudience);
const DEV_CALLS_PER_MINUTE = Number(values.devCallsPerMinute);
const FUNCTIONS = sample.model.backends.find((b) => b.id === 'media-functions')!.definition.data.url;
const CATALOG_CACHE_SECONDS = Number(sample.model.namedValues.find((nv) => nv.definition.data.displayName === 'catalog-cache-seconds')!.definition.data.value);
const CALLER_OID = '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
const UNAUTHORIZED = 'Unauthorized: an Entra ID access token for the Contoso Media partner API is required.';

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

describe('the sample repository through the gateway (zero-trust claims)', () => {
  let gw: GatewayProcess;
  let developerKey: string;
  let productionKey: string;
  let token: string;
  beforeAll(async () => {
    // No APIOPS_* variables: secrets and the Key Vault value have no value, as on a fresh checkout.
    gw = await gatewayCommand(ROOT, ['--env', 'local']);
    developerKey = await gw.key({ product: 'fabrikam-developer' });
    productionKey = await gw.key({ product: 'fabrikam-production' });
    token = await gw.token({ issuer: V2_ISSUER, audience: AUDIENCE, claims: { oid: CALLER_OID, scp: 'catalog.read' } });
  });
  afterAll(async () => {
    expect(await gw.stop()).toBe(0);
    expect(gw.output().stdout).toMatch(/apiops gateway stopped \(SIGTERM\)/);
  });
  beforeEach(async () => {
    await gw.control('DELETE', 'backend-requests');
    await gw.control('DELETE', 'backend-response');
  });

  const call = (method: string, url: string, headers: Record<string, string>) => gw.request(method, url, { headers });
  const withToken = (key: string, extra: Record<string, string> = {}) => ({ 'Ocp-Apim-Subscription-Key': key, Authorization: `Bearer ${token}`, ...extra });

  it("lists the repository's own subscriptions among the gateway's, and their keys work", async () => {
    const list = (await gw.control('GET', 'subscriptions')).json();
    const own = list.find((s: { id: string }) => s.id === 'fabrikam-production');
    expect(own).toEqual(expect.objectContaining({ name: 'Fabrikam production', scope: { product: 'fabrikam-production' }, state: 'active' }));
    expect((await call('GET', '/orders/v1/orders', withToken(own.primaryKey))).status).toBe(200);
    // The orders API is version v1 of a Segment version set: the version is part of the URL.
    expect((await call('GET', '/orders/orders', withToken(own.primaryKey))).status).toBe(404);
  });

  it('answers a call without a subscription key with 401, and the backend is not called', async () => {
    const reply = await call('GET', '/catalog/titles', { Authorization: `Bearer ${token}` });
    expect(reply.status).toBe(401);
    expect(reply.json()).toEqual({ statusCode: 401, message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.' });
    expect(reply.headers['www-authenticate']).toBe(`AzureApiManagementKey realm="https://${new URL(gw.url).host}/catalog",name="Ocp-Apim-Subscription-Key",type="header"`);
    expect(await gw.backendRequests()).toEqual([]);
  });

  it.each([
    ['no token', async () => undefined],
    ['a token for another audience', async () => gw.token({ issuer: V2_ISSUER, audience: 'api://someone-else', claims: { oid: CALLER_OID } })],
    ['a token signed with an unknown key', async () => gw.token({ issuer: V2_ISSUER, audience: AUDIENCE, trusted: false, claims: { oid: CALLER_OID } })],
    ['an expired token', async () => gw.token({ issuer: V2_ISSUER, audience: AUDIENCE, expiresInSeconds: -60, claims: { oid: CALLER_OID } })],
    ['a v1 token (sts.windows.net) where v2 is configured', async () => gw.token({ issuer: `https://sts.windows.net/${TENANT}/`, audience: AUDIENCE, claims: { oid: CALLER_OID } })],
  ])('answers a developer key with %s with 401, and the backend is not called', async (_what, makeToken) => {
    const bad = await makeToken();
    const reply = await call('GET', '/catalog/titles', { 'Ocp-Apim-Subscription-Key': developerKey, ...(bad ? { Authorization: `Bearer ${bad}` } : {}) });
    expect(reply.status).toBe(401);
    expect(reply.json()).toEqual({ statusCode: 401, message: UNAUTHORIZED });
    // on-error (global) still stamps the correlation id.
    expect(reply.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(await gw.backendRequests()).toEqual([]);
  });

  it("reaches the environment's Function App with the managed-identity token for its app id, the caller's object id and a correlation id, never the subscription key", async () => {
    const identity = (await gw.control('GET', 'identity')).json();
    const reply = await call('GET', `/catalog/titles/t-42?subscription-key=${developerKey}`, { Authorization: `Bearer ${token}` });
    expect(reply.status).toBe(200);
    const [backend] = await gw.backendRequests();
    expect(backend.url).toBe(`${FUNCTIONS}/titles/t-42`);
    expect(backend.url).not.toContain(developerKey);
    expect(backend.headers['ocp-apim-subscription-key']).toBeUndefined();
    expect(JSON.stringify(backend)).not.toContain(developerKey);
    const bearer = /^Bearer (.+)$/.exec(backend.headers.authorization)?.[1] ?? '';
    expect(bearer).not.toBe(token);
    expect(claimsOf(bearer)).toEqual(
      expect.objectContaining({ aud: values.functionsAppId, iss: `https://sts.windows.net/${identity.tenantId}/`, oid: identity.principalId, appid: identity.clientId }),
    );
    expect(identity.tenantId).toBe(TENANT);
    expect(backend.headers['x-partner-object-id']).toBe(CALLER_OID);
    expect(backend.headers['x-correlation-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(reply.headers['x-correlation-id']).toBe(backend.headers['x-correlation-id']);
  });

  it('throttles a developer key at call devCallsPerMinute + 1 with 429 and Retry-After, and lets it pass after the window', async () => {
    const key = await gw.key({ product: 'fabrikam-developer' });
    for (let i = 1; i <= DEV_CALLS_PER_MINUTE; i++) {
      const reply = await call('GET', '/orders/v1/orders', withToken(key));
      expect([i, reply.status]).toEqual([i, 200]);
      expect(reply.headers['x-ratelimit-remaining']).toBe(String(DEV_CALLS_PER_MINUTE - i));
    }
    await gw.control('DELETE', 'backend-requests');
    const limited = await call('GET', '/orders/v1/orders', withToken(key));
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.json().message).toMatch(/^Rate limit is exceeded\. Try again in \d+ seconds\.$/);
    expect(await gw.backendRequests()).toEqual([]);
    // Still limited just before the window has slid past the first call, free once it has.
    await gw.control('POST', 'clock', { advanceSeconds: retryAfter - 2 });
    expect((await call('GET', '/orders/v1/orders', withToken(key))).status).toBe(429);
    await gw.control('POST', 'clock', { advanceSeconds: 2 });
    expect((await call('GET', '/orders/v1/orders', withToken(key))).status).toBe(200);
    expect((await gw.backendRequests()).length).toBe(1);
  });

  it('does not count failed calls against the developer limit (increment-condition on the response)', async () => {
    const key = await gw.key({ product: 'fabrikam-developer' });
    await gw.control('PUT', 'backend-response', { status: 500, body: { error: 'boom' } });
    for (let i = 0; i < DEV_CALLS_PER_MINUTE + 5; i++) expect((await call('GET', '/orders/v1/orders', withToken(key))).status).toBe(500);
    await gw.control('DELETE', 'backend-response');
    expect((await call('GET', '/orders/v1/orders', withToken(key))).status).toBe(200);
  });

  it('does not throttle production keys', async () => {
    for (let i = 0; i < DEV_CALLS_PER_MINUTE + 30; i++) {
      const reply = await call('GET', '/orders/v1/orders', withToken(productionKey));
      expect([i, reply.status]).toEqual([i, 200]);
    }
    const [backend] = await gw.backendRequests();
    expect(backend.headers['x-contoso-partner-tier']).toBe('production');
  });

  it("answers an order without Idempotency-Key with the policy's 400 before it reaches the backend", async () => {
    const reply = await gw.request('POST', '/orders/v1/orders', { headers: withToken(productionKey, { 'Content-Type': 'application/json' }), body: '{"titleId":"t-1"}' });
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.json()).toEqual({ error: 'invalid_request', message: 'An Idempotency-Key header of at most 64 characters is required.' });
    const tooLong = await gw.request('POST', '/orders/v1/orders', { headers: withToken(productionKey, { 'Idempotency-Key': 'k'.repeat(65) }), body: '{}' });
    expect(tooLong.status).toBe(400);
    expect(await gw.backendRequests()).toEqual([]);
    await gw.control('PUT', 'backend-response', { status: 201, body: { id: 'o-1' } });
    const placed = await gw.request('POST', '/orders/v1/orders', { headers: withToken(productionKey, { 'Idempotency-Key': 'k-1' }), body: '{"titleId":"t-1"}' });
    expect(placed.status).toBe(201);
    // The receipt is signed with a Key Vault named value, which has no value offline: a placeholder, and it says so.
    expect(placed.headers['x-receipt-signature']).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(placed.headers['x-apiops-placeholder']).toBe('orders-signing-key');
    expect((await gw.backendRequests()).map((r) => r.body)).toEqual(['{"titleId":"t-1"}']);
  });

  it(`serves catalog responses from the cache for catalog-cache-seconds (${CATALOG_CACHE_SECONDS} s)`, async () => {
    const key = await gw.key({ product: 'fabrikam-production' });
    await gw.control('PUT', 'backend-response', { status: 200, body: { titles: ['first'] } });
    const first = await call('GET', '/catalog/titles?genre=drama', withToken(key));
    expect(first.json()).toEqual({ titles: ['first'] });
    await gw.control('PUT', 'backend-response', { status: 200, body: { titles: ['second'] } });
    await gw.control('POST', 'clock', { advanceSeconds: CATALOG_CACHE_SECONDS - 1 });
    const cached = await call('GET', '/catalog/titles?genre=drama', withToken(key));
    expect(cached.json()).toEqual({ titles: ['first'] });
    expect(cached.headers['x-catalog-genre']).toBe('drama');
    expect((await gw.backendRequests()).length).toBe(1);
    // Another genre is another cache entry.
    expect((await call('GET', '/catalog/titles?genre=comedy', withToken(key))).json()).toEqual({ titles: ['second'] });
    await gw.control('POST', 'clock', { advanceSeconds: 2 });
    expect((await call('GET', '/catalog/titles?genre=drama', withToken(key))).json()).toEqual({ titles: ['second'] });
    expect((await gw.backendRequests()).length).toBe(3);
  });
});
