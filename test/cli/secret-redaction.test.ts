import * as fs from 'fs';
import * as path from 'path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { echoingRefusalProxy, type ArmProxy } from '../fixtures/arm-proxy';
import { makeRepo, MINIMAL_REPO, removeRepo, runCli } from '../fixtures/repo';

/**
 * A secret named value's value, known to the run from its valueFromEnv variable, never reaches the output: not in a
 * policy diff (diff and the plan publish prints), not in diff/publish --json, not in publish's report, and not in an
 * error body that echoes what was sent. Through the real SDK against the emulator (and, for the echo, an endpoint in
 * front of it that refuses the write the way ARM may: quoting the request).
 */

// Shaped like no credential: only knowing the value can hide it.
const FIRST_VALUE = 'orchid' + '-lantern-' + '7741';
const SECOND_VALUE = 'quartz' + '"meadow\\' + '0932';
const SHOWN = '<secret: backend-key>';
const SCOPE = 'subscriptionId: 00000000-0000-0000-0000-00000000e5c7\n      resourceGroup: rg-redaction\n      serviceName: apim-redaction';

let emulator: RunningEmulator;
let proxy: ArmProxy;
let repo: string;

const config = (emulatorUrl: string, proxyUrl: string): string =>
  ['ci', 'echo']
    .map((name, i) => `  ${name}:\n    target:\n      ${SCOPE}\n      endpoint: "${[emulatorUrl, proxyUrl][i]}"\n    values: { audience: api://orders, backendApp: api://func-orders }\n`)
    .join('')
    // The policy below spells the secret out on purpose: publish must still not print it.
    .replace(/^/, 'environments:\n') + 'lint:\n  rules: { inline-secret: off }\n';

async function run(argv: string[], value: string): Promise<{ code: number; out: string; output: string }> {
  const { code, io } = await runCli([...argv, '--repo', repo], repo, { env: { BACKEND_KEY: value } });
  return { code, out: io.out, output: io.out + io.err };
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  proxy = await echoingRefusalProxy(emulator.url, '/namedValues/backend-key');
  repo = makeRepo({
    'apiops.config.yaml': config(emulator.url, proxy.url),
    'named-values/backend-key.yaml': 'displayName: backend-key\nsecret: true\nvalueFromEnv: BACKEND_KEY\n',
  });
  expect((await run(['publish', '--env', 'ci'], FIRST_VALUE)).code).toBe(0);
  const policyFile = path.join(repo, 'apis/orders/policy.xml');
  fs.writeFileSync(policyFile, MINIMAL_REPO['apis/orders/policy.xml'].replace('<base />', `<base />\n        <set-header name="x-trace" exists-action="override"><value>${FIRST_VALUE}</value></set-header>`));
});

afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
  removeRepo(repo);
});

describe('secret values known at publish time are redacted', () => {
  it('in diff: the policy diff shows the named value instead of its value, and --json holds no value', async () => {
    const diff = await run(['diff', '--env', 'ci'], FIRST_VALUE);
    expect(diff.code).toBe(0);
    expect(diff.output).toContain(`<value>${SHOWN}</value>`);
    expect(diff.output).not.toContain(FIRST_VALUE);
    const json = await run(['diff', '--env', 'ci', '--json'], FIRST_VALUE);
    expect(JSON.parse(json.out).changes).toEqual([{ action: 'update', kind: 'apiPolicy', id: 'orders', fields: ['value'] }]);
    expect(json.output).not.toContain(FIRST_VALUE);
  });

  it('in the plan publish prints and in its report', async () => {
    const published = await run(['publish', '--env', 'ci'], FIRST_VALUE);
    expect(published.code).toBe(0);
    expect(published.output).toContain(`<value>${SHOWN}</value>`);
    expect(published.output).not.toContain(FIRST_VALUE);
  });

  it('in an error body that echoes the value, as publish reports it in text and --json', async () => {
    for (const json of [false, true]) {
      const failed = await run(['publish', '--env', 'echo', ...(json ? ['--json'] : [])], SECOND_VALUE);
      expect(failed.code).toBe(1);
      expect(failed.output).toContain('The request content was invalid');
      expect(failed.output).toContain(SHOWN);
      for (const form of [SECOND_VALUE, JSON.stringify(SECOND_VALUE).slice(1, -1)]) expect(failed.output).not.toContain(form);
    }
  });
});
