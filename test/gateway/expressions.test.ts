import * as path from 'path';
import { gatewayOn, globalInbound, withGateway } from './helpers';

const sections = (inbound: string, outbound = '', onError = '') =>
  `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base />${outbound}</outbound><on-error><base />${onError}</on-error></policies>`;

describe('gateway policies with expressions', () => {
  it('runs on-error with context.LastError (Source, Reason, Message, Scope, Section, Path, PolicyId)', async () => {
    await withGateway(
      {
        'apis/shop/operations/listItems.xml': sections(
          '<choose><when condition="@(true)"><check-header id="tenant-check" name="X-Tenant" failed-check-httpcode="403" failed-check-error-message="no tenant" ignore-case="false" /></when></choose>',
          '',
          `<set-header name="X-Error" exists-action="override"><value>@{
              var e = context.LastError;
              return e.Source + "|" + e.Reason + "|" + e.Message + "|" + e.Scope + "|" + e.Section + "|" + e.Path + "|" + e.PolicyId + "|" + context.Response.StatusCode;
          }</value></set-header>`,
        ),
      },
      async (gw, key) => {
        const reply = await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
        expect(reply.status).toBe(403);
        expect(reply.json()).toEqual({ statusCode: 403, message: 'no tenant' });
        expect(reply.headers['x-error']).toBe('check-header|HeaderNotFound|Header X-Tenant was not found in the request. Access denied.|operation|inbound|choose[1]/when[1]/check-header[1]|tenant-check|403');
      },
    );
  });

  it('turns an exception in an expression into ExpressionValueEvaluationFailure: on-error runs, the caller gets 500', async () => {
    await withGateway(
      {
        'apis/shop/operations/createOrder.xml': sections(
          '<set-variable name="order" value="@(context.Request.Body.As&lt;JObject&gt;(preserveContent: true)[&quot;id&quot;].ToString())" />',
          '',
          '<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason + "/" + context.LastError.Source)</value></set-header>',
        ),
      },
      async (gw, key) => {
        const reply = await gw.request('POST', '/shop/orders', { headers: { 'Ocp-Apim-Subscription-Key': key, 'Content-Type': 'application/json' }, body: 'this is not JSON' });
        expect(reply.status).toBe(500);
        expect(reply.json()).toEqual({ statusCode: 500, message: 'Internal server error', activityId: expect.any(String) });
        expect(reply.headers['x-reason']).toBe('ExpressionValueEvaluationFailure/set-variable');
        expect(await gw.backendRequests()).toEqual([]);
        // A JSON body passes.
        const ok = await gw.request('POST', '/shop/orders', { headers: { 'Ocp-Apim-Subscription-Key': key }, body: '{"id": 7}' });
        expect(ok.status).toBe(200);
      },
    );
  });

  it('renders set-body Liquid templates over the body and context', async () => {
    await withGateway(
      {
        'apis/shop/operations/createOrder.xml': sections(
          `<set-body template="liquid">{"item": "{{body.name | Upcase}}", "count": {{body.count | plus: 1}}, "method": "{{context.Request.Method}}"}</set-body>`,
        ),
      },
      async (gw, key) => {
        await gw.request('POST', '/shop/orders', { headers: { 'Ocp-Apim-Subscription-Key': key }, body: '{"name": "pen", "count": 2}' });
        const [backend] = await gw.backendRequests();
        expect(JSON.parse(backend.body)).toEqual({ item: 'PEN', count: 3, method: 'POST' });
      },
    );
  });

  it("runs APIM's Liquid: JSONArrayFor puts commas between items, Date takes .NET formats and the gateway clock", async () => {
    await withGateway(
      {
        'apis/shop/operations/createOrder.xml': sections(
          `<set-body template="liquid">{"skus": [{% JSONArrayFor item in body.items %}"{{item.sku}}"{% endJSONArrayFor %}], "none": [{% JSONArrayFor item in body.empty %}{{item}}{% endJSONArrayFor %}], "placed": "{{body.placed | Date: "dd/MM/yyyy HH:mm"}}", "today": "{{"now" | Date: "yyyy-MM-dd"}}", "odd": "{{body.sku | Date: "yyyy"}}"}</set-body>`,
        ),
      },
      async (gw, key) => {
        await gw.control('POST', 'clock', { advanceSeconds: 400 * 86400 });
        const today = new Date((await gw.control('GET', 'clock')).json().now).toISOString().slice(0, 10);
        const order = { items: [{ sku: 'a' }, { sku: 'b' }, { sku: 'c' }], empty: [], placed: '2024-03-05T10:20:00Z', sku: 'not a date' };
        await gw.request('POST', '/shop/orders', { headers: { 'Ocp-Apim-Subscription-Key': key }, body: JSON.stringify(order) });
        const [backend] = await gw.backendRequests();
        expect(JSON.parse(backend.body)).toEqual({ skus: ['a', 'b', 'c'], none: [], placed: '05/03/2024 10:20', today, odd: 'not a date' });
      },
    );
  });

  it('sends send-request to the stub and returns its response with return-response response-variable-name', async () => {
    await withGateway(
      {
        'apis/shop/operations/listItems.xml': sections(`
          <send-request mode="new" response-variable-name="lookup" timeout="10">
            <set-url>@("https://lookup.example/users/" + context.Request.MatchedParameters.Count)</set-url>
            <set-method>POST</set-method>
            <set-header name="X-Asked" exists-action="override"><value>yes</value></set-header>
            <set-body>@("{\\"n\\":" + 1 + "}")</set-body>
          </send-request>
          <return-response response-variable-name="lookup">
            <set-header name="X-Status" exists-action="override"><value>@(((IResponse)context.Variables["lookup"]).StatusCode.ToString())</value></set-header>
          </return-response>`),
      },
      async (gw, key) => {
        await gw.control('PUT', 'backend-response', { status: 202, body: { looked: 'up' } });
        const reply = await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
        expect([reply.status, reply.headers['x-apiops-unsupported'] ?? reply.headers['x-apiops-error']]).toEqual([202, undefined]);
        expect(reply.json()).toEqual({ looked: 'up' });
        expect(reply.headers['x-status']).toBe('202');
        const [lookup] = await gw.backendRequests();
        expect(lookup).toEqual(expect.objectContaining({ url: 'https://lookup.example/users/0', method: 'POST', body: '{"n":1}' }));
        expect(lookup.headers['x-asked']).toBe('yes');
      },
    );
  });

  it('names a mixed literal-and-expression value as unsupported rather than guessing', async () => {
    await withGateway(
      { 'policies/global.xml': globalInbound('<set-header name="X-A" exists-action="override"><value>Bearer @(context.RequestId)</value></set-header>') },
      async (gw, key) => {
        const reply = await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
        expect(reply.status).toBe(500);
        expect(reply.headers['x-apiops-unsupported']).toMatch(/^literal text mixed with a policy expression .* at policies\/global\.xml:3:\d+$/);
      },
    );
  });

  it('retries while the condition holds, at most count more times', async () => {
    await withGateway(
      {
        'policies/global.xml': globalInbound('', {
          backend: '<retry condition="@(context.Response.StatusCode >= 500)" count="2" interval="1"><forward-request /></retry>',
        }),
      },
      async (gw, key) => {
        await gw.control('PUT', 'backend-response', { status: 503, body: 'busy' });
        expect((await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } })).status).toBe(503);
        expect((await gw.backendRequests()).length).toBe(3);
      },
    );
  });
});

describe('the sample partner-webhooks API (HMAC-signed events)', () => {
  it('passes an event signed with the webhook secret and refuses a bad signature with the policy 401', async () => {
    const secret = 'webhook-secret-for-tests';
    const gw = await gatewayOn(path.join(__dirname, '..', '..'), { env: { APIOPS_FABRIKAM_WEBHOOK_SECRET: secret }, cleanup: false });
    try {
      const key = await gw.key({ product: 'fabrikam-production' });
      const token = await gw.token({ issuer: 'https://login.microsoftonline.com/4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37/v2.0', audience: 'api://contoso-media-partner-api-dev' });
      const body = '{"event":"delivered"}';
      const { createHmac } = await import('node:crypto');
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const send = (sig: string) =>
        gw.request('POST', '/partner/webhooks/deliveries/d-1/events', { headers: { 'Ocp-Apim-Subscription-Key': key, Authorization: `Bearer ${token}`, 'X-Fabrikam-Signature': sig }, body });
      expect((await send(signature)).status).toBe(200);
      const refused = await send(`sha256=${'0'.repeat(64)}`);
      expect(refused.status).toBe(401);
      expect((await gw.backendRequests()).map((r) => r.body)).toEqual([body]);
    } finally {
      await gw.close();
    }
  });
});
