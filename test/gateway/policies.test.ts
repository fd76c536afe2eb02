/**
 * Policies of issue 12 not covered by the other gateway test files, each with APIM's defaults as the fact sheet
 * (apim-gateway-behaviour.md) states them, and their refusals of what APIM would not save.
 */
import { globalInbound, withGateway, type TestGateway } from './helpers';

const TENANT = '11111111-2222-3333-4444-555555555555';
const V2_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;

const get = (gw: TestGateway, key: string, path = '/shop/items', headers: Record<string, string> = {}) =>
  gw.request('GET', path, { headers: { 'Ocp-Apim-Subscription-Key': key, ...headers } });

/** An operation policy with these inbound statements after <base />. */
const operationInbound = (inbound: string, backend = '<base />') =>
  `<policies><inbound><base />${inbound}</inbound><backend>${backend}</backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

/** on-error that reports context.LastError on the caller's response. */
const REPORT_LAST_ERROR = `<set-header name="X-Source" exists-action="override"><value>@(context.LastError.Source)</value></set-header>
        <set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>`;

describe('gateway quota-by-key', () => {
  it('counts fixed windows from first-period-start per counter key, once per call for several policies, 403 with Retry-After until the window renews', async () => {
    const quotaByKey = (calls: number) =>
      `<quota-by-key calls="${calls}" renewal-period="3600" counter-key="@(context.Request.Headers.GetValueOrDefault(&quot;X-Client&quot;, &quot;anonymous&quot;))" first-period-start="2020-01-01T00:00:00Z" />`;
    await withGateway(
      { 'policies/global.xml': globalInbound(quotaByKey(2)), 'apis/shop/policy.xml': operationInbound(quotaByKey(5)) },
      async (gw, key) => {
        const asA = { 'X-Client': 'a' };
        // Two policies count the same key: one count per call, so the second call is still inside calls="2".
        expect((await get(gw, key, '/shop/items', asA)).status).toBe(200);
        expect((await get(gw, key, '/shop/items', asA)).status).toBe(200);
        // The window is fixed from first-period-start: it ends on the next whole hour after 2020-01-01T00:00Z. The
        // gateway clock runs on between the readings, so Retry-After lies between the whole seconds left before and after.
        const secondsLeft = async () => 3600 - Math.floor((Date.parse((await gw.control('GET', 'clock')).json().now) / 1000) % 3600);
        const before = await secondsLeft();
        const refused = await get(gw, key, '/shop/items', asA);
        const after = await secondsLeft();
        expect(refused.status).toBe(403);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(after);
        expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(before);
        // The message prints the time left as a .NET TimeSpan (whole seconds); Retry-After rounds it up.
        const hhmmss = (seconds: number) => new Date(seconds * 1000).toISOString().slice(11, 19);
        const retryAfter = Number(refused.headers['retry-after']);
        expect(refused.json().statusCode).toBe(403);
        expect([hhmmss(retryAfter), hhmmss(retryAfter - 1)].map((t) => `Out of call volume quota. Quota will be replenished in ${t}.`)).toContain(refused.json().message);
        // Another counter key has its own count; keyless by subscription does not matter to quota-by-key.
        expect((await get(gw, key, '/shop/items', { 'X-Client': 'b' })).status).toBe(200);
        expect(await gw.backendRequests()).toHaveLength(3);
        await gw.control('POST', 'clock', { advanceSeconds: Number(refused.headers['retry-after']) });
        expect((await get(gw, key, '/shop/items', asA)).status).toBe(200);
      },
    );
  });

  it('counts bandwidth in KB of response bodies, and only calls whose increment-condition holds', async () => {
    await withGateway(
      {
        'policies/global.xml': globalInbound(
          `<quota-by-key bandwidth="2" renewal-period="300" counter-key="shop" increment-condition="@(context.Response.StatusCode == 200)" />`,
        ),
      },
      async (gw, key) => {
        await gw.control('PUT', 'backend-response', { status: 200, body: 'x'.repeat(1500) });
        expect((await get(gw, key)).status).toBe(200);
        // A failed call does not count.
        await gw.control('PUT', 'backend-response', { status: 500, body: 'y'.repeat(5000) });
        expect((await get(gw, key)).status).toBe(500);
        await gw.control('PUT', 'backend-response', { status: 200, body: 'x'.repeat(1500) });
        expect((await get(gw, key)).status).toBe(200);
        const refused = await get(gw, key);
        expect(refused.status).toBe(403);
        expect(refused.json().message).toMatch(/^Out of bandwidth quota\. Quota will be replenished in 00:0\d:\d\d\.$/);
      },
    );
  });
});

describe('gateway rate-limit and quota refuse what APIM would not save', () => {
  it('answers 500 naming the attribute for an expression in rate-limit or quota, and a quota-by-key period under 300 s', async () => {
    await withGateway(
      {
        'apis/shop/operations/listItems.xml': operationInbound('<rate-limit calls="@(5)" renewal-period="60" />'),
        // quota is a product-scope policy.
        'products/starter/policy.xml': operationInbound('<choose><when condition="@(context.Operation.Id == &quot;getItem&quot;)"><quota calls="10" renewal-period="@(3600)" /></when></choose>'),
        'apis/shop/operations/getSpecial.xml': operationInbound('<quota-by-key calls="10" renewal-period="120" counter-key="k" />'),
      },
      async (gw, key) => {
        const expression = await get(gw, key);
        expect(expression.status).toBe(500);
        expect(expression.headers['x-apiops-error']).toMatch(/^apis\/shop\/operations\/listItems\.xml:1:\d+: calls of <rate-limit> does not accept a policy expression$/);
        expect((await get(gw, key, '/shop/items/1')).headers['x-apiops-error']).toMatch(/renewal-period of <quota> does not accept a policy expression$/);
        expect((await get(gw, key, '/shop/items/special')).headers['x-apiops-error']).toMatch(
          /^apis\/shop\/operations\/getSpecial\.xml:1:\d+: renewal-period of <quota-by-key> must be 0 or at least 300 seconds, got '120'$/,
        );
        expect(await gw.backendRequests()).toEqual([]);
      },
    );
  });
});

describe('gateway limit-concurrency', () => {
  it('lets max-count calls run its children at once; the next one gets 429 and never reaches the backend', async () => {
    await withGateway(
      { 'policies/global.xml': globalInbound('', { backend: '<limit-concurrency key="@(context.Api.Id)" max-count="1"><forward-request /></limit-concurrency>' }) },
      async (gw, key) => {
        await gw.control('PUT', 'backend-response', { status: 200, body: '{}', delayMs: 400 });
        const statuses = (await Promise.all([get(gw, key), get(gw, key)])).map((r) => r.status).sort();
        expect(statuses).toEqual([200, 429]);
        expect(await gw.backendRequests()).toHaveLength(1);
        // Once the first call is done the slot is free again.
        expect((await get(gw, key)).status).toBe(200);
      },
    );
  });
});

describe('gateway forward-request fail-on-error-status-code', () => {
  it('passes a backend error through by default (false); with true, on-error runs', async () => {
    const onError = { onError: REPORT_LAST_ERROR };
    await withGateway({ 'policies/global.xml': globalInbound('', onError) }, async (gw, key) => {
      await gw.control('PUT', 'backend-response', { status: 503, body: { down: true } });
      const reply = await get(gw, key);
      expect([reply.status, reply.json(), reply.headers['x-reason']]).toEqual([503, { down: true }, undefined]);
    });
    await withGateway({ 'policies/global.xml': globalInbound('', { ...onError, backend: '<forward-request fail-on-error-status-code="true" />' }) }, async (gw, key) => {
      await gw.control('PUT', 'backend-response', { status: 503, body: { down: true } });
      const reply = await get(gw, key);
      expect([reply.status, reply.headers['x-source']]).toEqual([503, 'forward-request']);
    });
  });
});

describe('gateway validate-jwt defaults and LastError', () => {
  const VALIDATE = `<validate-jwt header-name="Authorization" output-token-variable-name="jwt">
            <openid-config url="https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration" />
            <audiences><audience>api://shop</audience></audiences>
            <issuers><issuer>${V2_ISSUER}</issuer></issuers>
        </validate-jwt>
        <set-header name="X-Caller" exists-action="override"><value>@(((Jwt)context.Variables["jwt"]).Claims.GetValueOrDefault("oid", "none"))</value></set-header>`;
  const valid = { issuer: V2_ISSUER, audience: 'api://shop', claims: { oid: 'caller-7' } };

  it('stores the validated token in output-token-variable-name; clock-skew defaults to 0; each refusal has its LastError reason', async () => {
    await withGateway({ 'policies/global.xml': globalInbound(VALIDATE, { onError: REPORT_LAST_ERROR }) }, async (gw, key) => {
      const bearer = async (body: Record<string, unknown>) => ({ Authorization: `Bearer ${await gw.token(body)}` });
      expect((await get(gw, key, '/shop/items', await bearer(valid))).status).toBe(200);
      expect((await gw.backendRequests())[0].headers['x-caller']).toBe('caller-7');
      const cases: Array<[Record<string, string>, string]> = [
        [{}, 'TokenNotPresent'],
        [await bearer({ ...valid, expiresInSeconds: -1 }), 'TokenExpired'],
        [await bearer({ ...valid, audience: 'api://other' }), 'TokenAudienceNotAllowed'],
        [await bearer({ ...valid, issuer: `https://sts.windows.net/${TENANT}/` }), 'TokenIssuerNotAllowed'],
        [{ Authorization: 'Bearer not-a-jwt' }, 'JwtInvalid'],
      ];
      for (const [headers, reason] of cases) {
        const reply = await get(gw, key, '/shop/items', headers);
        expect([reply.status, reply.headers['x-source'], reply.headers['x-reason']]).toEqual([401, 'validate-jwt', reason]);
      }
      const untrusted = await get(gw, key, '/shop/items', await bearer({ ...valid, trusted: false }));
      expect(untrusted.headers['x-reason']).toMatch(/^TokenSignature(KeyNotFound|Invalid)$/);
      expect(await gw.backendRequests()).toHaveLength(1);
    });
  });
});

describe('gateway validate-jwt require-scheme', () => {
  it('requires the scheme on the Authorization header only; with another header-name it is ignored (fact sheet §4)', async () => {
    const validate = (header: string) => `<validate-jwt header-name="${header}" require-scheme="Bearer">
            <openid-config url="https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration" />
            <audiences><audience>api://shop</audience></audiences>
        </validate-jwt>`;
    await withGateway(
      { 'policies/global.xml': globalInbound(validate('Authorization'), { onError: REPORT_LAST_ERROR }), 'apis/shop/operations/getItem.xml': `<policies><inbound>${validate('X-Token')}</inbound><backend><base /></backend><outbound /><on-error /></policies>` },
      async (gw, key) => {
        const token = await gw.token({ issuer: V2_ISSUER, audience: 'api://shop' });
        expect((await get(gw, key, '/shop/items', { Authorization: `Bearer ${token}` })).status).toBe(200);
        const otherScheme = await get(gw, key, '/shop/items', { Authorization: `Token ${token}` });
        expect([otherScheme.status, otherScheme.headers['x-reason']]).toEqual([401, 'JwtInvalid']);
        const noScheme = await get(gw, key, '/shop/items', { Authorization: token });
        expect([noScheme.status, noScheme.headers['x-reason']]).toEqual([401, 'JwtInvalid']);
        expect((await get(gw, key, '/shop/items/1', { 'X-Token': token })).status).toBe(200);
      },
    );
  });
});

describe('gateway authentication-managed-identity', () => {
  it('stores the token in output-token-variable-name instead of the header; client-id picks the identity; the token is reused until it nears expiry', async () => {
    const policy = globalInbound(`<authentication-managed-identity resource="api://backend" client-id="user-assigned-1" output-token-variable-name="msi" />
        <set-header name="X-Backend-Token" exists-action="override"><value>@((string)context.Variables["msi"])</value></set-header>`);
    await withGateway({ 'policies/global.xml': policy }, async (gw, key) => {
      await get(gw, key, '/shop/items', { Authorization: 'Bearer caller-token' });
      await get(gw, key);
      const [first, second] = await gw.backendRequests();
      expect(first.headers.authorization).toBe('Bearer caller-token');
      const claims = JSON.parse(Buffer.from(first.headers['x-backend-token'].split('.')[1], 'base64url').toString());
      expect(claims).toMatchObject({ aud: 'api://backend', appid: 'user-assigned-1', iss: `https://sts.windows.net/${TENANT}/` });
      expect(second.headers['x-backend-token']).toBe(first.headers['x-backend-token']);
      await gw.control('POST', 'clock', { advanceSeconds: 86_400 });
      await get(gw, key);
      expect((await gw.backendRequests())[2].headers['x-backend-token']).not.toBe(first.headers['x-backend-token']);
    });
  });
});

describe('gateway named-value placeholders', () => {
  const NAMED_VALUES = {
    'named-values/vaulted.yaml': 'displayName: vaulted\nkeyVault:\n  secretIdentifier: https://kv.vault.azure.net/secrets/vaulted\n',
    'named-values/unset-secret.yaml': 'displayName: unset-secret\nsecret: true\nvalueFromEnv: SHOP_UNSET_SECRET\n',
  };

  it('names the placeholder on every response that used one: a policy refusal, an expression, an unsupported policy; not an unused branch', async () => {
    await withGateway(
      {
        ...NAMED_VALUES,
        'apis/shop/operations/listItems.xml': operationInbound('<check-header name="X-Tenant" failed-check-httpcode="403" failed-check-error-message="Forbidden" ignore-case="false"><value>{{vaulted}}</value></check-header>'),
        'apis/shop/operations/getItem.xml': operationInbound('<set-header name="X-S" exists-action="override"><value>@("{{unset-secret}}".ToUpper())</value></set-header><xml-to-json kind="direct" apply="always" consider-accept-header="false" />'),
        'apis/shop/operations/getSpecial.xml': operationInbound('<choose><when condition="@(false)"><set-header name="X-V" exists-action="override"><value>{{vaulted}}</value></set-header></when></choose>'),
      },
      async (gw, key) => {
        const refused = await get(gw, key, '/shop/items', { 'X-Tenant': 'contoso' });
        expect([refused.status, refused.headers['x-apiops-placeholder']]).toEqual([403, 'vaulted']);
        // The placeholder is the value offline: a caller sending it passes, and the response still says so.
        const passed = await get(gw, key, '/shop/items', { 'X-Tenant': 'apiops-placeholder-vaulted' });
        expect([passed.status, passed.headers['x-apiops-placeholder']]).toEqual([200, 'vaulted']);
        const unsupported = await get(gw, key, '/shop/items/1');
        expect([unsupported.status, unsupported.headers['x-apiops-placeholder']]).toEqual([500, 'unset-secret']);
        expect(unsupported.headers['x-apiops-unsupported']).toMatch(/^policy <xml-to-json>/);
        const unused = await get(gw, key, '/shop/items/special');
        expect([unused.status, unused.headers['x-apiops-placeholder']]).toEqual([200, undefined]);
      },
    );
  });
});

describe('gateway retry and include-fragment refuse what APIM would not save', () => {
  it('answers 500 for a retry count outside 1..50 and an include-fragment of a fragment that does not exist', async () => {
    await withGateway(
      {
        'apis/shop/operations/listItems.xml': operationInbound('', '<retry condition="@(false)" count="51" interval="1"><forward-request /></retry>'),
        'apis/shop/operations/getItem.xml': operationInbound('<include-fragment fragment-id="no-such-fragment" />'),
      },
      async (gw, key) => {
        expect((await get(gw, key)).headers['x-apiops-error']).toMatch(/^apis\/shop\/operations\/listItems\.xml:1:\d+: count of <retry> must be 1 to 50, got 51$/);
        expect((await get(gw, key, '/shop/items/1')).headers['x-apiops-error']).toMatch(/^apis\/shop\/operations\/getItem\.xml:1:\d+: fragment 'no-such-fragment' is not defined/);
        expect(await gw.backendRequests()).toEqual([]);
      },
    );
  });
});

describe('points the fact sheet marks unverified or inferred: the stricter reading', () => {
  const V1_CONFIG = `https://login.microsoftonline.com/${TENANT}/.well-known/openid-configuration`;
  const V1_ISSUER = `https://sts.windows.net/${TENANT}/`;

  it('validate-jwt with <issuers> accepts only those, not also the openid-config metadata issuer (unverified)', async () => {
    const validate = (issuers: string) =>
      globalInbound(`<validate-jwt header-name="Authorization"><openid-config url="${V1_CONFIG}" /><audiences><audience>api://shop</audience></audiences>${issuers}</validate-jwt>`);
    const v1Token = { issuer: V1_ISSUER, audience: 'api://shop' };
    await withGateway({ 'policies/global.xml': validate(`<issuers><issuer>${V2_ISSUER}</issuer></issuers>`) }, async (gw, key) => {
      expect((await get(gw, key, '/shop/items', { Authorization: `Bearer ${await gw.token(v1Token)}` })).status).toBe(401);
      expect((await get(gw, key, '/shop/items', { Authorization: `Bearer ${await gw.token({ ...v1Token, issuer: V2_ISSUER })}` })).status).toBe(200);
    });
    await withGateway({ 'policies/global.xml': validate('') }, async (gw, key) => {
      // Without <issuers> the metadata's own issuer (v1 for the v1 URL) is the one accepted.
      expect((await get(gw, key, '/shop/items', { Authorization: `Bearer ${await gw.token(v1Token)}` })).status).toBe(200);
      expect((await get(gw, key, '/shop/items', { Authorization: `Bearer ${await gw.token({ ...v1Token, issuer: V2_ISSUER })}` })).status).toBe(401);
    });
  });

  it('a keyless call to an API that needs no subscription runs with context.Product null (inferred)', async () => {
    await withGateway(
      {
        'apis/shop/api.yaml': 'displayName: Shop\npath: shop\nserviceUrl: https://shop-backend.example/api\nsubscriptionRequired: false\n',
        'products/starter/product.yaml': 'displayName: Starter\nstate: published\napis: []\n',
        'policies/global.xml': globalInbound(
          '<set-header name="X-Product" exists-action="override"><value>@(context.Product == null ? "none" : context.Product.Id)</value></set-header>',
        ),
      },
      async (gw) => {
        expect((await gw.request('GET', '/shop/items')).status).toBe(200);
        expect((await gw.backendRequests())[0].headers['x-product']).toBe('none');
      },
    );
  });

  it('cors at product scope does not answer a preflight, which carries no key (the known caveat, kept)', async () => {
    const cors = `<policies><inbound><base /><cors><allowed-origins><origin>https://app.example</origin></allowed-origins><allowed-methods><method>GET</method></allowed-methods></cors></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
    await withGateway({ 'products/starter/policy.xml': cors }, async (gw, key) => {
      const preflight = await gw.request('OPTIONS', '/shop/items', { headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET' } });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      // With the key (a simple request) the product's cors applies.
      const simple = await get(gw, key, '/shop/items', { Origin: 'https://app.example' });
      expect([simple.status, simple.headers['access-control-allow-origin']]).toEqual([200, 'https://app.example']);
      expect(await gw.backendRequests()).toHaveLength(1);
    });
  });
});

describe('gateway trace', () => {
  it('leaves the call as it was (message and metadata evaluated), and refuses a trace without source', async () => {
    await withGateway(
      {
        'policies/global.xml': globalInbound(
          `<trace source="shop" severity="information"><message>@("called " + context.Operation.Id)</message><metadata name="api" value="@(context.Api.Id)" /></trace>`,
        ),
        'apis/shop/operations/getItem.xml': operationInbound('<trace><message>no source</message></trace>'),
      },
      async (gw, key) => {
        await gw.control('PUT', 'backend-response', { status: 202, headers: { 'x-from': 'backend' }, body: { ok: true } });
        const traced = await get(gw, key);
        expect([traced.status, traced.headers['x-from'], traced.json()]).toEqual([202, 'backend', { ok: true }]);
        expect((await gw.backendRequests()).map((r) => new URL(r.url).pathname)).toEqual(['/api/items']);
        expect((await get(gw, key, '/shop/items/1')).headers['x-apiops-error']).toMatch(/^apis\/shop\/operations\/getItem\.xml:1:\d+: <trace> needs the source attribute$/);
      },
    );
  });
});
