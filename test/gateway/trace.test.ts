/**
 * The request trace (docs/trace.md) through the control endpoint: the sample's zero-trust call step by step with
 * template positions and values, a failure with context.LastError and what it skipped, positions after a template
 * block, and masking of secrets, keys and tokens.
 */
import * as path from 'path';
import { gatewayOn, gatewayWith, globalInbound, type TestGateway } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const TENANT = '4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37';
const V2_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const AUDIENCE = 'api://contoso-media-partner-api-dev';

async function traceOf(gw: TestGateway, requestId: string | undefined): Promise<any> {
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  const reply = await gw.control('GET', `traces/${requestId}`);
  expect(reply.status).toBe(200);
  return reply.json();
}

const steps = (trace: any, section: string) => trace.sections[section].map((s: any) => `${s.policy} ${s.file}:${s.line}:${s.column} ${s.outcome}`);

describe('the trace of the sample zero-trust call', () => {
  let gw: TestGateway;
  let key: string;
  let token: string;
  let trace: any;
  let text: string;
  beforeAll(async () => {
    gw = await gatewayOn(ROOT, { cleanup: false });
    key = await gw.key({ product: 'fabrikam-developer' });
    token = await gw.token({ issuer: V2_ISSUER, audience: AUDIENCE, claims: { oid: 'caller-oid-1' } });
    // The sample's orders API is in a version set (path segment): GET /orders/v1/orders.
    const reply = await gw.request('GET', '/orders/v1/orders', { headers: { 'Ocp-Apim-Subscription-Key': key, Authorization: `Bearer ${token}` } });
    expect(reply.status).toBe(200);
    const reread = await gw.control('GET', `traces/${reply.headers['x-apiops-request-id']}`);
    text = reread.text;
    trace = await traceOf(gw, reply.headers['x-apiops-request-id']);
  });
  afterAll(() => gw.close());

  it('is versioned and names the call', () => {
    expect(trace).toMatchObject({ formatVersion: 1, api: { id: 'media-orders' }, operation: { id: 'listOrders' }, product: { id: 'fabrikam-developer' }, response: { status: 200 } });
  });

  it('lists every policy in order with its template position and scope', () => {
    expect(steps(trace, 'inbound')).toEqual([
      'validate-jwt policies/fragments/validate-entra-jwt.xml:4:5 ran',
      'set-header policies/global.xml:7:9 ran',
      'set-query-parameter policies/global.xml:8:9 ran',
      'set-header policies/global.xml:9:9 ran',
      'set-header policies/global.xml:12:9 ran',
      'rate-limit-by-key products/fabrikam-developer/policy.xml:5:9 ran',
      'quota products/fabrikam-developer/policy.xml:6:9 ran',
      'set-backend-service policies/fragments/call-functions-with-managed-identity.xml:5:5 ran',
      'authentication-managed-identity policies/fragments/call-functions-with-managed-identity.xml:6:5 ran',
    ]);
    expect(steps(trace, 'backend')).toEqual(['forward-request policies/global.xml:17:9 ran']);
    expect(trace.sections.inbound[0]).toMatchObject({ scope: 'global', fragment: 'validate-entra-jwt' });
    expect(trace.sections.inbound[5]).toMatchObject({ scope: 'product' });
  });

  it('shows the validated claims, the key header deleted, the identity token, the counter and the backend URL', () => {
    const [jwt, deleteKey, , correlation, , rate, , backend, identity] = trace.sections.inbound;
    expect(jwt.details.claims).toMatchObject({ iss: V2_ISSUER, aud: AUDIENCE, oid: 'caller-oid-1' });
    expect(jwt.variables.partnerJwt).toMatchObject({ type: 'Jwt' });
    expect(deleteKey.headers).toEqual([{ message: 'request', name: 'Ocp-Apim-Subscription-Key', action: 'removed' }]);
    expect(correlation.expressions).toEqual([{ file: 'policies/global.xml', line: 10, column: 20, value: trace.requestId }]);
    expect(rate.details.counter).toMatchObject({ calls: 60, renewalPeriod: 60, used: 0, remaining: 59 });
    expect(backend.details.backend).toEqual({ id: 'media-functions', url: 'https://func-contoso-media-dev.azurewebsites.net/api' });
    expect(backend.url.to).toBe('https://func-contoso-media-dev.azurewebsites.net/api/orders');
    expect(identity.details.managedIdentityToken).toEqual({ resource: 'api://func-contoso-media-dev', header: 'Authorization' });
    expect(identity.headers).toEqual([{ message: 'request', name: 'Authorization', action: 'set', value: 'Bearer <masked>' }]);
    expect(trace.sections.backend[0].details.backend).toMatchObject({ method: 'GET', url: 'https://func-contoso-media-dev.azurewebsites.net/api/orders' });
  });

  it('masks the subscription key and every token', () => {
    expect(text).not.toContain(key);
    expect(text).not.toContain(token.split('.')[2]);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    expect(trace.request.headers['Ocp-Apim-Subscription-Key']).toBe('<masked>');
    expect(trace.request.headers.Authorization).toBe('Bearer <masked>');
  });

  it('records refusals before the pipeline, and the last traces only', async () => {
    const missing = await gw.request('GET', '/orders/v1/orders');
    expect(missing.status).toBe(401);
    expect((await traceOf(gw, missing.headers['x-apiops-request-id'])).stoppedBy).toMatchObject({ kind: 'subscription-key' });
    const unknown = await gw.request('GET', '/nowhere');
    expect((await traceOf(gw, unknown.headers['x-apiops-request-id'])).stoppedBy).toMatchObject({ kind: 'no-match' });
    expect((await gw.control('GET', 'traces/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    // The gateway keeps the last 50: the refused call's trace is dropped after 50 more calls (the first was /nowhere).
    for (let i = 0; i < 48; i++) await gw.request('GET', '/nowhere');
    expect((await gw.control('GET', `traces/${missing.headers['x-apiops-request-id']}`)).status).toBe(200);
    await gw.request('GET', '/nowhere');
    const dropped = await gw.control('GET', `traces/${missing.headers['x-apiops-request-id']}`);
    expect(dropped.status).toBe(404);
    expect(dropped.json().error).toContain('the gateway keeps the last 50');
  });

  it('explains a refused token: the failure, context.LastError, on-error and what was skipped', async () => {
    const reply = await gw.request('GET', '/orders/v1/orders', { headers: { 'Ocp-Apim-Subscription-Key': key } });
    expect(reply.status).toBe(401);
    const refused = await traceOf(gw, reply.headers['x-apiops-request-id']);
    expect(refused.sections.inbound[0]).toMatchObject({ policy: 'validate-jwt', outcome: 'failed', error: { reason: 'TokenNotPresent' } });
    expect(refused.sections.inbound[1]).toMatchObject({ policy: 'set-header', outcome: 'skipped' });
    expect(refused.sections.inbound[1].skippedBecause).toContain('validate-jwt');
    expect(refused.sections.backend[0]).toMatchObject({ policy: 'forward-request', outcome: 'skipped' });
    expect(refused.sections['on-error'][0]).toMatchObject({ policy: 'set-header', outcome: 'ran' });
    expect(refused.stoppedBy).toMatchObject({ kind: 'policy-error', policy: 'validate-jwt', file: 'policies/fragments/validate-entra-jwt.xml', line: 4 });
    expect(refused.lastError).toMatchObject({ source: 'validate-jwt', reason: 'TokenNotPresent', section: 'inbound', scope: 'global' });
  });

  it('names return-response (inside choose) as where the pipeline stopped', async () => {
    const reply = await gw.request('POST', '/orders/v1/orders', { headers: { 'Ocp-Apim-Subscription-Key': key, Authorization: `Bearer ${token}` } });
    expect(reply.status).toBe(400);
    const ended = await traceOf(gw, reply.headers['x-apiops-request-id']);
    const choose = ended.sections.inbound.find((s: any) => s.policy === 'choose');
    expect(choose).toMatchObject({ outcome: 'ended', file: 'apis/media-orders/operations/createOrder.xml', line: 6 });
    expect(choose.expressions[0]).toMatchObject({ line: 7, value: true });
    expect(choose.steps[0]).toMatchObject({ policy: 'return-response', outcome: 'ended', line: 8 });
    expect(choose.steps[0].steps.map((s: any) => s.policy)).toEqual(['set-status', 'set-header', 'set-body']);
    expect(ended.stoppedBy).toMatchObject({ kind: 'return-response', line: 8 });
  });
});

describe('trace positions and masking in a repository of its own', () => {
  const SECRET = 's3cr3t-value-never-shown';
  it('points at the template line after a template block, and masks secret values wherever they went', async () => {
    const files = {
      'named-values/api-secret.yaml': 'displayName: api-secret\nsecret: true\nvalueFromEnv: TRACE_TEST_SECRET\n',
      'policies/global.xml': globalInbound(`{{#if values.tenantId}}
        <set-variable name="first" value="one" />
        <set-variable name="second" value="two" />
        {{/if}}
        <set-header name="X-Secret" exists-action="override"><value>{{api-secret}}</value></set-header>
        <set-variable name="copy" value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Secret&quot;, &quot;&quot;))" />`),
    };
    const gw = await gatewayWith(files, { env: { TRACE_TEST_SECRET: SECRET } });
    try {
      const key = await gw.key({ product: 'starter' });
      const reply = await gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
      expect(reply.status).toBe(200);
      const raw = (await gw.control('GET', `traces/${reply.headers['x-apiops-request-id']}`)).text;
      expect(raw).not.toContain(SECRET);
      expect(raw).not.toContain(key);
      const trace = JSON.parse(raw);
      const inbound = trace.sections.inbound;
      // Template lines: the rendered text has no {{#if}} line, so its set-variable is on line 3.
      expect(inbound.map((s: any) => `${s.policy}:${s.line}`)).toEqual(['set-variable:4', 'set-variable:5', 'set-header:7', 'set-variable:8']);
      expect(inbound[0].variables).toEqual({ first: 'one' });
      expect(inbound[2].headers).toEqual([{ message: 'request', name: 'X-Secret', action: 'set', value: '<secret: api-secret>' }]);
      expect(inbound[3].variables).toEqual({ copy: '<secret: api-secret>' });
    } finally {
      await gw.close();
    }
  });
});
