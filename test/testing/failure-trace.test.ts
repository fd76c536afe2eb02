/**
 * A failed `apiops test` case shows, under its failed expectation, what the gateway did with the request behind it:
 * the policy steps with their template file:line:column (stylish and JUnit as the compact trace, json as the trace
 * document). Checked in a temp copy of the sample with a deliberately wrong case and with a control removed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { XMLParser } from 'fast-xml-parser';
import { removeRepo, runCli } from '../fixtures/repo';
import { copySample, edit } from './helpers';

const BROKEN = `# yaml-language-server: $schema=../schemas/test.schema.json
defaults:
  caller: { product: fabrikam-developer }
  token: entra
cases:
  - name: passes
    request: GET /orders/v1/orders
    expect: { status: 200 }

  - name: expects what the policy does not do
    request: GET /orders/v1/orders
    expect:
      status: 200
      headers:
        X-RateLimit-Remaining: "60"
`;

describe('the trace of a failed case', () => {
  let root: string;
  beforeAll(() => {
    root = copySample();
    fs.writeFileSync(path.join(root, 'tests', 'broken.test.yaml'), BROKEN);
  });
  afterAll(() => removeRepo(root));

  it('stylish: the steps that led there, under the failed expectation', async () => {
    const { code, io } = await runCli(['test', 'tests/broken.test.yaml'], root);
    expect(code).toBe(1);
    const lines = io.out.split('\n');
    const passed = lines.findIndex((line) => line.includes('✓ passes'));
    const failed = lines.findIndex((line) => line.includes('✗ expects what the policy does not do'));
    expect(passed).toBeGreaterThan(-1);
    // A passing case has no trace: its line is followed by the next case.
    expect(lines[passed + 1]).toContain('✗ expects what the policy does not do');
    expect(lines.slice(failed + 1, failed + 5)).toEqual([
      '      expect.headers.X-RateLimit-Remaining: expected "60", got "58"',
      '      at tests/broken.test.yaml:15:32',
      '      what the gateway did with the request:',
      expect.stringMatching(/^ {8}GET \/orders\/v1\/orders → 200 {2}api media-orders, operation listOrders, product fabrikam-developer/),
    ]);
    const trace = lines.slice(failed + 4, lines.findIndex((line, i) => i > failed && line.startsWith('Tests:')));
    expect(trace).toContain('          ✓ validate-jwt  policies/fragments/validate-entra-jwt.xml:4:5  global, fragment validate-entra-jwt');
    expect(trace).toContain('          ✓ rate-limit-by-key  products/fabrikam-developer/policy.xml:5:9  product');
    expect(trace.join('\n')).toMatch(/^ {14}counter "[^"]+": 1 of 60 calls per 60 s used before this one, 58 remaining/m);
    expect(trace).toContain('          ✓ forward-request  policies/global.xml:17:9  global');
    expect(io.out).not.toMatch(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
  });

  it('JUnit: the trace in the failure text; json: the trace document in the failure', async () => {
    const junitFile = path.join(root, 'results.xml');
    const junit = await runCli(['test', 'tests/broken.test.yaml', '--format', 'junit', '--output', junitFile], root);
    expect(junit.code).toBe(1);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(fs.readFileSync(junitFile, 'utf8'));
    const [ok, broken] = [].concat(xml.testsuites.testsuite.testcase) as Array<{ failure?: { '#text': string; message: string } }>;
    expect(ok.failure).toBeUndefined();
    const text = broken.failure!['#text'];
    expect(text).toMatch(/^tests\/broken\.test\.yaml:15:32: expect\.headers\.X-RateLimit-Remaining: expected "60", got "58"\n\nwhat the gateway did with the request:\n {2}GET \/orders\/v1\/orders → 200/);
    expect(text).toContain('    ✓ rate-limit-by-key  products/fabrikam-developer/policy.xml:5:9  product');
    expect(text).not.toContain('\u001b[');

    const json = await runCli(['test', 'tests/broken.test.yaml', '--format', 'json'], root);
    const report = JSON.parse(json.io.out);
    const [passing, failing] = report.files[0].cases;
    expect(passing.failure).toBeUndefined();
    expect(failing.failure).toMatchObject({ expectation: 'expect.headers.X-RateLimit-Remaining', trace: { formatVersion: 1, operation: { id: 'listOrders' }, response: { status: 200 } } });
    expect(failing.failure.trace.sections.inbound.map((step: { policy: string }) => step.policy)).toContain('rate-limit-by-key');
  });

  it('a removed control: the trace shows the key header left in place, where the backend expectation failed', async () => {
    const mutated = copySample();
    try {
      edit(mutated, 'policies/global.xml', '<set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />', '');
      const { code, io } = await runCli(['test', 'tests/zero-trust.test.yaml'], mutated);
      expect(code).toBe(1);
      const lines = io.out.split('\n');
      const failure = lines.findIndex((line) => line.includes('expect.backend.headers.Ocp-Apim-Subscription-Key: expected absent'));
      expect(failure).toBeGreaterThan(-1);
      const trace = lines.slice(failure + 2, lines.findIndex((line, i) => i > failure && /^ {2}[✓✗!] /.test(line)));
      expect(trace[0]).toBe('      what the gateway did with the request:');
      // The header is no longer removed: the first global step after validate-jwt is the query parameter's.
      const steps = trace.filter((line) => /^ {10}\S/.test(line));
      expect(steps[0]).toMatch(/^ {10}✓ validate-jwt {2}policies\/fragments\/validate-entra-jwt\.xml:4:5 /);
      expect(steps[1]).toMatch(/^ {10}✓ set-query-parameter {2}policies\/global\.xml:\d+:9 {2}global$/);
      expect(trace.join('\n')).not.toContain('Ocp-Apim-Subscription-Key removed');
      expect(trace.join('\n')).toMatch(/to the backend: GET https:\/\/func-contoso-media-dev\.azurewebsites\.net\/api\//);
    } finally {
      removeRepo(mutated);
    }
  });
});
