import * as fs from 'fs';
import * as path from 'path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { connect } from '../../src/azure/client';
import { readResource } from '../../src/azure/read';
import { putResource } from '../../src/azure/write';
import { generateRepository } from '../fixtures/generate';
import { addEndpointEnvironment, CI_SCOPE, removeDir, runCli, runJson, tempDir } from './helpers';

/** `publish --prune` against a running emulator holding what the repository does not manage (subscriptions). */

const CI = ['--env', 'ci'];

describe('publish --prune', () => {
  let emulator: RunningEmulator;
  let root: string;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(() => emulator.close());
  afterEach(() => removeDir(root));

  it('deletes a product the repository no longer has even when partners subscribe to it (its subscriptions go with it)', async () => {
    root = tempDir('prune');
    generateRepository(root, { apis: 1, operationsPerApi: 1 });
    addEndpointEnvironment(root, emulator.url);
    expect((await runCli(root, ['publish', ...CI])).code).toBe(0);
    const { client } = connect(CI_SCOPE, { endpoint: emulator.url });
    await client.subscription.createOrUpdate(CI_SCOPE.resourceGroup, CI_SCOPE.serviceName, 'fabrikam-key', {
      displayName: 'Fabrikam key',
      scope: '/products/partner-production',
    });
    fs.rmSync(path.join(root, 'products/partner-production'), { recursive: true });

    const pruned = await runJson(root, ['publish', ...CI, '--prune']);
    expect(pruned.json.failed).toEqual([]);
    expect(pruned.code).toBe(0);
    expect(pruned.json.applied).toContainEqual({ action: 'delete', kind: 'product', id: 'partner-production' });
    expect((await runJson(root, ['diff', ...CI, '--exit-code'])).code).toBe(0);
  });

  it("never deletes APIM's built-ins (echo-api, starter, unlimited) it does not name, while pruning what the repository dropped", async () => {
    root = tempDir('prune-builtins');
    generateRepository(root, { apis: 2, operationsPerApi: 1 });
    addEndpointEnvironment(root, emulator.url);
    // What a new APIM instance comes with.
    const c = connect(CI_SCOPE, { endpoint: emulator.url });
    const echo = { kind: 'api' as const, ids: ['echo-api'] };
    await putResource(c, echo, { displayName: 'Echo API', path: 'echo', protocols: ['https'], serviceUrl: 'http://echoapi.cloudapp.net/api' });
    for (const product of ['starter', 'unlimited']) {
      await putResource(c, { kind: 'product', ids: [product] }, { displayName: product, subscriptionRequired: true, state: 'published' });
      await putResource(c, { kind: 'productApi', ids: [product, 'echo-api'] }, {});
    }
    expect((await runCli(root, ['publish', ...CI, '--prune'])).code).toBe(0);
    fs.rmSync(path.join(root, 'apis/api-0001'), { recursive: true });
    for (const product of ['partner-developer', 'partner-production']) {
      const file = path.join(root, 'products', product, 'product.yaml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^ {2}- api-0001\n/m, ''));
    }

    const pruned = await runJson(root, ['publish', ...CI, '--prune']);
    expect(pruned.code).toBe(0);
    const touched = [...pruned.json.applied, ...pruned.json.failed, ...pruned.json.skipped].map((c: { kind: string; id: string }) => `${c.kind} ${c.id}`);
    expect(touched).toContain('api api-0001');
    expect(touched.filter((t: string) => /echo-api|starter|unlimited/.test(t))).toEqual([]);
    for (const ref of [echo, { kind: 'product' as const, ids: ['starter'] }, { kind: 'product' as const, ids: ['unlimited'] }, { kind: 'productApi' as const, ids: ['starter', 'echo-api'] }]) {
      expect(await readResource(c, ref)).toBeDefined();
    }
    expect(await readResource(c, { kind: 'api', ids: ['api-0001'] })).toBeUndefined();
    expect((await runJson(root, ['diff', ...CI, '--exit-code'])).code).toBe(0);
  });

  it('unlinks an API deleted from the repository from the products that dropped it without --prune, and counts the API as kept', async () => {
    root = tempDir('prune-access');
    generateRepository(root, { apis: 2, operationsPerApi: 1 });
    addEndpointEnvironment(root, emulator.url);
    expect((await runCli(root, ['publish', ...CI])).code).toBe(0);
    fs.rmSync(path.join(root, 'apis/api-0001'), { recursive: true });
    for (const product of ['partner-developer', 'partner-production']) {
      const file = path.join(root, 'products', product, 'product.yaml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^ {2}- api-0001\n/m, ''));
    }
    const c = connect(CI_SCOPE, { endpoint: emulator.url });
    const link = (product: string) => readResource(c, { kind: 'productApi', ids: [product, 'api-0001'] });
    expect(await link('partner-developer')).toBeDefined();

    const diff = await runCli(root, ['diff', ...CI]);
    expect(diff.out).toContain('  - partner-developer/api-0001 (dropped from its list in the repository)\n');
    expect(diff.out).toContain('  - api-0001 (publish deletes it only with --prune)\n');
    const published = await runJson(root, ['publish', ...CI]);
    expect(published.code).toBe(0);
    expect(published.json.applied.map((change: { action: string; kind: string; id: string }) => `${change.action} ${change.kind} ${change.id}`).sort()).toEqual([
      'delete productApi partner-developer/api-0001',
      'delete productApi partner-production/api-0001',
    ]);
    // The API, its operation and its policies stay until --prune, counted as kept rather than as deletions.
    expect(published.json.summary).toMatchObject({ create: 0, update: 0, delete: 2 });
    expect(published.json.summary.kept).toBeGreaterThanOrEqual(2);
    expect(published.json.notPruned.length).toBe(published.json.summary.kept);
    expect(await link('partner-developer')).toBeUndefined();
    expect(await link('partner-production')).toBeUndefined();
    expect(await readResource(c, { kind: 'api', ids: ['api-0001'] })).toBeDefined();

    const pruned = await runJson(root, ['publish', ...CI, '--prune', '--dry-run']);
    expect(pruned.json.summary).toMatchObject({ delete: published.json.summary.kept, kept: 0 });
  });
});
