import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import type { CommandIO } from '../../src/cli/command';
import { connect } from '../../src/azure/client';
import { startEmulator, type EmulatorStats } from '../../src/emulator';
import { Journal, journalLines } from '../../src/emulator/journal';
import { raw, RG, SCOPE, startHarness, SVC } from './helpers';

const tempDirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-emulator-'));
  tempDirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('emulator runtime: faults, latency, statistics, persistence', () => {
  it('injects seeded faults (429 with Retry-After, 500, 503, dropped connections; 409 "in progress" on writes) that the SDK retries without corrupting state', async () => {
    const h = await startHarness({ faultRate: 0.4, seed: 42, retryAfterSeconds: 0 }, 20);
    for (let i = 0; i < 30; i += 1) await h.apim.client.product.createOrUpdate(RG, SVC, `p${i}`, { displayName: `Product ${i}` });
    const stats = h.emulator.stats();
    expect(Object.keys(stats.faults).sort()).toEqual(['409', '429', '500', '503', 'drop']);
    const throttled = stats.log.find((e) => e.fault === '429');
    expect(throttled?.status).toBe(429);
    const products = [];
    for await (const p of h.apim.client.product.listByService(RG, SVC)) products.push(p.name);
    expect(products).toHaveLength(30);
    await h.emulator.close();
  });

  it('keeps a consistent persisted state under concurrent long-running writes with faults', async () => {
    const dataDir = tempDir();
    const h = await startHarness({ dataDir, faultRate: 0.3, seed: 11, retryAfterSeconds: 0 }, 30);
    const policy = '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
    await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        await h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, `api-${i}`, { displayName: `API ${i}`, path: `p${i}` }, { updateIntervalInMs: 1 });
        await h.apim.client.apiPolicy.createOrUpdate(RG, SVC, `api-${i}`, 'policy', { format: 'rawxml', value: policy });
      }),
    );
    expect(h.emulator.stats().faults).not.toEqual({});
    await h.emulator.close();
    const reopened = await startHarness({ dataDir });
    const apis: string[] = [];
    for await (const api of reopened.apim.client.api.listByService(RG, SVC)) apis.push(api.name as string);
    expect(apis.sort()).toEqual(Array.from({ length: 24 }, (_, i) => `api-${i}`).sort());
    const policies = await Promise.all(apis.map((api) => reopened.apim.client.apiPolicy.listByApi(RG, SVC, api)));
    expect(policies.every((p) => p.value?.length === 1)).toBe(true);
    await reopened.emulator.close();
  });

  it('sends Retry-After on injected 429s and repeats the same fault sequence for the same seed', async () => {
    const sequence = async () => {
      const emulator = await startEmulator({ faultRate: 0.5, seed: 7, retryAfterSeconds: 3 });
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        try {
          const r = await fetch(`${emulator.url}/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/x/tags?api-version=2024-05-01`, { headers: { Authorization: 'Bearer t' } });
          outcomes.push(`${r.status}${r.status === 429 ? `:${r.headers.get('retry-after')}` : ''}`);
          await r.arrayBuffer();
        } catch {
          outcomes.push('dropped');
        }
      }
      await emulator.close();
      return outcomes;
    };
    const first = await sequence();
    expect(await sequence()).toEqual(first);
    expect(first).toContain('200');
    expect(first.some((o) => o === '429:3')).toBe(true);
    expect(first.some((o) => o === 'dropped')).toBe(true);
  });

  it('adds latency with jitter to ARM requests', async () => {
    const h = await startHarness({ latencyMs: 30, seed: 3 });
    for (let i = 0; i < 6; i += 1) await h.apim.client.tag.createOrUpdate(RG, SVC, `t${i}`, { displayName: `t${i}` });
    const durations = h.emulator.stats().log.map((e) => e.durationMs);
    expect(durations.every((d) => d >= 14)).toBe(true);
    expect(new Set(durations.map((d) => Math.round(d))).size).toBeGreaterThan(1);
    await h.emulator.close();
  });

  it('counts requests by method and route, serves them at /_emulator/stats, and resets', async () => {
    const h = await startHarness();
    await h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, 'a1', { displayName: 'A1', path: 'a1' });
    await h.apim.client.api.get(RG, SVC, 'a1');
    const stats = (await (await fetch(`${h.emulator.url}/_emulator/stats`)).json()) as EmulatorStats;
    expect(stats.byMethod).toEqual({ PUT: 1, GET: 3 });
    expect(stats.byRoute).toEqual({ 'PUT apis/{apiId}': 1, 'GET tenant/operationResults/{operationId}': 1, 'GET apis/{apiId}': 2 });
    expect(stats.log).toHaveLength(4);
    expect(h.apim.requests.total).toBe(4);
    h.emulator.resetStats();
    expect(h.emulator.stats().total).toBe(0);
    await h.emulator.close();
  });

  it('persists state (secrets and policies included) atomically in its data directory, under concurrent writes', async () => {
    const dataDir = tempDir();
    const first = await startHarness({ dataDir });
    await first.apim.client.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'key', { displayName: 'key', value: 'nv-secret-Zq81', secret: true });
    await first.apim.client.subscription.createOrUpdate(RG, SVC, 'sub', { scope: '/apis', displayName: 'All APIs' });
    const keys = await first.apim.client.subscription.listSecrets(RG, SVC, 'sub');
    await Promise.all(Array.from({ length: 120 }, (_, i) => first.apim.client.tag.createOrUpdate(RG, SVC, `tag-${i}`, { displayName: `tag ${i}` })));
    await first.apim.client.policy.createOrUpdate(RG, SVC, 'policy', { format: 'rawxml', value: '<policies><inbound><set-header name="k" exists-action="override"><value>{{key}}</value></set-header></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>' });
    await first.emulator.close();
    expect(fs.readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Secrets are persisted encrypted: no state file holds a secret value in plain text.
    const persisted = fs.readdirSync(dataDir).map((f) => fs.readFileSync(path.join(dataDir, f), 'utf8')).join('\n');
    for (const secret of ['nv-secret-Zq81', keys.primaryKey as string, keys.secondaryKey as string]) expect(persisted).not.toContain(secret);

    const second = await startHarness({ dataDir });
    const tags = [];
    for await (const t of second.apim.client.tag.listByService(RG, SVC)) tags.push(t.name);
    expect(tags).toHaveLength(120);
    expect((await second.apim.client.namedValue.listValue(RG, SVC, 'key')).value).toBe('nv-secret-Zq81');
    expect(await second.apim.client.subscription.listSecrets(RG, SVC, 'sub')).toMatchObject({ primaryKey: keys.primaryKey, secondaryKey: keys.secondaryKey });
    const policy = await raw(second.emulator, 'GET', 'policies/policy', undefined, {}, 'api-version=2024-05-01&format=rawxml');
    expect(policy.body.properties.value).toContain('{{key}}');
    const etag = (await second.apim.client.tag.get(RG, SVC, 'tag-1')).eTag;
    await second.apim.client.tag.createOrUpdate(RG, SVC, 'tag-new', { displayName: 'new' });
    expect((await second.apim.client.tag.get(RG, SVC, 'tag-new')).eTag).not.toBe(etag);
    await second.emulator.close();
  });
});

describe('emulator state directory', () => {
  /** A data directory an emulator closed cleanly, its one service holding the tag `kept`. */
  async function savedState(): Promise<{ dataDir: string; stateFile: string }> {
    const dataDir = tempDir();
    const first = await startHarness({ dataDir });
    await first.apim.client.tag.createOrUpdate(RG, SVC, 'kept', { displayName: 'kept' });
    await first.emulator.close();
    const [stateFile] = fs.readdirSync(dataDir).filter((f) => f.endsWith('.json'));
    return { dataDir, stateFile };
  }

  it('ignores a temp file a crash left behind and names a damaged state file', async () => {
    const { dataDir, stateFile } = await savedState();
    fs.writeFileSync(path.join(dataDir, `${stateFile}.999.tmp`), '{"scope": {"subscr');
    const second = await startHarness({ dataDir });
    expect((await second.apim.client.tag.get(RG, SVC, 'kept')).displayName).toBe('kept');
    await second.emulator.close();
    fs.writeFileSync(path.join(dataDir, stateFile), '{"scope": {"subscr');
    await expect(startEmulator({ dataDir })).rejects.toThrow(`${path.join(dataDir, stateFile)}: not a readable emulator state file`);
  });

  it('refuses a second emulator on a directory in use, and takes over a lock its process left behind', async () => {
    const dataDir = tempDir();
    const first = await startHarness({ dataDir });
    await expect(startEmulator({ dataDir })).rejects.toThrow(`${dataDir} is in use by another emulator (process ${process.pid}, this one)`);
    await first.apim.client.tag.createOrUpdate(RG, SVC, 'kept', { displayName: 'kept' });
    await first.emulator.close();
    // A process that died without closing: no process has the largest pid.
    fs.writeFileSync(path.join(dataDir, 'emulator.lock'), '2147483647\n');
    const second = await startHarness({ dataDir });
    expect((await second.apim.client.tag.get(RG, SVC, 'kept')).displayName).toBe('kept');
    await second.emulator.close();
    expect(fs.existsSync(path.join(dataDir, 'emulator.lock'))).toBe(false);
  });

  it("removes the temp files and takes over the lock of a killed emulator, but never touches a live process's temp file", async () => {
    const { dataDir, stateFile } = await savedState();
    // A process that died mid-write (no process has the largest pid), an earlier process that had this one's id,
    // and a process that still runs (the test runner that started this worker) all left a write behind.
    const killed = 2147483647;
    fs.writeFileSync(path.join(dataDir, 'emulator.lock'), `${killed}\n`);
    const abandoned = [`${stateFile}.${killed}.tmp`, `other-service.json.${killed}.tmp`, `${stateFile}.${process.pid}.tmp`];
    const live = `${stateFile}.${process.ppid}.tmp`;
    for (const file of [...abandoned, live]) fs.writeFileSync(path.join(dataDir, file), '{"scope": {"subscr');
    const second = await startHarness({ dataDir });
    expect(fs.readFileSync(path.join(dataDir, 'emulator.lock'), 'utf8')).toBe(`${process.pid}\n`);
    expect(fs.readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([live]);
    expect((await second.apim.client.tag.get(RG, SVC, 'kept')).displayName).toBe('kept');
    await second.emulator.close();
  });

  /** The journal file of a running emulator. */
  function journalOf(dataDir: string): string {
    const [journal] = fs.readdirSync(dataDir).filter((f) => /^journal\.\d+\.log$/.test(f));
    return path.join(dataDir, journal);
  }

  it('replays the journal of an emulator that never shut down, dropping a last line cut short, and names a damaged one', async () => {
    const dataDir = tempDir();
    const first = await startHarness({ dataDir });
    await first.apim.client.tag.createOrUpdate(RG, SVC, 'acknowledged', { displayName: 'acknowledged' });
    const journal = journalOf(dataDir);
    const copy = fs.readFileSync(journal, 'utf8');
    expect(copy).toContain('"acknowledged"');
    await first.emulator.close();
    // As a crash leaves it: the journal in place (no checkpoint since), its last write torn.
    fs.writeFileSync(journal, `${copy}{"op":"put","service":"x","collection":"tags","entity":{"na`);
    const second = await startHarness({ dataDir });
    expect((await second.apim.client.tag.get(RG, SVC, 'acknowledged')).displayName).toBe('acknowledged');
    await second.emulator.close();
    fs.writeFileSync(journal, `{"op":"put",\n${copy}`);
    await expect(startEmulator({ dataDir })).rejects.toThrow(`${journal}:1: not an emulator journal line`);
  });

  it('writes concurrent changes together (group commit): each is durable when its request is answered', async () => {
    const dataDir = tempDir();
    const journal = Journal.open(path.join(dataDir, 'journal.0.log'));
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        await new Promise((resolve) => setImmediate(resolve));
        journal.append(`{"line":${i}}\n`);
        await journal.durable();
        expect(journalLines(fs.readFileSync(journal.file, 'utf8'))).toContain(`{"line":${i}}`);
      }),
    );
    expect(journal.batches).toBeGreaterThan(0);
    expect(journal.batches).toBeLessThan(100);
    await journal.close();
  });

  it('takes a new epoch at each start: an ETag of an earlier run never comes back', async () => {
    const dataDir = tempDir();
    const etags = new Set<string>();
    for (let run = 1; run <= 3; run += 1) {
      const h = await startHarness({ dataDir });
      const etag = (await h.apim.client.tag.createOrUpdate(RG, SVC, `t${run}`, { displayName: 't' })).eTag as string;
      expect(etags.has(etag)).toBe(false);
      etags.add(etag);
      expect(fs.readFileSync(path.join(dataDir, 'emulator.epoch'), 'utf8')).toBe(`${run}\n`);
      await h.emulator.close();
    }
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('journal.'))).toEqual([]);
  });

  it('names a state file whose secrets its key cannot decrypt', async () => {
    const dataDir = tempDir();
    const first = await startHarness({ dataDir });
    await first.apim.client.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'key', { displayName: 'key', value: 'v', secret: true });
    await first.emulator.close();
    fs.rmSync(path.join(dataDir, 'secrets.key'));
    const [stateFile] = fs.readdirSync(dataDir).filter((f) => f.endsWith('.json'));
    await expect(startEmulator({ dataDir })).rejects.toThrow(`${path.join(dataDir, stateFile)}: its secrets cannot be decrypted with ${path.join(dataDir, 'secrets.key')}`);
  });
});

describe('apiops emulator command', () => {
  function captureIO(): CommandIO & { out: string; err: string } {
    const io = {
      out: '',
      err: '',
      isTTY: false,
      cwd: process.cwd(),
      env: {},
      stdout: (text: string) => {
        io.out += text;
      },
      stderr: (text: string) => {
        io.err += text;
      },
    };
    return io;
  }

  it('serves until SIGTERM, printing its URL, and keeps state in --data', async () => {
    const dataDir = tempDir();
    const io = captureIO();
    const exit = main(['emulator', '--port', '0', '--data', dataDir, '--latency', '1', '--fault-rate', '0', '--seed', '5'], io);
    const deadline = Date.now() + 5000;
    while (!/listening on (http:\/\/\S+)/.test(io.out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const url = /listening on (http:\/\/\S+)/.exec(io.out)?.[1] as string;
    const apim = connect(SCOPE, { endpoint: url, maxRetries: 0 });
    await apim.client.product.createOrUpdate(RG, SVC, 'cli-product', { displayName: 'From the CLI' });
    process.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(io.out).toContain('stopped (SIGTERM)');
    const reopened = await startEmulator({ dataDir });
    const again = connect(SCOPE, { endpoint: reopened.url, maxRetries: 0 });
    expect((await again.client.product.get(RG, SVC, 'cli-product')).displayName).toBe('From the CLI');
    await reopened.close();
  });

  it('refuses out-of-range options with a clear error', async () => {
    const io = captureIO();
    expect(await main(['emulator', '--fault-rate', '2'], io)).toBe(2);
    expect(io.err).toContain("--fault-rate must be a share of requests between 0 and 1, got '2'");
    expect(io.err).not.toMatch(/\n\s+at /);
  });
});
