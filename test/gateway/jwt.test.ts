import { gatewayWith, globalInbound, type TestGateway } from './helpers';

const TENANT = '11111111-2222-3333-4444-555555555555';
const V2_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const V1_ISSUER = `https://sts.windows.net/${TENANT}/`;

const VALIDATE_JWT = `<validate-jwt header-name="Authorization" clock-skew="30">
            <openid-config url="https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration" />
            <audiences><audience>api://shop</audience></audiences>
            <issuers><issuer>${V2_ISSUER}</issuer></issuers>
            <required-claims>
                <claim name="roles" match="any"><value>Shop.Read</value><value>Shop.Admin</value></claim>
                <claim name="scp" match="all" separator=" "><value>items.read</value><value>items.list</value></claim>
            </required-claims>
        </validate-jwt>`;

describe('gateway validate-jwt', () => {
  let gw: TestGateway;
  let key: string;
  const valid = { issuer: V2_ISSUER, audience: 'api://shop', claims: { roles: ['Shop.Read'], scp: 'items.list items.read', oid: 'caller-1' } };
  beforeAll(async () => {
    gw = await gatewayWith({ 'policies/global.xml': globalInbound(VALIDATE_JWT) });
    key = await gw.key({ product: 'starter' });
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.control('DELETE', 'backend-requests'));

  const call = (token?: string, headers: Record<string, string> = {}) =>
    gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key, ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers } });

  it('passes a token signed with the key the openid-config publishes, with the right issuer, audience and claims', async () => {
    const reply = await call(await gw.token(valid));
    expect(reply.status).toBe(200);
    const [backend] = await gw.backendRequests();
    expect(backend.headers.authorization).toMatch(/^Bearer ey/);
  });

  it.each([
    ['no token', async () => undefined, 'JWT not present.'],
    ['a wrong audience', async () => gw.token({ ...valid, audience: 'api://other' }), 'Invalid JWT.'],
    ['an unknown signing key', async () => gw.token({ ...valid, trusted: false }), 'Invalid JWT.'],
    ['an expired token', async () => gw.token({ ...valid, expiresInSeconds: -60 }), 'Invalid JWT.'],
    ['the v1 issuer where v2 is configured', async () => gw.token({ ...valid, issuer: V1_ISSUER }), 'Invalid JWT.'],
    ['a role that is not required', async () => gw.token({ ...valid, claims: { ...valid.claims, roles: ['Other'] } }), 'Invalid JWT.'],
    ['a missing scope value (match all)', async () => gw.token({ ...valid, claims: { ...valid.claims, scp: 'items.read' } }), 'Invalid JWT.'],
    ['a missing claim', async () => gw.token({ ...valid, claims: { roles: ['Shop.Read'] } }), 'Invalid JWT.'],
    ['not a JWT', async () => 'not-a-jwt', 'Invalid JWT.'],
  ])('answers 401 for %s, and the backend is not called', async (_what, makeToken, message) => {
    const reply = await call(await makeToken());
    expect(reply.status).toBe(401);
    expect(reply.json()).toEqual({ statusCode: 401, message });
    expect(await gw.backendRequests()).toEqual([]);
  });

  it('tolerates expiry within clock-skew, not beyond it', async () => {
    expect((await call(await gw.token({ ...valid, expiresInSeconds: -20 }))).status).toBe(200);
    expect((await call(await gw.token({ ...valid, expiresInSeconds: -40 }))).status).toBe(401);
  });

  it('expires tokens as the gateway clock moves', async () => {
    const token = await gw.token({ ...valid, expiresInSeconds: 60 });
    expect((await call(token)).status).toBe(200);
    await gw.control('POST', 'clock', { advanceSeconds: 120 });
    expect((await call(token)).status).toBe(401);
  });

  it('refuses a token without exp (require-expiration-time defaults to true)', async () => {
    // expiresInSeconds cannot drop exp; an HS256 token with an inline key can.
    const secret = Buffer.from('0123456789abcdef0123456789abcdef');
    const other = await gatewayWith({
      'policies/global.xml': globalInbound(`<validate-jwt header-name="X-Token" failed-validation-httpcode="403" failed-validation-error-message="nope">
            <issuer-signing-keys><key>${secret.toString('base64')}</key></issuer-signing-keys>
        </validate-jwt>`),
    });
    try {
      const otherKey = await other.key({ product: 'starter' });
      const { createHmac } = await import('node:crypto');
      const sign = (payload: object) => {
        const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      };
      const now = Math.floor(Date.now() / 1000);
      const send = (token: string) => other.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': otherKey, 'X-Token': token } });
      expect((await send(sign({ sub: 'a', exp: now + 600 }))).status).toBe(200);
      const noExp = await send(sign({ sub: 'a' }));
      expect(noExp.status).toBe(403);
      expect(noExp.json()).toEqual({ statusCode: 403, message: 'nope' });
      expect((await send(`${sign({ sub: 'a', exp: now + 600 }).slice(0, -4)}AAAA`)).status).toBe(403);
    } finally {
      await other.close();
    }
  });
});

describe('gateway validate-azure-ad-token', () => {
  let gw: TestGateway;
  let key: string;
  beforeAll(async () => {
    gw = await gatewayWith({
      'policies/global.xml': globalInbound(`<validate-azure-ad-token tenant-id="${TENANT}">
            <client-application-ids><application-id>client-app</application-id></client-application-ids>
            <audiences><audience>api://shop</audience></audiences>
        </validate-azure-ad-token>`),
    });
    key = await gw.key({ product: 'starter' });
  });
  afterAll(() => gw.close());

  const call = async (body: Record<string, unknown>) =>
    gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key, Authorization: `Bearer ${await gw.token(body)}` } });

  it('accepts v1 and v2 tokens of the tenant from an allowed client application', async () => {
    expect((await call({ issuer: V1_ISSUER, audience: 'api://shop', claims: { appid: 'client-app' } })).status).toBe(200);
    expect((await call({ issuer: V2_ISSUER, audience: 'api://shop', claims: { azp: 'client-app' } })).status).toBe(200);
  });

  it('refuses another tenant, another client application and another audience', async () => {
    expect((await call({ issuer: 'https://sts.windows.net/other/', audience: 'api://shop', claims: { appid: 'client-app' } })).status).toBe(401);
    expect((await call({ issuer: V1_ISSUER, audience: 'api://shop', claims: { appid: 'intruder' } })).status).toBe(401);
    expect((await call({ issuer: V1_ISSUER, audience: 'api://else', claims: { appid: 'client-app' } })).status).toBe(401);
  });
});
