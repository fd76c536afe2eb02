import * as http from 'http';
import type { AddressInfo } from 'net';
import { connect, isWriteStopped } from '../../src/azure/client';
import { readResource } from '../../src/azure/read';
import { putResource } from '../../src/azure/write';
import { startEmulator } from '../../src/emulator';
import { main } from '../../src/cli/main';
import type { CommandIO } from '../../src/cli/command';
import { generateRepository } from '../fixtures/generate';
import { CI_SCOPE, removeDir, runJson, tempDir, writes } from './helpers';

/** Ctrl-C during publish: what is in flight finishes, nothing new starts, the report says so, and a re-run finishes the job. */

describe('publish interrupted by Ctrl-C', () => {
  let root: string;
  afterEach(() => removeDir(root));

  it('stops starting changes, reports the rest as not started, exits 1, and a re-run converges', async () => {
    root = tempDir('interrupt');
    generateRepository(root, { apis: 6, operationsPerApi: 2, operationPolicyEvery: 2 });
    let out = '';
    let err = '';
    let interrupted = false;
    const io: CommandIO = {
      stdout: (text) => {
        out += text;
        // The user presses Ctrl-C as the first change is reported.
        if (!interrupted && /^created /m.test(out)) {
          interrupted = true;
          process.emit('SIGINT', 'SIGINT');
        }
      },
      stderr: (text) => void (err += text),
      isTTY: false,
      cwd: root,
      env: {},
    };
    const listeners = process.listenerCount('SIGINT');
    const code = await main(['publish', '--env', 'local'], io);
    expect(interrupted).toBe(true);
    expect(code).toBe(1);
    expect(err).toContain('apiops publish: SIGINT received, stopping');
    expect(out).not.toMatch(/^skipped .*interrupted/m);
    const notStarted = Number(/Interrupted: (\d+) changes were not carried out\./.exec(out)?.[1]);
    expect(notStarted).toBeGreaterThan(0);
    expect(out).toMatch(/^Publish incomplete: \d+ applied, 0 failed, \d+ skipped\.\nInterrupted: \d+ changes were not carried out\.\nRe-run publish to finish;/m);
    expect(process.listenerCount('SIGINT')).toBe(listeners);

    const rerun = await runJson(root, ['publish', '--env', 'local']);
    expect(rerun.code).toBe(0);
    expect(rerun.json.applied.length).toBeGreaterThanOrEqual(notStarted);
    const again = await runJson(root, ['publish', '--env', 'local']);
    expect(writes(again.json.requests)).toBe(0);
  });
});

describe('a connection whose writes are stopped', () => {
  it('sends no further write (not counted either), and still reads', async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const c = connect(CI_SCOPE, { endpoint: emulator.url });
      const ref = { kind: 'namedValue' as const, ids: ['ttl'] };
      await putResource(c, ref, { displayName: 'ttl', value: '60' });
      c.stopWrites();
      const refused = await putResource(c, ref, { displayName: 'ttl', value: '120' }).catch((error: unknown) => error);
      expect(isWriteStopped(refused)).toBe(true);
      expect((await readResource(c, ref))?.properties.value).toBe('60');
      expect(c.requests).toMatchObject({ PUT: 1, DELETE: 0, PATCH: 0 });
    } finally {
      await emulator.close();
    }
  });

  it.each([[500], [429]])('still retries a write whose first attempt, sent before the stop, got a %i', async (status) => {
    let c: ReturnType<typeof connect> | undefined;
    let attempts = 0;
    const server = http.createServer((_request, reply) => {
      attempts += 1;
      reply.setHeader('Content-Type', 'application/json');
      if (attempts === 1) {
        // Ctrl-C while the first attempt is on the wire: it may have landed, so its retry must go out.
        c!.stopWrites();
        reply.writeHead(status);
        reply.end(JSON.stringify({ error: { code: 'Transient', message: 'try again' } }));
        return;
      }
      reply.writeHead(200);
      reply.end(JSON.stringify({ id: '/tags/ttl', name: 'ttl', properties: { displayName: 'ttl' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      c = connect(CI_SCOPE, { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retryDelayInMs: 10 });
      const tag = await c.client.tag.createOrUpdate(CI_SCOPE.resourceGroup, CI_SCOPE.serviceName, 'ttl', { displayName: 'ttl' });
      expect(tag.displayName).toBe('ttl');
      expect(attempts).toBe(2);
      expect(c.requests).toMatchObject({ PUT: 2 });
      // A write first tried after the stop is still refused.
      const refused = await c.client.tag.createOrUpdate(CI_SCOPE.resourceGroup, CI_SCOPE.serviceName, 'other', { displayName: 'other' }).catch((error: unknown) => error);
      expect(isWriteStopped(refused)).toBe(true);
      expect(attempts).toBe(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
