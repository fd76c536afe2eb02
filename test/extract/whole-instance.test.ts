import { connect, type ApimConnection, type ServiceScope } from '../../src/azure/client';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { makeRepo, removeRepo, runCli } from '../fixtures/repo';
import { WHOLE_INSTANCE_ENV, WHOLE_INSTANCE_REPO } from '../fixtures/whole-instance';
import { endpointRepository, expectRoundTrip, snapshot, TemporaryDirs } from './files';

/**
 * The whole-instance kinds through publish and extract, over the real SDK against one emulator holding two services:
 * the source instance the test repository is published to, and an empty target the extracted repository is published to.
 */

const temporary = new TemporaryDirs('apiops-whole-instance');
const SOURCE: ServiceScope = { subscriptionId: '11111111-2222-3333-4444-555555555555', resourceGroup: 'rg-source', serviceName: 'apim-source' };
const TARGET: ServiceScope = { subscriptionId: '66666666-7777-8888-9999-000000000000', resourceGroup: 'rg-target', serviceName: 'apim-target' };

let emulator: RunningEmulator;
let source: string;

/** A repository that targets `scope` on the emulator as environment `ci`, with `files` (MINIMAL_REPO's config replaced). */
function repositoryFor(scope: ServiceScope, files: Record<string, string>): string {
  const config = snapshot(endpointRepository(temporary, scope, emulator.url)).get('apiops.config.yaml')!;
  return makeRepo({ ...files, 'apiops.config.yaml': `${config}    values: { audience: api://orders, backendApp: api://func-orders }\n` });
}

async function publish(repo: string): Promise<{ code: number; json: any; err: string }> {
  const { code, io } = await runCli(['publish', '--env', 'ci', '--repo', repo, '--json'], repo, { env: WHOLE_INSTANCE_ENV });
  return { code, json: io.out ? JSON.parse(io.out) : undefined, err: io.err };
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  source = repositoryFor(SOURCE, WHOLE_INSTANCE_REPO);
});

afterAll(async () => {
  await emulator?.close();
  removeRepo(source);
  temporary.removeAll();
});

describe('whole-instance kinds', () => {
  let extracted: string;

  it('publishes them, and a second publish writes nothing', async () => {
    const first = await publish(source);
    expect(first).toMatchObject({ code: 0, err: expect.not.stringMatching(/error|fail/i) });
    const kinds = new Set(first.json.changes.map((change: { kind: string }) => change.kind));
    for (const kind of ['apiVersionSet', 'group', 'subscription', 'logger', 'diagnostic', 'apiDiagnostic', 'productTag', 'operationTag']) expect(kinds).toContain(kind);
    const second = await publish(source);
    expect(second.json.changes).toEqual([]);
    expect(second.json.requests.PUT + second.json.requests.PATCH + second.json.requests.DELETE).toBe(0);
  });

  it('extracts them as repository files that validate and diff clean against the instance', async () => {
    extracted = repositoryFor(SOURCE, {});
    const run = await runCli(['extract', '--env', 'ci', '--repo', extracted, '--out', extracted], extracted);
    expect(run.code).toBe(0);
    const files = snapshot(extracted, ['.apiops']);
    const header = (schema: string, depth = 1) => `# yaml-language-server: $schema=${'../'.repeat(depth)}schemas/${schema}.schema.json\n`;
    expect(files.get('api-version-sets/catalog.yaml')).toBe(`${header('api-version-set')}displayName: Catalog\ndescription: Catalog versions by header\nversioningScheme: Header\nversionHeaderName: Api-Version\n`);
    expect(files.get('api-version-sets/orders.yaml')).toBe(`${header('api-version-set')}displayName: Orders\nversioningScheme: Segment\n`);
    expect(files.get('apis/orders-v2/api.yaml')).toMatch(/\nversionSet: orders\napiVersion: v2\n/);
    expect(files.get('apis/orders/api.yaml')).toMatch(/\nversionSet: orders\n/);
    expect(files.get('groups/fabrikam-partners.yaml')).toBe(`${header('group')}displayName: Fabrikam partners\ndescription: Developers at Fabrikam\n`);
    expect([...files.keys()].filter((file) => file.startsWith('groups/'))).toEqual(['groups/fabrikam-partners.yaml']);
    expect(files.get('products/partners/product.yaml')).toMatch(/groups:\n {2}- developers\n {2}- fabrikam-partners\ntags:\n {2}- Partner\n {2}- Production\n/);
    expect(files.get('apis/catalog/api.yaml')).toMatch(/\ntags:\n {2}- Partner\noperationTags:\n {2}getOrder:\n {4}- Partner\n {4}- Read only\n$/);
    expect(files.get('subscriptions/fabrikam-partners.yaml')).toBe(`${header('subscription')}displayName: Fabrikam partners\nproduct: partners\nstate: active\nowner: "1"\nallowTracing: false\n`);
    expect(files.get('subscriptions/catalog-monitor.yaml')).toMatch(/^displayName: Catalog monitoring\napi: catalog\nstate: suspended\n/m);
    expect([...files.keys()].filter((file) => file.startsWith('subscriptions/'))).toEqual(['subscriptions/catalog-monitor.yaml', 'subscriptions/fabrikam-partners.yaml']);
    expect(files.get('loggers/appinsights.yaml')).toBe(`${header('logger')}type: applicationInsights\ndescription: Contoso Media telemetry\ncredentials:\n  instrumentationKey: "{{appinsights-key}}"\n`);
    expect(files.get('diagnostics/applicationinsights.yaml')).toMatch(/^logger: appinsights\nalwaysLog: allErrors\nsampling:\n {2}percentage: 25\n/m);
    expect(files.get('apis/catalog/diagnostics/azuremonitor.yaml')).toBe(`${header('diagnostic', 3)}logger: azuremonitor\nsampling:\n  percentage: 100\nbackend:\n  response:\n    body:\n      bytes: 1024\n`);
    for (const text of files.values()) {
      for (const secret of Object.values(WHOLE_INSTANCE_ENV)) expect(text).not.toContain(secret);
    }
    await expectRoundTrip(extracted, 'ci');
  });

  it('publishes the extracted repository into an empty instance, which then holds the same, and publishing again writes nothing', async () => {
    const target = repositoryFor(TARGET, Object.fromEntries([...snapshot(extracted, ['.apiops'])].filter(([file]) => file !== 'apiops.config.yaml')));
    try {
      const first = await publish(target);
      expect(first).toMatchObject({ code: 0, err: expect.not.stringMatching(/error|fail/i) });
      expect((await publish(target)).json.changes).toEqual([]);
      // The source repository diffs clean against the target: both instances hold the same.
      const sourceOnTarget = repositoryFor(TARGET, Object.fromEntries([...snapshot(source, ['.apiops'])].filter(([file]) => file !== 'apiops.config.yaml')));
      const diff = await runCli(['diff', '--env', 'ci', '--repo', sourceOnTarget, '--json'], sourceOnTarget, { env: WHOLE_INSTANCE_ENV });
      expect(JSON.parse(diff.io.out).changes).toEqual([]);
      removeRepo(sourceOnTarget);
      // A diagnostic names its logger portably: on the target it points at the target's logger.
      const targetLogger = (await diagnosticLogger(connect(TARGET, { endpoint: emulator.url }))).toLowerCase();
      expect(targetLogger).toMatch(/(^|\/service\/apim-target)\/loggers\/appinsights$/);
    } finally {
      removeRepo(target);
    }
  });
});

async function diagnosticLogger(c: ApimConnection): Promise<string> {
  const diagnostic = await c.client.diagnostic.get(c.scope.resourceGroup, c.scope.serviceName, 'applicationinsights');
  return String(diagnostic.loggerId);
}
