import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect, type ApimConnection } from '../../src/azure/client';
import { seededRandom } from '../../src/emulator/random';
import { RG, SCOPE, SVC } from './helpers';

/**
 * `apiops emulator --data DIR` killed with SIGKILL at seeded random moments while the real SDK writes to it: after each
 * restart every write it acknowledged is there, and no ETag it handed out ever stands for other content.
 */

const ROOT = path.join(__dirname, '..', '..');
const ROUNDS = 3;
const WRITERS = 8;
const PRODUCTS = 5;

interface Emulator {
  child: ChildProcess;
  url: string;
}

/** The emulator command of the current sources, in its own process (TypeScript transpiled on load). */
function startChild(dataDir: string): Promise<Emulator> {
  const script = `require(${JSON.stringify(path.join(ROOT, 'src', 'cli', 'main.ts'))}).runFromProcess(${JSON.stringify(['emulator', '--port', '0', '--data', dataDir])})`;
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'bench', 'lib', 'register-ts.js'), '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(out);
      if (listening) resolve({ child, url: listening[1] });
    });
    child.stderr?.on('data', (chunk: Buffer) => void (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`emulator exited (${code}) before listening: ${err}`)));
  });
}

function kill(emulator: Emulator): Promise<void> {
  return new Promise((resolve) => {
    if (emulator.child.exitCode !== null || emulator.child.signalCode !== null) return resolve();
    emulator.child.once('exit', () => resolve());
    emulator.child.kill('SIGKILL');
  });
}

interface Acknowledged {
  id: string;
  content: string;
}

let dataDir: string;
const running: Emulator[] = [];
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-crash-'));
});
afterAll(async () => {
  await Promise.all(running.map(kill));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** ETag → the content it was handed out with; a second content for one ETag fails the test. */
function recordEtag(etags: Map<string, string>, etag: string | undefined, content: string): void {
  expect(etag).toBeTruthy();
  const known = etags.get(etag as string);
  if (known !== undefined) expect(`${etag} → ${content}`).toBe(`${etag} → ${known}`);
  etags.set(etag as string, content);
}

/**
 * Writes until the emulator dies: new tags (each acknowledged one must survive) and overwrites of a few products.
 * `onAcknowledged` is told the count after each acknowledged write.
 */
async function writeUntilKilled(apim: ApimConnection, round: number, tags: Acknowledged[], etags: Map<string, string>, onAcknowledged: (count: number) => void): Promise<number> {
  let next = 0;
  let acknowledged = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      for (;;) {
        const n = next++;
        try {
          if (writer % 2 === 0) {
            const id = `t-${round}-${n}`;
            const content = `tag ${round}.${n}`;
            const reply = await apim.client.tag.createOrUpdate(RG, SVC, id, { displayName: content });
            tags.push({ id, content });
            recordEtag(etags, reply.eTag, `tag ${id}: ${content}`);
          } else {
            const id = `p-${n % PRODUCTS}`;
            const content = `product ${round}.${n}`;
            const reply = await apim.client.product.createOrUpdate(RG, SVC, id, { displayName: content });
            recordEtag(etags, reply.eTag, `product ${id}: ${content}`);
          }
          acknowledged += 1;
          onAcknowledged(acknowledged);
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode !== undefined) throw error;
          return; // the connection died with the emulator: this write was never acknowledged
        }
      }
    }),
  );
  return acknowledged;
}

describe('the emulator killed with SIGKILL while writes are under way', () => {
  it('keeps every acknowledged write and never hands out an ETag again for other content', async () => {
    const random = seededRandom(2026);
    const tags: Acknowledged[] = [];
    const etags = new Map<string, string>();
    const staleProductEtags: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const emulator = await startChild(dataDir);
      running.push(emulator);
      const apim = connect(SCOPE, { endpoint: emulator.url, maxRetries: 0 });

      // What survived the previous kill: every acknowledged tag, with its content; products as they now read.
      const live = new Map<string, string>();
      for await (const tag of apim.client.tag.listByService(RG, SVC)) live.set(tag.name as string, tag.displayName as string);
      expect(tags.filter((t) => live.get(t.id) !== t.content)).toEqual([]);
      for (let i = 0; i < PRODUCTS && round > 0; i += 1) {
        const product = await apim.client.product.get(RG, SVC, `p-${i}`);
        recordEtag(etags, product.eTag, `product p-${i}: ${product.displayName}`);
      }
      // An ETag from before the crash for a product that changed since is stale: If-Match with it is refused.
      const stale = staleProductEtags.find((etag) => etag !== undefined);
      if (stale) {
        const refused = await apim.client.product.createOrUpdate(RG, SVC, 'p-0', { displayName: 'stale' }, { ifMatch: stale }).then(
          () => 'accepted',
          (error) => (error as { statusCode?: number }).statusCode,
        );
        expect(refused).toBe(412);
      }

      // A seeded point of the write stream, with writes of every writer in flight.
      const killAfter = 5 + Math.floor(random() * 60);
      let killing: Promise<void> | undefined;
      const writing = writeUntilKilled(apim, round, tags, etags, (count) => {
        if (count >= killAfter) killing ??= kill(emulator);
      });
      expect(await writing).toBeGreaterThanOrEqual(killAfter);
      await killing;
      const p0 = [...etags].filter(([, content]) => content.startsWith('product p-0:')).map(([etag]) => etag);
      staleProductEtags.splice(0, staleProductEtags.length, ...p0.slice(0, -1));
    }

    const last = await startChild(dataDir);
    running.push(last);
    const apim = connect(SCOPE, { endpoint: last.url, maxRetries: 0 });
    const live = new Map<string, string>();
    for await (const tag of apim.client.tag.listByService(RG, SVC)) live.set(tag.name as string, tag.displayName as string);
    expect(tags.length).toBeGreaterThan(ROUNDS * 4);
    expect(tags.filter((t) => live.get(t.id) !== t.content)).toEqual([]);
    await kill(last);
    // Four starts of a process that transpiles its sources on load: slow on a busy machine, whatever the emulator does.
  }, 180_000);
});
