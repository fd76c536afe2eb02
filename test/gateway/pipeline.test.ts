import { GATEWAY_REPO, globalInbound, withGateway, type TestGateway } from './helpers';


const get = (gw: TestGateway, key: string, path = '/shop/items', headers: Record<string, string> = {}) =>
  gw.request('GET', path, { headers: { 'Ocp-Apim-Subscription-Key': key, ...headers } });

describe('gateway pipeline', () => {
  it('runs inbound → backend → outbound: headers set and deleted on the request and on the response', async () => {
    await withGateway(
      {
        'policies/global.xml': globalInbound(
          `<set-header name="X-Added" exists-action="override"><value>a</value><value>b</value></set-header>
           <set-header name="X-Keep" exists-action="skip"><value>new</value></set-header>
           <set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />
           <set-query-parameter name="subscription-key" exists-action="delete" />
           <set-query-parameter name="added" exists-action="append"><value>1</value></set-query-parameter>`,
          { outbound: '<set-header name="X-Out" exists-action="override"><value>done</value></set-header><set-status code="202" reason="Taken" />' },
        ),
      },
      async (gw, key) => {
        const reply = await gw.request('GET', `/shop/items?subscription-key=${key}&keep=1`, { headers: { 'X-Keep': 'old' } });
        expect(reply.status).toBe(202);
        expect(reply.headers['x-out']).toBe('done');
        const [backend] = await gw.backendRequests();
        expect(backend.url).toBe('https://shop-backend.example/api/items?keep=1&added=1');
        expect(backend.headers['x-added']).toBe('a, b');
        expect(backend.headers['x-keep']).toBe('old');
        expect(backend.headers['ocp-apim-subscription-key']).toBeUndefined();
      },
    );
  });

  it('returns return-response as built, skipping the backend and outbound', async () => {
    await withGateway(
      {
        'policies/global.xml': globalInbound(
          `<return-response>
              <set-status code="418" reason="Teapot" />
              <set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>
              <set-body>{"brewed": false}</set-body>
           </return-response>`,
          { outbound: '<set-header name="X-Out" exists-action="override"><value>done</value></set-header>' },
        ),
      },
      async (gw, key) => {
        const reply = await get(gw, key);
        expect(reply.status).toBe(418);
        expect(reply.headers['content-type']).toBe('application/json');
        expect(reply.headers['x-out']).toBeUndefined();
        expect(reply.json()).toEqual({ brewed: false });
        expect(await gw.backendRequests()).toEqual([]);
      },
    );
  });

  it('answers mock-response with the example of the specification', async () => {
    await withGateway({ 'policies/global.xml': globalInbound('<mock-response status-code="200" content-type="application/json" />') }, async (gw, key) => {
      const reply = await get(gw, key);
      expect(reply.status).toBe(200);
      expect(reply.json()).toEqual({ items: [{ id: 1, name: 'pen' }] });
      const noExample = await get(gw, key, '/shop/items/1');
      expect(noExample.status).toBe(200);
      expect(noExample.text).toBe('');
      expect(await gw.backendRequests()).toEqual([]);
    });
  });

  it('names mock-response of a response with a schema but no example as unsupported (APIM generates an undocumented sample)', async () => {
    const openapi = GATEWAY_REPO['apis/shop/openapi.yaml'].replace(
      'example: { items: [{ id: 1, name: pen }] }',
      'schema: { type: object, properties: { items: { type: array, items: { type: string } } } }',
    );
    await withGateway({ 'apis/shop/openapi.yaml': openapi, 'policies/global.xml': globalInbound('<mock-response status-code="200" content-type="application/json" />') }, async (gw, key) => {
      const reply = await get(gw, key);
      expect(reply.status).toBe(500);
      expect(reply.headers['x-apiops-unsupported']).toBe('<mock-response> from the schema of the 200 response, which has no example at policies/global.xml:3:9');
      expect((await get(gw, key, '/shop/items/1')).status).toBe(200);
    });
  });

  it('sends the call to the backend set-backend-service names (backend-id from backends/, or base-url)', async () => {
    await withGateway(
      {
        'apis/shop/operations/listItems.xml': `<policies><inbound><base /><set-backend-service backend-id="shop-v2" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
        'apis/shop/operations/getItem.xml': `<policies><inbound><base /><set-backend-service base-url="https://elsewhere.example:8443/x/" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
      },
      async (gw, key) => {
        await get(gw, key, '/shop/items?a=1');
        await get(gw, key, '/shop/items/7');
        expect((await gw.backendRequests()).map((r) => r.url)).toEqual(['https://shop-v2.example/base/items?a=1', 'https://elsewhere.example:8443/x/items/7']);
      },
    );
  });

  it('passes the backend stub answer through, as set by the control endpoint', async () => {
    await withGateway({}, async (gw, key) => {
      expect((await gw.control('PUT', 'backend-response', { status: 503, headers: { 'x-from': 'stub' }, body: 'down' })).status).toBe(204);
      const reply = await get(gw, key);
      expect(reply.status).toBe(503);
      expect(reply.headers['x-from']).toBe('stub');
      expect(reply.text).toBe('down');
      await gw.control('DELETE', 'backend-response');
      const restored = await get(gw, key);
      expect(restored.status).toBe(200);
      expect(restored.headers['content-type']).toBe('application/json');
      expect(restored.text).toBe('{}');
    });
  });

  it('answers 500 with APIM generic body when forward-request times out (not the unverified 504)', async () => {
    await withGateway({ 'policies/global.xml': globalInbound('', { backend: '<forward-request timeout-ms="50" />' }) }, async (gw, key) => {
      await gw.control('PUT', 'backend-response', { status: 200, body: {}, delayMs: 500 });
      const reply = await get(gw, key);
      expect(reply.status).toBe(500);
      expect(reply.json()).toEqual({ statusCode: 500, message: 'Internal server error', activityId: expect.any(String) });
    });
  });

  it('names what it cannot run: a policy, an attribute, a child element, with file:line (500, x-apiops-unsupported)', async () => {
    await withGateway(
      {
        'apis/shop/operations/listItems.xml': `<policies><inbound><base /><xml-to-json kind="direct" apply="always" consider-accept-header="false" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
        'apis/shop/operations/getItem.xml': `<policies>\n<inbound><base /></inbound>\n<backend>\n<forward-request http-version="2" />\n</backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
      },
      async (gw, key) => {
        const policy = await get(gw, key);
        expect(policy.status).toBe(500);
        expect(policy.headers['x-apiops-unsupported']).toBe('policy <xml-to-json> at apis/shop/operations/listItems.xml:1:28');
        const attribute = await get(gw, key, '/shop/items/1');
        expect(attribute.headers['x-apiops-unsupported']).toBe('attribute http-version of <forward-request> at apis/shop/operations/getItem.xml:4:18');
        expect(await gw.backendRequests()).toEqual([]);
        // Other operations are not affected.
        expect((await get(gw, key, '/shop/items/special')).status).toBe(200);
      },
    );
  });

  it('answers 500 naming a policy APIM would refuse (x-apiops-error with file:line), never crashing', async () => {
    await withGateway(
      {
        'apis/shop/operations/listItems.xml': `<policies><inbound><base /><set-header name="X-A" exists-action="sometimes" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
        'apis/shop/operations/getItem.xml': `<policies><inbound><base /><set-header name="X-A"><value>{{no-such-value}}</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
      },
      async (gw, key) => {
        const action = await get(gw, key);
        expect(action.status).toBe(500);
        expect(action.headers['x-apiops-error']).toMatch(/^apis\/shop\/operations\/listItems\.xml:1:28: exists-action must be one of override, skip, append, delete/);
        const named = await get(gw, key, '/shop/items/1');
        expect(named.headers['x-apiops-error']).toMatch(/^apis\/shop\/operations\/getItem\.xml:1:\d+: named value 'no-such-value' is not defined/);
      },
    );
  });

  it('answers 500 naming a policy in a section or at a scope APIM does not allow, and a rewrite-uri adding a path parameter', async () => {
    const operation = (inbound: string, outbound = '<base />') =>
      `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound>${outbound}</outbound><on-error><base /></on-error></policies>`;
    await withGateway(
      {
        'apis/shop/operations/listItems.xml': operation('', '<base /><choose><when condition="@(true)"><validate-jwt header-name="Authorization" /></when></choose>'),
        'apis/shop/operations/createOrder.xml': operation('<forward-request />'),
        'apis/shop/policy.xml': operation('<choose><when condition="@(context.Operation.Id == &quot;getSpecial&quot;)"><quota calls="5" renewal-period="60" /></when></choose>'),
        'apis/shop/operations/getItem.xml': operation('<rewrite-uri template="/things/{itemId}/{colour}" />'),
        'apis/shop/operations/search.xml': operation(
          '<send-request mode="new" response-variable-name="r"><set-url>https://lookup.example/</set-url><authentication-managed-identity resource="api://lookup" /></send-request>',
          '<base /><send-request mode="new" response-variable-name="r"><set-url>https://lookup.example/</set-url><authentication-managed-identity resource="api://lookup" /></send-request>',
        ),
      },
      async (gw, key) => {
        const refusal = async (method: string, path: string) => {
          const reply = await gw.request(method, path, { headers: { 'Ocp-Apim-Subscription-Key': key } });
          expect(reply.status).toBe(500);
          return reply.headers['x-apiops-error'];
        };
        expect(await refusal('GET', '/shop/items')).toMatch(/^apis\/shop\/operations\/listItems\.xml:1:\d+: <validate-jwt> is not allowed in the outbound section \(allowed in: inbound\)$/);
        expect(await refusal('POST', '/shop/orders')).toMatch(/^apis\/shop\/operations\/createOrder\.xml:1:28: <forward-request> is not allowed in the inbound section \(allowed in: backend\)$/);
        expect(await refusal('GET', '/shop/items/special')).toMatch(/^apis\/shop\/policy\.xml:1:\d+: <quota> is not allowed at api scope \(allowed at: product\)$/);
        expect(await refusal('GET', '/shop/items/7')).toMatch(
          /^apis\/shop\/operations\/getItem\.xml:1:\d+: template of <rewrite-uri> names \{colour\}, which is not a parameter of the operation's URL template \/items\/\{itemId\}$/,
        );
        // A send-request's own elements go wherever it goes: authentication-managed-identity in an outbound one.
        expect((await gw.request('GET', '/shop/search?q=1', { headers: { 'Ocp-Apim-Subscription-Key': key } })).status).toBe(200);
        expect((await gw.backendRequests()).filter((r) => r.url === 'https://lookup.example/')).toHaveLength(2);
      },
    );
  });

  it('answers 500 for every call through a policy file that does not parse, with its file:line and validate\'s finding', async () => {
    const files = {
      'apis/shop/operations/getItem.xml': '<policies>\n<inbound>\n<base />\n<set-header name="X-A">\n</inbound></policies>',
      'products/starter/policy.xml': '<policies><inbound><base /></inbound',
    };
    await withGateway({ 'apis/shop/operations/getItem.xml': files['apis/shop/operations/getItem.xml'] }, async (gw, key) => {
      // The API level first (compiled and cached), then the operation whose own file is broken: each gets its own answer.
      expect((await get(gw, key)).status).toBe(200);
      const broken = await get(gw, key, '/shop/items/1');
      expect(broken.status).toBe(500);
      expect(broken.json()).toEqual({ statusCode: 500, message: 'Internal server error', activityId: expect.any(String) });
      expect(broken.headers['x-apiops-error']).toBe(
        'apis/shop/operations/getItem.xml:5:1: this policy file did not render or parse: </inbound> does not match <set-header> opened at line 4, column 1',
      );
      expect((await get(gw, key, '/shop/items/special')).status).toBe(200);
      expect((await gw.backendRequests()).map((r) => new URL(r.url).pathname)).toEqual(['/api/items', '/api/items/special']);
    });
    await withGateway(files, async (gw, key) => {
      // The broadest broken file on the way is named: the product's, for every operation of its APIs.
      for (const path of ['/shop/items', '/shop/items/1']) {
        expect((await get(gw, key, path)).headers['x-apiops-error']).toMatch(/^products\/starter\/policy\.xml:1:\d+: this policy file did not render or parse: unexpected end of file/);
      }
      // An API-scoped key skips product policies, so only the operation's own broken file stands in the way.
      const apiKey = await gw.key({ api: 'shop' });
      expect((await get(gw, apiKey)).status).toBe(200);
      expect((await get(gw, apiKey, '/shop/items/1')).headers['x-apiops-error']).toMatch(/^apis\/shop\/operations\/getItem\.xml:5:1: /);
      expect(await gw.backendRequests()).toHaveLength(1);
    });
  });

  it('resolves named values as publish does; a Key Vault value without its variable is a placeholder, and the response says so', async () => {
    const files = {
      'named-values/plain.yaml': 'displayName: plain\nvalue: hello\n',
      'named-values/secret.yaml': 'displayName: secret\nsecret: true\nvalueFromEnv: SHOP_SECRET\n',
      'named-values/vaulted.yaml': 'displayName: vaulted\nkeyVault:\n  secretIdentifier: https://kv.vault.azure.net/secrets/vaulted\nlocalValueFromEnv: SHOP_VAULTED\n',
      'policies/global.xml': globalInbound(
        `<set-header name="X-Plain" exists-action="override"><value>{{plain}}</value></set-header>
         <set-header name="X-Secret" exists-action="override"><value>{{secret}}</value></set-header>
         <set-header name="X-Vaulted" exists-action="override"><value>{{Vaulted}}</value></set-header>`,
      ),
    };
    await withGateway(files, async (gw, key) => {
      const reply = await get(gw, key);
      expect(reply.headers['x-apiops-placeholder']).toBe('vaulted');
      const [backend] = await gw.backendRequests();
      expect(backend.headers['x-plain']).toBe('hello');
      expect(backend.headers['x-secret']).toBe('s3cret');
      expect(backend.headers['x-vaulted']).toBe('apiops-placeholder-vaulted');
    }, { SHOP_SECRET: 's3cret' });
    await withGateway(files, async (gw, key) => {
      const reply = await get(gw, key);
      expect(reply.headers['x-apiops-placeholder']).toBeUndefined();
      expect((await gw.backendRequests())[0].headers['x-vaulted']).toBe('from-env');
    }, { SHOP_SECRET: 's3cret', SHOP_VAULTED: 'from-env' });
  });

  it('answers 500 naming the file:line:column of a policy expression that does not compile, and of a member it does not know', async () => {
    await withGateway(
      {
        'apis/shop/operations/listItems.xml': `<policies><inbound><base />\n<set-header name="X-A" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("X-In", "") +)</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
        'apis/shop/operations/getItem.xml': `<policies><inbound><base />\n<set-header name="X-A" exists-action="override"><value>@(context.Request.Foo)</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
      },
      async (gw, key) => {
        const syntax = await get(gw, key);
        expect(syntax.status).toBe(500);
        expect(syntax.json()).toEqual({ statusCode: 500, message: 'Internal server error', activityId: expect.any(String) });
        expect(syntax.headers['x-apiops-error']).toMatch(/^apis\/shop\/operations\/listItems\.xml:2:\d+: invalid policy expression: /);
        const member = await get(gw, key, '/shop/items/1');
        expect(member.status).toBe(500);
        expect(member.headers['x-apiops-unsupported']).toMatch(/^member Foo at apis\/shop\/operations\/getItem\.xml:2:\d+$/);
        expect(await gw.backendRequests()).toEqual([]);
      },
    );
  });

  it('answers 500 when a policy sets a status, reason phrase or header value HTTP cannot carry, and keeps serving', async () => {
    const echo = (query: string) => `@(context.Request.Url.Query.GetValueOrDefault(&quot;${query}&quot;, &quot;&quot;))`;
    await withGateway(
      {
        'apis/shop/operations/search.xml': `<policies><inbound><base /><return-response>
            <set-status code="@(int.Parse(context.Request.Url.Query.GetValueOrDefault(&quot;q&quot;, &quot;200&quot;)))" reason="${echo('reason')}" />
            <set-header name="X-Echo" exists-action="override"><value>${echo('header')}</value></set-header>
          </return-response></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
      },
      async (gw, key) => {
        expect((await get(gw, key, '/shop/search?q=201&reason=Made&header=x')).status).toBe(201);
        for (const query of ['q=42', 'q=200&reason=a%0D%0Ab', 'q=200&header=a%0D%0AX-Injected:%201']) {
          const reply = await get(gw, key, `/shop/search?${query}`);
          expect([query, reply.status]).toEqual([query, 500]);
          expect(reply.json()).toEqual({ statusCode: 500, message: 'Internal server error' });
          expect(reply.headers['x-apiops-error']).toMatch(/^a policy set a status, reason phrase or header HTTP cannot carry: /);
          expect(reply.headers['x-injected']).toBeUndefined();
        }
        expect((await get(gw, key, '/shop/search?q=200')).status).toBe(200);
      },
    );
  });

  it('keeps serving after malformed requests', async () => {
    await withGateway({}, async (gw, key) => {
      const net = await import('node:net');
      const { port } = new URL(gw.url);
      const raw = await new Promise<string>((resolve) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
        let data = '';
        socket.on('data', (chunk) => (data += chunk));
        socket.on('close', () => resolve(data));
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request/);
      expect((await get(gw, key)).status).toBe(200);
    });
  });
});
