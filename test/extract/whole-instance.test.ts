import { connect, type ApimConnection, type ServiceScope } from '../../src/azure/client';
import type { LiveResource } from '../../src/azure/live-state';
import { readLiveState } from '../../src/azure/read';
import { RESOURCE_TYPES } from '../../src/resources/types';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { makeRepo, removeRepo, runCli } from '../fixtures/repo';
import { API_TYPES_REPO, WHOLE_INSTANCE_ENV, WHOLE_INSTANCE_REPO } from '../fixtures/whole-instance';
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
  source = repositoryFor(SOURCE, { ...WHOLE_INSTANCE_REPO, ...API_TYPES_REPO });
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
    const c = connect(SOURCE, { endpoint: emulator.url });
    await c.client.user.createOrUpdate(c.scope.resourceGroup, c.scope.serviceName, 'fabrikam-dev', { email: 'dev@fabrikam.example', firstName: 'Fabrikam', lastName: 'Developer' });
    await c.client.gateway.createOrUpdate(c.scope.resourceGroup, c.scope.serviceName, 'on-premises', { locationData: { name: 'Contoso datacenter' } });
    await c.client.certificate.createOrUpdate(c.scope.resourceGroup, c.scope.serviceName, 'partner-ca', { keyVault: { secretIdentifier: 'https://kv.vault.azure.net/secrets/partner-ca' } });
    await c.client.globalSchema.beginCreateOrUpdateAndWait(c.scope.resourceGroup, c.scope.serviceName, 'order', { schemaType: 'json', document: { type: 'object' } });
    await c.client.api.beginCreateOrUpdateAndWait(c.scope.resourceGroup, c.scope.serviceName, 'catalog;rev=2', { path: 'catalog', sourceApiId: '/apis/catalog', apiRevisionDescription: 'trying a cache' });
    const run = await runCli(['extract', '--env', 'ci', '--repo', extracted, '--out', extracted], extracted);
    expect(run.code).toBe(0);
    // What apiops does not manage (yet) is named, never dropped silently.
    expect(run.io.out).toContain('warning  users: 1 not managed by apiops, left out of the repository (fabrikam-dev)');
    expect(run.io.out).toContain('warning  gateways: 1 not managed by apiops, left out of the repository (on-premises)');
    expect(run.io.out).toContain('warning  certificates: 1 not managed by apiops, left out of the repository (partner-ca)');
    expect(run.io.out).toContain('warning  global schemas: 1 not managed by apiops, left out of the repository (order)');
    const files = snapshot(extracted, ['.apiops']);
    const header = (schema: string, depth = 1) => `# yaml-language-server: $schema=${'../'.repeat(depth)}schemas/${schema}.schema.json\n`;
    // A revision made on the instance alone is extracted as a revision folder.
    expect(files.get('apis/catalog/revisions/2/revision.yaml')).toBe(`${header('api-revision', 4)}description: trying a cache\n`);
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
      // Both instances hold the same resources with the same properties.
      const [onSource, onTarget] = await Promise.all([SOURCE, TARGET].map((scope) => instanceContent(connect(scope, { endpoint: emulator.url }))));
      expect(onTarget).toEqual(onSource);
      expect(onTarget.map((r) => r.ref.kind)).toEqual(expect.arrayContaining(['apiRelease', 'apiSchema', 'graphQLResolver', 'resolverPolicy']));
      expect(onTarget.map((r) => r.ref.ids[0])).toEqual(expect.arrayContaining(['orders;rev=2', 'catalog;rev=2', 'currency', 'currency-rest', 'collector', 'people', 'users-graph', 'chat', 'root']));
      // The source repository diffs clean against the target, but for the revision made by hand on the source instance.
      const sourceOnTarget = repositoryFor(TARGET, Object.fromEntries([...snapshot(source, ['.apiops'])].filter(([file]) => file !== 'apiops.config.yaml')));
      const diff = await runCli(['diff', '--env', 'ci', '--repo', sourceOnTarget, '--json'], sourceOnTarget, { env: WHOLE_INSTANCE_ENV });
      expect(JSON.parse(diff.io.out).changes.map((change: { action: string; id: string }) => `${change.action} ${change.id}`)).toEqual(['delete catalog;rev=2/getOrder', 'delete catalog;rev=2']);
      removeRepo(sourceOnTarget);
      // A diagnostic names its logger portably: on the target it points at the target's logger.
      const targetLogger = (await diagnosticLogger(connect(TARGET, { endpoint: emulator.url }))).toLowerCase();
      expect(targetLogger).toMatch(/(^|\/service\/apim-target)\/loggers\/appinsights$/);
    } finally {
      removeRepo(target);
    }
  });
});

/**
 * Every managed resource of an instance, comparable across instances: ids below the service, no ETags, and none of
 * what the service generates itself (subscription keys, dates, its own ids for import schemas).
 */
async function instanceContent(c: ApimConnection): Promise<LiveResource[]> {
  const kinds = RESOURCE_TYPES.filter((type) => type.managed).map((type) => type.kind);
  const { resources } = await readLiveState(c, { kinds });
  const service = `/subscriptions/${c.scope.subscriptionId}/resourceGroups/${c.scope.resourceGroup}/providers/Microsoft.ApiManagement/service/${c.scope.serviceName}`;
  const generated = new Set(['createdDate', 'createdDateTime', 'updatedDateTime', 'startDate', 'primaryKey', 'secondaryKey', 'stateComment']);
  const portable = (value: unknown): unknown => {
    if (typeof value === 'string') return value.split(service).join('');
    if (Array.isArray(value)) return value.map(portable);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([key]) => !generated.has(key) && key !== 'schemaId').map(([key, item]) => [key, portable(item)]));
    return value;
  };
  return resources
    .map((resource) => ({ ref: resource.ref, properties: portable(resource.properties) as Record<string, unknown> }))
    .sort((a, b) => `${a.ref.kind}:${a.ref.ids.join('/')}`.localeCompare(`${b.ref.kind}:${b.ref.ids.join('/')}`));
}

async function diagnosticLogger(c: ApimConnection): Promise<string> {
  const diagnostic = await c.client.diagnostic.get(c.scope.resourceGroup, c.scope.serviceName, 'applicationinsights');
  return String(diagnostic.loggerId);
}
