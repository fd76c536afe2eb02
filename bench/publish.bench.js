'use strict';
// apiops publish into an emulator with 25 ms latency per request (±50% jitter) at concurrency 8: a cold publish of
// 200 APIs x 5 operations, then a no-op re-publish. Each is compared with its latency floor, requests x latency /
// concurrency (what its requests cost if every slot were always busy; for the no-op run these are the reads it must
// make). Targets: both <= 1.2x, and the no-op run writes nothing. The emulator runs in its own process (`apiops
// emulator`), as Azure does, so that its work does not take the CPU from the publish being measured. Also printed: how
// long requests held their slot on average, how long of that they spent in the emulator (from arrival to answer, its
// latency included) and how busy the slots were, which tells a scheduler that leaves slots idle from a machine too
// loaded to answer in 25 ms. Last, `publish --api` of one API edited after the re-publish: its
// requests must stay a handful (target <= SELECTED_REQUESTS_TARGET, one write), however many APIs the instance has.
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { buildCli, CLI, table } = require('./lib/measure');
const { connect } = require('../src/azure/client.ts');
const { applyPlan } = require('../src/apply/apply.ts');
const { planAgainstLive } = require('../src/plan/live.ts');
const { summarize } = require('../src/plan/plan.ts');
const { loadAndRender } = require('../src/render/index.ts');
const { selectDesired } = require('../src/plan/selection.ts');
const { generateRepository } = require('../test/fixtures/generate.ts');

// Overridable for quick runs, e.g. BENCH_APIS=20 npm run bench -- publish.
const setting = (name, fallback) => Number(process.env[`BENCH_${name}`] ?? fallback);
const [APIS, OPERATIONS, LATENCY_MS, CONCURRENCY] = [setting('APIS', 200), setting('OPERATIONS', 5), setting('LATENCY_MS', 25), setting('CONCURRENCY', 8)];
const TARGET_RATIO = 1.2;
const SELECTED_REQUESTS_TARGET = 15;
const SCOPE = { subscriptionId: '00000000-0000-0000-0000-00000000be02', resourceGroup: 'rg-bench-publish', serviceName: 'apim-bench-publish' };

/** `apiops emulator` on an ephemeral port in a child process; resolves once it listens. */
function startEmulatorProcess() {
  const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0', '--latency', String(LATENCY_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const listening = /listening on (http:\/\/\S+)/.exec(out);
      if (listening) resolve({ url: listening[1], stop: () => new Promise((done) => child.once('exit', done).kill('SIGTERM')) });
    });
    child.once('exit', (code) => reject(new Error(`apiops emulator exited (${code}) before listening`)));
  });
}

/** Adds up the time requests hold a concurrency slot (from getting it to their answer). */
function slotTimer(connection) {
  const timer = { totalMs: 0 };
  connection.client.pipeline.addPolicy(
    {
      name: 'benchSlotTimer',
      sendRequest: async (request, next) => {
        const start = process.hrtime.bigint();
        try {
          return await next(request);
        } finally {
          timer.totalMs += Number(process.hrtime.bigint() - start) / 1e6;
        }
      },
    },
    { afterPolicies: ['apiopsConcurrencyLimit'] },
  );
  return timer;
}

/** The emulator's log of the requests it answered (with the time each spent in it, latency included). */
async function emulatorLog(url) {
  const response = await fetch(`${url}/_emulator/stats`);
  return (await response.json()).log;
}

async function timedPublish(url, desired, selected) {
  const connection = connect(SCOPE, { endpoint: url, concurrency: CONCURRENCY });
  const slots = slotTimer(connection);
  const logged = (await emulatorLog(url)).length;
  const start = process.hrtime.bigint();
  const plan = await planAgainstLive(connection, desired, selected);
  const result = await applyPlan(connection, plan, desired, { prune: false });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!result.ok) throw new Error(`publish failed: ${result.outcomes.filter((o) => o.outcome !== 'applied').map((o) => `${o.change.id}: ${o.reason}`).join('; ')}`);
  const r = connection.requests;
  const answered = (await emulatorLog(url)).slice(logged).filter((entry) => !entry.path.startsWith('/_emulator/'));
  const emulatorMs = answered.reduce((sum, entry) => sum + entry.durationMs, 0);
  return { ms, requests: r.total, writes: r.PUT + r.PATCH + r.DELETE, summary: summarize(plan, false), slotMs: slots.totalMs, emulatorMs, answered: answered.length };
}

async function main() {
  buildCli();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-bench-publish-'));
  const emulator = await startEmulatorProcess();
  try {
    generateRepository(root, { apis: APIS, operationsPerApi: OPERATIONS });
    const { desired } = loadAndRender(root, 'local', {});
    const runs = { cold: await timedPublish(emulator.url, desired), 'no-op re-publish': await timedPublish(emulator.url, desired) };
    const edited = path.join(root, 'apis', 'api-0003', 'policy.xml');
    fs.writeFileSync(edited, fs.readFileSync(edited, 'utf8').replace('<outbound>', '<outbound>\n        <set-header name="X-Edited" exists-action="override"><value>1</value></set-header>'));
    const selected = selectDesired(loadAndRender(root, 'local', {}), { apis: ['api-0003'], products: [] }, false);
    runs['--api api-0003 (edited)'] = await timedPublish(emulator.url, selected.desired, selected);
    const floor = (run) => (run.requests * LATENCY_MS) / CONCURRENCY;
    console.log(`publish: ${APIS} APIs x ${OPERATIONS} operations, ${LATENCY_MS} ms latency (±50% jitter), concurrency ${CONCURRENCY}, emulator in its own process`);
    console.log(
      table(
        ['publish', 'changes', 'requests', 'requests/API', 'writes', 'wall ms', 'floor ms', 'ratio', 'ms per request', 'in emulator', 'slots busy'],
        Object.entries(runs).map(([name, run]) => [
          name,
          run.summary.create + run.summary.update + run.summary.delete,
          run.requests,
          (run.requests / APIS).toFixed(2),
          run.writes,
          run.ms.toFixed(0),
          floor(run).toFixed(0),
          (run.ms / floor(run)).toFixed(2),
          (run.slotMs / run.requests).toFixed(1),
          (run.emulatorMs / run.answered).toFixed(1),
          `${((100 * run.slotMs) / (run.ms * CONCURRENCY)).toFixed(0)}%`,
        ]),
      ),
    );
    // The selection's reads wait on one another (the API, then its operations, then their policies), so its time is no
    // measure of the scheduler: its target is its request count.
    for (const name of ['cold', 'no-op re-publish']) {
      const run = runs[name];
      const ratio = run.ms / floor(run);
      const ok = ratio <= TARGET_RATIO;
      console.log(`${name}/floor: ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${ok ? 'ok' : 'OVER TARGET'}`);
      if (!ok) process.exitCode = 1;
    }
    const one = runs['--api api-0003 (edited)'];
    const oneOk = one.requests <= SELECTED_REQUESTS_TARGET && one.writes === 1;
    console.log(`--api requests: ${one.requests} (target <= ${SELECTED_REQUESTS_TARGET}; the whole no-op re-publish: ${runs['no-op re-publish'].requests}), writes: ${one.writes} (target 1) ${oneOk ? 'ok' : 'OVER TARGET'}`);
    if (!oneOk) process.exitCode = 1;
    const again = runs['no-op re-publish'];
    console.log(`no-op re-publish writes: ${again.writes} (target 0) ${again.writes === 0 ? 'ok' : 'OVER TARGET'}`);
    if (again.writes !== 0) process.exitCode = 1;
  } finally {
    await emulator.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
