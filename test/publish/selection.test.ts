import * as fs from 'fs';
import * as path from 'path';
import { connect } from '../../src/azure/client';
import { readResource } from '../../src/azure/read';
import { addEndpointEnvironment, CI_SCOPE, copySample, editFile, emulatorWithRepositories, removeDir, runCli, runJson, writes } from './helpers';

/**
 * `diff` / `publish` `--api` / `--product` against the emulator through the real SDK: only the selection (and what its
 * policies use) is read, planned and written, whatever the size of the rest of the instance.
 */

const CI = ['--env', 'ci'];
const large = emulatorWithRepositories();
// The repositories below share one instance of their own, apart from the 300 APIs.
const setup = emulatorWithRepositories();

/** The change made to an API's policy: a header only that API's responses carry. */
function editApiPolicy(root: string, apiId: string): void {
  editFile(root, `apis/${apiId}/policy.xml`, (text) => text.replace('<outbound>\n        <base />', `<outbound>\n        <base />\n        <set-header name="X-Edited" exists-action="override"><value>${apiId}</value></set-header>`));
}

interface Change {
  action: string;
  kind: string;
  id: string;
}

describe('publish --api on 300 APIs × 5 operations', () => {
  let root: string;
  beforeAll(async () => {
    root = large.repository('selection', { apis: 300, operationsPerApi: 5 });
    expect((await runCli(root, ['publish', ...CI])).code).toBe(0);
  }, 120_000);

  it('reads and writes a handful of resources for one edited API, and leaves the other edited API for later', async () => {
    editApiPolicy(root, 'api-0003');
    editApiPolicy(root, 'api-0007');
    const diff = await runJson<{ changes: Change[] }>(root, ['diff', ...CI, '--api', 'api-0003']);
    expect(diff.json.changes).toEqual([expect.objectContaining({ action: 'update', kind: 'apiPolicy', id: 'api-0003' })]);

    const published = await runJson<{ requests: { total: number; PUT: number; PATCH: number; DELETE: number } }>(root, ['publish', ...CI, '--api', 'api-0003']);
    expect(published.code).toBe(0);
    expect(writes(published.json.requests)).toBe(1);
    // The API, its revisions, operations, the policies the repository has, its operations' tag links (one list), its
    // tags and diagnostics; the fragment, backend and named value its policies reach; the write.
    expect(published.json.requests.total).toBeLessThanOrEqual(15);

    const rest = await runJson<{ changes: Change[] }>(root, ['diff', ...CI]);
    expect(rest.json.changes).toEqual([expect.objectContaining({ action: 'update', kind: 'apiPolicy', id: 'api-0007' })]);
  });
});

describe('publish --product', () => {
  it('keeps the product’s links to APIs outside the selection, even with --prune, and writes nothing else', async () => {
    const root = setup.repository('selection-product', { apis: 3, operationsPerApi: 2 });
    expect((await runCli(root, ['publish', ...CI])).code).toBe(0);
    // The product drops api-0002 from its list and changes its description; api-0001 and the other product are edited too.
    editFile(root, 'products/partner-developer/product.yaml', (text) => text.replace('  - api-0002\n', '').replace('displayName: partner-developer\n', 'displayName: partner-developer\ndescription: Selected.\n'));
    editApiPolicy(root, 'api-0001');
    editFile(root, 'products/partner-production/product.yaml', (text) => text.replace('displayName: partner-production\n', 'displayName: partner-production\ndescription: Not selected.\n'));

    const published = await runJson<{ changes: Change[] }>(root, ['publish', ...CI, '--product', 'partner-developer', '--prune']);
    expect(published.code).toBe(0);
    expect(published.json.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['update product partner-developer']);
    const connection = connect(CI_SCOPE, { endpoint: setup.emulator().url });
    expect(await readResource(connection, { kind: 'productApi', ids: ['partner-developer', 'api-0002'] })).toBeDefined();

    // With the API in the selection too, the link the product file dropped goes (a list is the whole membership).
    const both = await runJson<{ changes: Change[] }>(root, ['publish', ...CI, '--product', 'partner-developer', '--api', 'api-0002']);
    expect(both.json.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['delete productApi partner-developer/api-0002']);
    const rest = await runJson<{ changes: Change[] }>(root, ['diff', ...CI]);
    expect(rest.json.changes.map((c) => `${c.action} ${c.kind} ${c.id}`).sort()).toEqual(['update apiPolicy api-0001', 'update product partner-production']);
  });

  it('never unlinks an API deleted from the repository when it is outside the selection; the whole publish does', async () => {
    const root = setup.repository('selection-deleted-api', { apis: 3, operationsPerApi: 1 });
    expect((await runCli(root, ['publish', ...CI])).code).toBe(0);
    fs.rmSync(path.join(root, 'apis/api-0002'), { recursive: true });
    for (const product of ['partner-developer', 'partner-production']) editFile(root, `products/${product}/product.yaml`, (text) => text.replace('  - api-0002\n', ''));
    const connection = connect(CI_SCOPE, { endpoint: setup.emulator().url });
    const link = () => readResource(connection, { kind: 'productApi', ids: ['partner-developer', 'api-0002'] });

    // The API is outside the selection (the repository has it no more): its link stays, even with --prune.
    const selected = await runJson<{ changes: Change[] }>(root, ['publish', ...CI, '--product', 'partner-developer', '--api', 'api-0001', '--prune']);
    expect(selected.json.changes).toEqual([]);
    expect(await link()).toBeDefined();
    // The whole repository: the products that dropped it unlink it at once, the API waits for --prune.
    const whole = await runJson<{ changes: Change[] }>(root, ['publish', ...CI]);
    expect(whole.code).toBe(0);
    expect(await link()).toBeUndefined();
    expect(await readResource(connection, { kind: 'api', ids: ['api-0002'] })).toBeDefined();
  });

  it('plans what the selection uses, and nothing it does not use', async () => {
    const root = setup.repository('selection-uses', { apis: 2, operationsPerApi: 2 });
    expect((await runCli(root, ['publish', ...CI, '--api', 'api-0000', 'api-0001'])).code).toBe(0);
    editFile(root, 'named-values/cache-seconds.yaml', (text) => text.replace('"300"', '"120"'));
    fs.writeFileSync(path.join(root, 'named-values/unused.yaml'), 'displayName: unused\nvalue: "1"\n');
    const diff = await runJson<{ changes: Change[] }>(root, ['diff', ...CI, '--api', 'api-0001']);
    expect(diff.json.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['update namedValue cache-seconds']);
  });

  it('refuses an id the repository does not have', async () => {
    const root = setup.repository('selection-unknown', { apis: 1, operationsPerApi: 1 });
    const run = await runCli(root, ['publish', ...CI, '--api', 'api-000']);
    expect(run.code).toBe(1);
    expect(run.err).toContain("--api 'api-000' is not in the repository (apis/)");
  });
});

describe('publish --api on the sample', () => {
  const sample = emulatorWithRepositories();
  let root: string;
  beforeAll(async () => {
    root = copySample();
    addEndpointEnvironment(root, sample.emulator().url);
    expect((await runCli(root, ['publish', ...CI])).code).toBe(0);
  });
  afterAll(() => removeDir(root));

  it('reads the selected API’s operation tags in one list: nothing to change, and a tag dropped from operationTags goes', async () => {
    expect((await runJson<{ changes: Change[] }>(root, ['diff', ...CI, '--api', 'media-catalog'])).json.changes).toEqual([]);
    editFile(root, 'apis/media-catalog/api.yaml', (text) => text.replace('  getTitle: [cacheable]\n', ''));
    const published = await runJson<{ changes: Change[] }>(root, ['publish', ...CI, '--api', 'media-catalog']);
    expect(published.json.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['delete operationTag media-catalog/getTitle/cacheable']);
    expect((await runJson<{ changes: Change[] }>(root, ['diff', ...CI])).json.changes).toEqual([]);
  });

  it('reads an operation policy the repository dropped only with --prune, which then deletes it', async () => {
    fs.rmSync(path.join(root, 'apis/media-orders/operations/createOrder.xml'));
    const plain = await runJson<{ changes: Change[] }>(root, ['publish', ...CI, '--api', 'media-orders', '--dry-run']);
    expect(plain.json.changes).toEqual([]);
    const pruned = await runJson<{ changes: Change[] }>(root, ['publish', ...CI, '--api', 'media-orders', '--prune']);
    expect(pruned.json.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['delete operationPolicy media-orders/createOrder']);
    expect((await runJson<{ changes: Change[] }>(root, ['diff', ...CI])).json.changes).toEqual([]);
  });
});
