import * as fs from 'fs';
import * as path from 'path';
import { generateRepository } from '../fixtures/generate';
import { copySample, editFile, removeDir, runCli, runJson, tempDir, writes } from './helpers';

/**
 * End to end through the CLI, in-process: the repository's `local` environment starts the embedded emulator
 * (state in the temp repository's .apiops/local) and every request goes through the real SDK over HTTP.
 */

const LOCAL = ['--env', 'local'];

function generated(apis: number, operationsPerApi: number): string {
  const root = tempDir('generated');
  generateRepository(root, { apis, operationsPerApi, operationPolicyEvery: 2 });
  return root;
}

describe('publish and diff: the sample repository', () => {
  let root: string;
  beforeEach(() => {
    root = copySample();
  });
  afterEach(() => removeDir(root));

  it('cold publish creates everything; diff then shows nothing and a second publish writes nothing', async () => {
    const cold = await runJson(root, ['publish', ...LOCAL]);
    expect(cold.code).toBe(0);
    expect(cold.json.failed).toEqual([]);
    expect(cold.json.skipped).toEqual([]);
    expect(cold.json.summary.delete).toBe(0);
    expect(cold.json.applied.length).toBe(cold.json.summary.create + cold.json.summary.update);
    const createdKinds = new Set(cold.json.applied.map((c: { kind: string }) => c.kind));
    for (const kind of ['namedValue', 'backend', 'policyFragment', 'api', 'apiOperation', 'apiPolicy', 'operationPolicy', 'product', 'productApi', 'productGroup', 'productPolicy']) {
      expect(createdKinds).toContain(kind);
    }

    const diff = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
    expect(diff.json.changes).toEqual([]);
    expect(diff.code).toBe(0);

    const again = await runJson(root, ['publish', ...LOCAL]);
    expect(again.code).toBe(0);
    expect(again.json.applied).toEqual([]);
    expect(writes(again.json.requests)).toBe(0);
    expect(again.json.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: cold.json.applied.length });
  });

  it('one edited policy gives exactly one update in diff and one write in publish', async () => {
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    editFile(root, 'apis/media-orders/policy.xml', (text) =>
      text.replace('<base />', '<base />\n        <set-header name="X-Orders-Api" exists-action="override"><value>v1</value></set-header>'),
    );

    const diff = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
    expect(diff.code).toBe(2);
    expect(diff.json.changes).toEqual([{ action: 'update', kind: 'apiPolicy', id: 'media-orders', fields: ['value'] }]);
    const text = await runCli(root, ['diff', ...LOCAL]);
    expect(text.out).toMatch(/^\s+\+\s+<set-header exists-action="override" name="X-Orders-Api">$/m);
    expect(text.out).toContain('Plan: 0 to create, 1 to update, 0 to delete');

    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(publish.code).toBe(0);
    expect(publish.json.applied).toEqual([{ action: 'update', kind: 'apiPolicy', id: 'media-orders', fields: ['value'] }]);
    expect(writes(publish.json.requests)).toBe(1);
    expect(publish.json.requests.PUT).toBe(1);
  });

  it('--prune deletes a removed API and its product links; without it nothing is deleted', async () => {
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    fs.rmSync(path.join(root, 'apis/media-catalog'), { recursive: true });
    for (const product of ['fabrikam-developer', 'fabrikam-production']) {
      editFile(root, `products/${product}/product.yaml`, (text) => text.replace(/^ {2}- media-catalog\n/m, ''));
    }

    const diff = await runJson(root, ['diff', ...LOCAL]);
    const deleted = diff.json.changes.map((c: { action: string; kind: string; id: string }) => `${c.action} ${c.kind} ${c.id}`);
    expect(deleted).toEqual(
      expect.arrayContaining([
        'delete api media-catalog',
        'delete apiPolicy media-catalog',
        'delete apiOperation media-catalog/getTitle',
        'delete productApi fabrikam-developer/media-catalog',
        'delete productApi fabrikam-production/media-catalog',
      ]),
    );
    expect(diff.json.changes.every((c: { action: string }) => c.action === 'delete')).toBe(true);

    const kept = await runJson(root, ['publish', ...LOCAL]);
    expect(kept.code).toBe(0);
    expect(kept.json.requests.DELETE).toBe(0);
    expect(kept.json.notPruned.length).toBe(diff.json.changes.length);
    expect((await runJson(root, ['diff', ...LOCAL])).json.changes).toEqual(diff.json.changes);

    const pruned = await runJson(root, ['publish', ...LOCAL, '--prune']);
    expect(pruned.code).toBe(0);
    // The API (its policy and operations go with it) and its two product links.
    expect(pruned.json.requests.DELETE).toBe(3);
    expect(pruned.json.applied.length).toBe(diff.json.changes.length);
    const after = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
    expect(after.json.changes).toEqual([]);
    expect(after.code).toBe(0);
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const dry = await runCli(root, ['publish', ...LOCAL, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/Plan: \d+ to create/);
    expect(dry.out).toContain('Dry run: nothing was written.');
    const json = await runJson(root, ['publish', ...LOCAL, '--dry-run']);
    expect(json.json.dryRun).toBe(true);
    expect(json.json.applied).toEqual([]);
    expect(writes(json.json.requests)).toBe(0);
    expect(json.json.summary.create).toBeGreaterThan(30);
  });
});

describe('publish and diff: generated repositories', () => {
  let root: string;
  afterEach(() => removeDir(root));

  it('whitespace-only and attribute-order-only policy edits give no change', async () => {
    root = generated(2, 4);
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    // Tabs and CRLF instead of four spaces and LF.
    editFile(root, 'apis/api-0000/policy.xml', (text) => text.replace(/ {4}/g, '\t').replace(/\n/g, '\r\n'));
    // The same attributes in another order, and a self-closing element written out.
    editFile(root, 'apis/api-0001/operations/op0.xml', (text) =>
      text
        .replace('<set-header name="X-Trace-Id" exists-action="override">', '<set-header exists-action="override"   name="X-Trace-Id">')
        .replace('<base />', '<base></base>'),
    );

    const diff = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
    expect(diff.json.changes).toEqual([]);
    expect(diff.code).toBe(0);
    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(writes(publish.json.requests)).toBe(0);
  });

  it('an operation added to a specification re-imports that API only', async () => {
    root = generated(2, 2);
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    editFile(root, 'apis/api-0001/openapi.yaml', (text) =>
      text.replace(
        'paths:\n',
        "paths:\n  /health:\n    get:\n      operationId: health\n      summary: Health\n      responses:\n        '200':\n          description: OK\n",
      ),
    );
    const diff = await runJson(root, ['diff', ...LOCAL]);
    expect(diff.json.changes).toEqual([
      { action: 'update', kind: 'api', id: 'api-0001', fields: ['specification'] },
      { action: 'create', kind: 'apiOperation', id: 'api-0001/health', fields: expect.arrayContaining(['method', 'urlTemplate']) },
    ]);
    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(publish.code).toBe(0);
    expect(publish.json.requests.PUT).toBe(1);
    expect((await runJson(root, ['diff', ...LOCAL])).json.changes).toEqual([]);
  });

  it('a repository with errors is not published', async () => {
    root = generated(1, 1);
    editFile(root, 'apis/api-0000/policy.xml', (text) => text.replace('<base />', '<base>'));
    const publish = await runCli(root, ['publish', ...LOCAL]);
    expect(publish.code).toBe(1);
    expect(publish.err).toMatch(/apis\/api-0000\/policy\.xml:\d+:\d+/);
    expect(publish.err).toContain('apiops publish: stopped');
    expect(fs.existsSync(path.join(root, '.apiops'))).toBe(false);
  });
});
