import { globalInbound, withGateway } from './helpers';


describe('gateway cache-lookup / cache-store', () => {
  it('serves GET responses from the cache for duration seconds, varying by the listed query parameters and headers', async () => {
    await withGateway(
      {
        'named-values/cache-seconds.yaml': 'displayName: cache-seconds\nvalue: "30"\n',
        'policies/global.xml': globalInbound(
          `<cache-lookup vary-by-developer="false" vary-by-developer-groups="false">
              <vary-by-header>Accept-Language</vary-by-header>
              <vary-by-query-parameter>page</vary-by-query-parameter>
           </cache-lookup>`,
          { outbound: '<set-header name="X-Before-Store" exists-action="override"><value>yes</value></set-header><cache-store duration="{{cache-seconds}}" /><set-header name="X-After-Store" exists-action="override"><value>yes</value></set-header>' },
        ),
      },
      async (gw, key) => {
        const get = (path: string, headers: Record<string, string> = {}) => gw.request('GET', path, { headers: { 'Ocp-Apim-Subscription-Key': key, ...headers } });
        await gw.control('PUT', 'backend-response', { status: 200, body: { n: 1 } });
        expect((await get('/shop/items?page=1')).json()).toEqual({ n: 1 });
        await gw.control('PUT', 'backend-response', { status: 200, body: { n: 2 } });
        const cached = await get('/shop/items?page=1&other=x');
        expect(cached.json()).toEqual({ n: 1 });
        // Outbound resumes after cache-store on a hit.
        expect(cached.headers['x-before-store']).toBe('yes');
        expect(cached.headers['x-after-store']).toBe('yes');
        expect((await get('/shop/items?page=2')).json()).toEqual({ n: 2 });
        expect((await get('/shop/items?page=1', { 'Accept-Language': 'fr' })).json()).toEqual({ n: 2 });
        expect((await gw.backendRequests()).length).toBe(3);
        await gw.control('POST', 'clock', { advanceSeconds: 31 });
        expect((await get('/shop/items?page=1')).json()).toEqual({ n: 2 });
        // Only 200 responses are stored.
        await gw.control('PUT', 'backend-response', { status: 500, body: { n: 3 } });
        expect((await get('/shop/items?page=9')).status).toBe(500);
        await gw.control('PUT', 'backend-response', { status: 200, body: { n: 4 } });
        expect((await get('/shop/items?page=9')).json()).toEqual({ n: 4 });
      },
    );
  });
});

describe('gateway cache-lookup allow-private-response-caching', () => {
  it('neither serves nor stores a request with an Authorization header unless allow-private-response-caching is true', async () => {
    const lookup = (allow: string) =>
      `<cache-lookup vary-by-developer="false" vary-by-developer-groups="false"${allow}><vary-by-query-parameter>page</vary-by-query-parameter></cache-lookup>`;
    await withGateway(
      {
        'policies/global.xml': globalInbound(lookup(''), { outbound: '<cache-store duration="60" />' }),
        'apis/shop/operations/getSpecial.xml': `<policies><inbound>${lookup(' allow-private-response-caching="@(true)"')}</inbound><backend><base /></backend><outbound><cache-store duration="60" /></outbound><on-error /></policies>`,
      },
      async (gw, key) => {
        const get = async (path: string, headers: Record<string, string> = {}) => (await gw.request('GET', path, { headers: { 'Ocp-Apim-Subscription-Key': key, ...headers } })).json();
        const bearer = { Authorization: 'Bearer caller-token' };
        await gw.control('PUT', 'backend-response', { status: 200, body: { n: 1 } });
        expect(await get('/shop/items?page=1', bearer)).toEqual({ n: 1 });
        expect(await get('/shop/items/special?page=1', bearer)).toEqual({ n: 1 });
        await gw.control('PUT', 'backend-response', { status: 200, body: { n: 2 } });
        // The default (false): the call with a token was not stored, nor is the next one served from the cache.
        expect(await get('/shop/items?page=1', bearer)).toEqual({ n: 2 });
        // A call without one is stored and served; a call with one is still not served from the cache.
        expect(await get('/shop/items?page=1')).toEqual({ n: 2 });
        await gw.control('PUT', 'backend-response', { status: 200, body: { n: 3 } });
        expect(await get('/shop/items?page=1')).toEqual({ n: 2 });
        expect(await get('/shop/items?page=1', bearer)).toEqual({ n: 3 });
        // allow-private-response-caching="true": stored and served with the token.
        expect(await get('/shop/items/special?page=1', bearer)).toEqual({ n: 1 });
        expect(await gw.backendRequests()).toHaveLength(5);
      },
    );
  });
});

describe('gateway check-header and ip-filter', () => {
  it('refuses a missing or disallowed header with the policy status and message', async () => {
    await withGateway(
      { 'policies/global.xml': globalInbound('<check-header name="X-Tenant" failed-check-httpcode="403" failed-check-error-message="Tenant not allowed" ignore-case="true"><value>contoso</value></check-header>') },
      async (gw, key) => {
        const send = (headers: Record<string, string>) => gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key, ...headers } });
        expect((await send({ 'X-Tenant': 'CONTOSO' })).status).toBe(200);
        for (const headers of [{}, { 'X-Tenant': 'fabrikam' }] as Array<Record<string, string>>) {
          const reply = await send(headers);
          expect(reply.status).toBe(403);
          expect(reply.json()).toEqual({ statusCode: 403, message: 'Tenant not allowed' });
        }
      },
    );
  });

  it('allows listed caller addresses and forbids others (403 Forbidden)', async () => {
    await withGateway({ 'policies/global.xml': globalInbound('<ip-filter action="allow"><address-range from="127.0.0.0" to="127.0.0.255" /></ip-filter>') }, async (gw, key) => {
      expect((await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } })).status).toBe(200);
    });
    await withGateway({ 'policies/global.xml': globalInbound('<ip-filter action="forbid"><address>127.0.0.1</address></ip-filter>') }, async (gw, key) => {
      const reply = await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
      expect(reply.status).toBe(403);
      expect(reply.json()).toEqual({ statusCode: 403, message: 'Forbidden' });
      expect(await gw.backendRequests()).toEqual([]);
    });
  });
});

describe('gateway cors', () => {
  const CORS = `<cors allow-credentials="true">
      <allowed-origins><origin>https://app.contoso.example</origin></allowed-origins>
      <allowed-methods preflight-result-max-age="300"><method>GET</method><method>POST</method></allowed-methods>
      <allowed-headers><header>Authorization</header><header>Ocp-Apim-Subscription-Key</header></allowed-headers>
      <expose-headers><header>X-Total</header></expose-headers>
    </cors>`;

  it('answers a matching preflight without a key and without calling the backend', async () => {
    await withGateway({ 'policies/global.xml': globalInbound(CORS) }, async (gw) => {
      const reply = await gw.request('OPTIONS', '/shop/items', {
        headers: { Origin: 'https://app.contoso.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
      });
      expect(reply.status).toBe(200);
      expect(reply.headers['access-control-allow-origin']).toBe('https://app.contoso.example');
      expect(reply.headers['access-control-allow-credentials']).toBe('true');
      expect(reply.headers['access-control-allow-methods']).toBe('GET');
      expect(reply.headers['access-control-allow-headers']).toBe('authorization');
      expect(reply.headers['access-control-max-age']).toBe('300');
      expect(await gw.backendRequests()).toEqual([]);
    });
  });

  it('gives an unmatched preflight an empty 200 without CORS headers', async () => {
    await withGateway({ 'policies/global.xml': globalInbound(CORS) }, async (gw) => {
      for (const headers of [
        { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
        { Origin: 'https://app.contoso.example', 'Access-Control-Request-Method': 'DELETE' },
      ]) {
        const reply = await gw.request('OPTIONS', '/shop/items', { headers });
        expect(reply.status).toBe(200);
        expect(reply.headers['access-control-allow-origin']).toBeUndefined();
      }
    });
  });

  it('adds allow headers to a matching simple request; an unmatched origin is terminated (stricter reading of the undocumented default)', async () => {
    await withGateway({ 'policies/global.xml': globalInbound(CORS) }, async (gw, key) => {
      const ok = await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key, Origin: 'https://app.contoso.example' } });
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.contoso.example');
      expect(ok.headers['access-control-expose-headers']).toBe('X-Total');
      await gw.control('DELETE', 'backend-requests');
      // terminate-unmatched-request: the reference's table says false, its troubleshooting text true; the emulator
      // takes the stricter true, so an unmatched origin never reaches the backend.
      const other = await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key, Origin: 'https://evil.example' } });
      expect(other.status).toBe(200);
      expect(other.text).toBe('');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      expect(await gw.backendRequests()).toEqual([]);
    });
  });
});
