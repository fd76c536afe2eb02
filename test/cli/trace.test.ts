/**
 * Where a trace is seen on a terminal: `apiops trace` (one request through the in-process gateway) and
 * `apiops gateway --trace` (each request as it is served), on the sample repository: every step with its template
 * file:line:column and the values it used; and no secret value, subscription key or token in anything they print.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gatewayCommand } from '../gateway/helpers';
import { removeRepo, runCli } from '../fixtures/repo';
import { copySample, edit, ROOT } from '../testing/helpers';

const FRAGMENT_JWT = 'policies/fragments/validate-entra-jwt.xml';
const FRAGMENT_FUNCTIONS = 'policies/fragments/call-functions-with-managed-identity.xml';
const GLOBAL = 'policies/global.xml';
const DEVELOPER = 'products/fabrikam-developer/policy.xml';
const values = (name: string) => (fs.readFileSync(path.join(ROOT, 'apiops.config.yaml'), 'utf8').match(new RegExp(`^\\s+${name}: (\\S+)$`, 'm')) ?? [])[1];

/** `file:line:column` of the first `text` in a file of `root` (1-based, as traces give them). */
function positionOf(root: string, file: string, text: string): string {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  if (line < 0) throw new Error(`${file} has no ${text}`);
  return `${file}:${line + 1}:${lines[line].indexOf(text) + 1}`;
}

/** The compact trace's line for the policy at `position`, and the value lines beneath it. */
function stepBlock(output: string, policy: string, position: string): string {
  const lines = output.split('\n');
  const at = lines.findIndex((line) => line.includes(` ${policy}  ${position}  `));
  if (at < 0) throw new Error(`no ${policy} at ${position} in:\n${output}`);
  const depth = lines[at].search(/\S/);
  const block = [lines[at]];
  for (const line of lines.slice(at + 1)) {
    if (line.search(/\S/) < depth + 4) break;
    block.push(line);
  }
  return block.join('\n');
}

/** Any JWT: every JWT starts with `eyJ` (`{"` in Base64url). */
const ANY_JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

describe('apiops trace on the sample', () => {
  let code: number;
  let out: string;
  beforeAll(async () => {
    ({ code, io: { out } } = await runCli(['trace', 'GET', '/orders/v1/orders', '--subscription', 'fabrikam-developer', '--token', 'entra'], ROOT));
  });

  it('prints the response, then the trace', () => {
    expect(code).toBe(0);
    expect(out).toMatch(/^HTTP 200\n/);
    expect(out).toMatch(/^x-apiops-request-id: [0-9a-f-]{36}$/m);
    expect(out).toMatch(/^GET \/orders\/v1\/orders → 200 {2}api media-orders, operation listOrders, product fabrikam-developer/m);
    expect(out).toMatch(/^inbound\n/m);
    expect(out).toMatch(/^backend\n/m);
  });

  it('shows validate-jwt passing with the claims it validated', () => {
    const block = stepBlock(out, 'validate-jwt', positionOf(ROOT, FRAGMENT_JWT, '<validate-jwt'));
    expect(block).toMatch(/^\s+✓ validate-jwt /);
    expect(block).toContain('global, fragment validate-entra-jwt');
    expect(block).toContain(`aud="${values('apiAudience')}"`);
    expect(block).toContain(`iss="https://login.microsoftonline.com/${values('tenantId')}/v2.0"`);
    expect(block).toMatch(/oid="[0-9a-f-]{36}"/);
  });

  it('shows the subscription key header deleted', () => {
    const block = stepBlock(out, 'set-header', positionOf(ROOT, GLOBAL, '<set-header name="Ocp-Apim-Subscription-Key"'));
    expect(block).toContain('request header Ocp-Apim-Subscription-Key removed');
  });

  it("shows the managed-identity token requested for the Function App's app id", () => {
    const block = stepBlock(out, 'authentication-managed-identity', positionOf(ROOT, FRAGMENT_FUNCTIONS, '<authentication-managed-identity'));
    expect(block).toContain(`managed-identity token requested for ${values('functionsAppId')}, into header Authorization`);
    expect(block).toContain('request header Authorization = Bearer <masked>');
  });

  it('shows the rate-limit counter and its remaining calls', () => {
    const block = stepBlock(out, 'rate-limit-by-key', positionOf(ROOT, DEVELOPER, '<rate-limit-by-key'));
    const calls = Number(values('devCallsPerMinute'));
    expect(block).toContain(`0 of ${calls} calls per 60 s used before this one, ${calls - 1} remaining`);
  });

  it('shows the backend chosen and the URL forwarded to', () => {
    const functions = values('functionsUrl');
    const backend = stepBlock(out, 'set-backend-service', positionOf(ROOT, FRAGMENT_FUNCTIONS, '<set-backend-service'));
    expect(backend).toContain(`backend media-functions: ${functions}`);
    expect(backend).toMatch(new RegExp(`url \\S+ → ${functions}/orders$`, 'm'));
    const forward = stepBlock(out, 'forward-request', positionOf(ROOT, GLOBAL, '<forward-request'));
    expect(forward).toContain(`to the backend: GET ${functions}/orders`);
  });

  it('--json prints the trace document', async () => {
    const { code: jsonCode, io } = await runCli(['trace', 'GET', '/orders/v1/orders', '--subscription', 'fabrikam-developer', '--token', 'entra', '--json'], ROOT);
    expect(jsonCode).toBe(0);
    const trace = JSON.parse(io.out);
    expect(trace).toMatchObject({ formatVersion: 1, api: { id: 'media-orders' }, product: { id: 'fabrikam-developer' }, response: { status: 200 } });
    expect(trace.sections.inbound[0]).toMatchObject({ policy: 'validate-jwt', file: FRAGMENT_JWT, outcome: 'ran' });
  });

  it('tells what it cannot do, with exit 2', async () => {
    const unknown = await runCli(['trace', 'GET', '/orders/v1/orders', '--subscription', 'nobody'], ROOT);
    expect(unknown.code).toBe(2);
    expect(unknown.io.err).toMatch(/--subscription nobody: no subscription or product of that id \(there are: contoso-smoke-tests, fabrikam-developer, fabrikam-production\)/);
    const header = await runCli(['trace', 'GET', '/orders/v1/orders', '-H', 'no-colon'], ROOT);
    expect(header.code).toBe(2);
    expect(header.io.err).toContain('write it as "Name: value"');
    const body = await runCli(['trace', 'POST', '/orders/v1/orders', '--body', 'missing.json'], ROOT);
    expect(body.code).toBe(2);
    expect(body.io.err).toContain('--body: cannot read');
    expect(`${unknown.io.err}${header.io.err}${body.io.err}`).not.toMatch(/\n\s+at /);
  });

  it('names a path no API has in the trace (the orders API is versioned: /orders/v1/…)', async () => {
    const { code: missCode, io } = await runCli(['trace', 'GET', '/orders/orders', '--subscription', 'fabrikam-developer'], ROOT);
    expect(missCode).toBe(0);
    expect(io.out).toMatch(/^HTTP 404$/m);
    expect(io.out).toContain('stopped (no-match): no API and operation match GET /orders/orders');
  });
});

describe('no secret value, key or token in what a trace prints', () => {
  const SECRETS = {
    APIOPS_FABRIKAM_WEBHOOK_SECRET: 'fabrikam-webhook-secret-value-1f2e',
    APIOPS_ORDERS_SIGNING_KEY: 'orders-signing-key-value-9c8b',
    APIOPS_APPINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=appinsights-secret-7a6b',
  };
  const PRODUCTION_KEY = 'a3f09c1e5b7d42e8b6c0d9e1f2a3b4c5';
  const env = { ...SECRETS, APIOPS_TRACE_TEST_PRODUCTION_KEY: PRODUCTION_KEY };
  let root: string;
  beforeAll(() => {
    root = copySample();
    // The production subscription's key is known to this test, and every secret flows where a trace looks: a request
    // header, a variable and a response header, so that the masking (not their absence) is what is tested.
    fs.appendFileSync(path.join(root, 'subscriptions/fabrikam-production.yaml'), 'primaryKeyFromEnv: APIOPS_TRACE_TEST_PRODUCTION_KEY\n');
    edit(
      root,
      GLOBAL,
      '</inbound>',
      `    <set-header name="X-Webhook-Secret" exists-action="override"><value>{{fabrikam-webhook-secret}}</value></set-header>
        <set-variable name="signingKey" value="{{orders-signing-key}}" />
        <set-variable name="telemetry" value="@(&quot;{{appinsights-connection-string}}&quot;.Trim())" />
    </inbound>`,
    );
    edit(root, GLOBAL, '</outbound>', `    <set-header name="X-Echo-Key" exists-action="override"><value>@(context.Subscription.Key)</value></set-header>\n    </outbound>`);
  });
  afterAll(() => removeRepo(root));

  const unsigned = (claims: object) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

  function expectClean(text: string): void {
    for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
    expect(text).not.toContain(PRODUCTION_KEY);
    expect(text).not.toMatch(ANY_JWT);
  }

  it('apiops trace (text and --json), whichever way the key and token come', async () => {
    const raw = unsigned({ aud: 'someone', oid: 'x' });
    const runs = [
      ['trace', 'GET', '/orders/v1/orders', '--subscription', 'fabrikam-production', '--token', 'entra'],
      ['trace', 'GET', '/orders/v1/orders', '--subscription', 'fabrikam-production', '--token', 'entra', '--json'],
      ['trace', 'GET', `/orders/v1/orders?subscription-key=${PRODUCTION_KEY}`, '--token', raw],
      ['trace', 'GET', '/orders/v1/orders', '-H', `Ocp-Apim-Subscription-Key: ${PRODUCTION_KEY}`, '-H', `Authorization: Bearer ${raw}`, '--json'],
    ];
    const outputs: string[] = [];
    for (const argv of runs) {
      const { code, io } = await runCli(argv, root, { env });
      expect(code).toBe(0);
      expectClean(io.out + io.err);
      outputs.push(io.out);
    }
    // The calls with a valid token went through the policies that copy the secrets: shown by name only.
    for (const out of outputs.slice(0, 2)) expect(out).toContain('<secret: fabrikam-webhook-secret>');
    const [text] = outputs;
    expect(text).toContain('variable signingKey = "<secret: orders-signing-key>"');
    expect(text).toContain('variable telemetry = "<secret: appinsights-connection-string>"');
    expect(text).toContain('response header X-Echo-Key = <secret: subscription key of fabrikam-production>');
  });

  it('apiops gateway --trace prints each request compactly, masked', async () => {
    const gw = await gatewayCommand(root, ['--trace'], env);
    try {
      const token = await gw.token({ issuer: `https://login.microsoftonline.com/${values('tenantId')}/v2.0`, audience: values('apiAudience'), claims: { oid: 'gateway-trace-caller' } });
      const developerKey = await gw.key({ product: 'fabrikam-developer' });
      const ok = await gw.request('GET', '/orders/v1/orders', { headers: { 'Ocp-Apim-Subscription-Key': PRODUCTION_KEY, Authorization: `Bearer ${token}` } });
      const refused = await gw.request('GET', '/orders/v1/orders', { headers: { 'Ocp-Apim-Subscription-Key': developerKey } });
      expect([ok.status, refused.status]).toEqual([200, 401]);
      const printed = async () => {
        for (let i = 0; i < 100 && !gw.output().stdout.includes(refused.headers['x-apiops-request-id']); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        return gw.output().stdout;
      };
      const stdout = await printed();
      expect(stdout).toContain(`GET /orders/v1/orders → 200  api media-orders, operation listOrders, product fabrikam-production`);
      expect(stepBlock(stdout, 'validate-jwt', positionOf(root, FRAGMENT_JWT, '<validate-jwt'))).toContain('oid="gateway-trace-caller"');
      expect(stdout).toMatch(/✗ validate-jwt {2}policies\/fragments\/validate-entra-jwt\.xml:\d+:\d+ {2}global, fragment validate-entra-jwt {2}failed/);
      expect(stdout).toContain('stopped (policy-error): TokenNotPresent');
      expect(stdout).not.toMatch(/^(GET|POST) \/\.apiops/m);
      expectClean(stdout + gw.output().stderr);
      expect(stdout).not.toContain(developerKey);
      expect(stdout).not.toContain(token.split('.')[2]);
    } finally {
      expect(await gw.stop()).toBe(0);
    }
  });
});
