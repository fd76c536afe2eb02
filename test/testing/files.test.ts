/** Bad test files: every problem named at file:line:column, exit 2, never a stack trace; validate reports them too. */
import * as fs from 'fs';
import * as path from 'path';
import { removeRepo, runCli, validateJson } from '../fixtures/repo';
import { copySample } from './helpers';

const HEADER = '# yaml-language-server: $schema=../schemas/test.schema.json\n';

describe('test files that cannot run', () => {
  let root: string;
  beforeAll(() => {
    root = copySample();
  });
  afterAll(() => removeRepo(root));
  afterEach(() => fs.rmSync(path.join(root, 'tests', 'bad.test.yaml'), { force: true }));

  const bad = (text: string) => fs.writeFileSync(path.join(root, 'tests', 'bad.test.yaml'), HEADER + text);

  it.each([
    ['a YAML syntax error', 'cases:\n  - name: x\n    request: "GET /catalog/titles\n', /^tests\/bad\.test\.yaml:\d+:\d+: error: YAML syntax error/m],
    ['an unknown property', 'cases:\n  - name: x\n    request: GET /catalog/titles\n    expect: { status: 200 }\n    expcet: { status: 401 }\n', /^tests\/bad\.test\.yaml:6:5: error: cases\.0\.expcet: unknown property/m],
    ['a request that is not METHOD /path', 'cases:\n  - name: x\n    request: catalog/titles\n    expect: { status: 200 }\n', /^tests\/bad\.test\.yaml:4:14: error: cases\.0\.request: write METHOD \/path\?query/m],
    ['a product the repository does not have', 'cases:\n  - name: x\n    caller: { product: fabrikam-gold }\n    request: GET /catalog/titles\n    expect: { status: 200 }\n', /^tests\/bad\.test\.yaml:4:24: error: no product 'fabrikam-gold' in products\/ \(there are: fabrikam-developer, fabrikam-production\)/m],
    ['a request no operation answers', 'cases:\n  - name: x\n    request: GET /catalog/movies\n    expect: { status: 200 }\n', /^tests\/bad\.test\.yaml:4:14: error: GET \/catalog\/movies matches no operation/m],
    ['an undefined template value', 'cases:\n  - name: x\n    request: GET /catalog/titles\n    repeat: "{{values.devCallsPerHour}}"\n    expect: { status: 200 }\n', /^tests\/bad\.test\.yaml:5:\d+: error: 'values\.devCallsPerHour' is not defined for environment 'local'/m],
    ['an unquoted template', 'cases:\n  - name: x\n    request: GET /catalog/titles\n    repeat: {{values.devCallsPerMinute}}\n    expect: { status: 200 }\n', /^tests\/bad\.test\.yaml:5:13: error: quote a value that starts with a template/m],
    ['a regular expression that does not compile', 'cases:\n  - name: x\n    request: GET /catalog/titles\n    expect:\n      headers: { X-Id: { matches: "([a-z" } }\n', /^tests\/bad\.test\.yaml:6:\d+: error: not a regular expression/m],
    ['a case without expectations', 'cases:\n  - name: x\n    request: GET /catalog/titles\n', /missing required property 'expect'/],
  ])('%s: exit 2 with file:line:column', async (_what, text, message) => {
    bad(text);
    const { code, io } = await runCli(['test'], root);
    expect(code).toBe(2);
    expect(io.out).toBe('');
    expect(io.err).toMatch(/nothing was run\n$/);
    expect(io.err).toMatch(message);
    expect(io.err).not.toMatch(/\n\s+at .+\.(js|ts):\d+/);
  });

  it('apiops validate reports the same problems as schema findings (exit 1)', async () => {
    bad('cases:\n  - name: x\n    caller: { api: media-films }\n    request: GET /catalog/titles\n    expect: { status: 200 }\n');
    const { code, report } = await validateJson(root);
    expect(code).toBe(1);
    expect(report.findings).toEqual([
      { rule: 'schema', severity: 'error', file: 'tests/bad.test.yaml', line: 4, column: 20, message: "no api 'media-films' in apis/ (there are: media-catalog, media-graph, media-orders, partner-webhooks)" },
    ]);
  });

  it('apiops validate checks test files in every environment: a problem met only in prod names it', async () => {
    const config = path.join(root, 'apiops.config.yaml');
    const original = fs.readFileSync(config, 'utf8');
    try {
      fs.writeFileSync(config, original.replace('      devCallsPerWeek: 20000\n  dev:', '      devCallsPerWeek: 20000\n      partnerProduct: fabrikam-developer\n  dev:').replace(/(prod:[\s\S]*?values:\n)/, '$1      partnerProduct: fabrikam-gold\n'));
      bad('cases:\n  - name: x\n    caller: { product: "{{values.partnerProduct}}" }\n    request: GET /catalog/titles\n    expect: { status: 200 }\n');
      const all = await validateJson(root);
      expect(all.code).toBe(1);
      expect(all.report.findings).toEqual([
        expect.objectContaining({ rule: 'schema', file: 'tests/bad.test.yaml', line: 4, column: 24, message: expect.stringContaining("no product 'fabrikam-gold'"), environments: ['prod'] }),
      ]);
      expect((await validateJson(root, ['--env', 'local'])).code).toBe(0);
    } finally {
      fs.writeFileSync(config, original);
    }
  });

  it('names a path that does not exist, and a repository without tests', async () => {
    const missing = await runCli(['test', 'tests/nope.test.yaml'], root);
    expect(missing.code).toBe(2);
    expect(missing.io.err).toContain('tests/nope.test.yaml:1:1');
    fs.renameSync(path.join(root, 'tests'), path.join(root, 'no-tests'));
    try {
      const none = await runCli(['test'], root);
      expect(none.code).toBe(2);
      expect(none.io.err).toContain('error: no test files (*.test.yaml) under tests/');
    } finally {
      fs.renameSync(path.join(root, 'no-tests'), path.join(root, 'tests'));
    }
  });
});

describe('what a failing case reports', () => {
  let root: string;
  beforeAll(() => {
    root = copySample();
  });
  afterAll(() => removeRepo(root));

  it('names the first expectation that failed, expected vs got, at its file:line, and exits 1', async () => {
    fs.writeFileSync(
      path.join(root, 'tests', 'wrong.test.yaml'),
      `${HEADER}defaults:
  caller: { product: fabrikam-developer }
  token: entra
cases:
  - name: expects the caller's token at the backend
    request: GET /catalog/titles/t-1
    expect:
      status: 200
      backend:
        token:
          aud: "{{values.apiAudience}}"
  - name: sends too many calls
    request: GET /partner/webhooks/deliveries/d-1
    repeat: 3
    backendResponse: { status: 503 }
    expect:
      status: 200
`,
    );
    const { code, io } = await runCli(['test', 'tests/wrong.test.yaml'], root);
    expect(code).toBe(1);
    expect(io.out).toContain("✗ expects the caller's token at the backend  tests/wrong.test.yaml:6:5");
    expect(io.out).toContain('expect.backend.token.aud: expected "api://contoso-media-partner-api-dev", got "api://func-contoso-media-dev"');
    expect(io.out).toContain('at tests/wrong.test.yaml:12:16');
    expect(io.out).toContain('expect.status (request 1 of 3): expected 200, got 503');
    expect(io.out).toContain('Tests: 2 failed, 0 passed, 2 total');
  });

  it('fails a case that reaches what the gateway cannot run, naming the construct and its policy file:line', async () => {
    fs.writeFileSync(
      path.join(root, 'apis', 'partner-webhooks', 'operations', 'getDelivery.xml'),
      '<policies>\n    <inbound>\n        <base />\n        <publish-to-dapr topic="deliveries" />\n    </inbound>\n    <backend><base /></backend>\n    <outbound><base /></outbound>\n    <on-error><base /></on-error>\n</policies>\n',
    );
    fs.writeFileSync(
      path.join(root, 'tests', 'wrong.test.yaml'),
      `${HEADER}cases:\n  - name: reads a delivery\n    caller: { product: fabrikam-production }\n    token: entra\n    request: GET /partner/webhooks/deliveries/d-1\n    expect: { status: 200 }\n`,
    );
    const { code, io } = await runCli(['test', 'tests/wrong.test.yaml', '--format', 'json'], root);
    expect(code).toBe(1);
    const [result] = JSON.parse(io.out).files[0].cases;
    expect(result.outcome).toBe('unsupported');
    expect(result.failure.message).toMatch(/^the apiops gateway cannot run .*publish-to-dapr.* at apis\/partner-webhooks\/operations\/getDelivery\.xml:4:\d+/);
  });
});
