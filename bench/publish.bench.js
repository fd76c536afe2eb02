'use strict';
// apiops publish into an emulator with 25 ms latency per request (±50% jitter) at concurrency 8: a cold publish of
// 200 APIs x 5 operations against the latency floor (requests x latency / concurrency: what the requests cost if
// every slot were always busy; target <= 1.5x), then a no-op re-publish: its requests per API and its writes
// (target 0).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { table } = require('./lib/measure');
const { connect } = require('../src/azure/client.ts');
const { startEmulator } = require('../src/emulator/index.ts');
const { applyPlan } = require('../src/apply/apply.ts');
const { planAgainstLive } = require('../src/plan/live.ts');
const { summarize } = require('../src/plan/plan.ts');
const { loadAndRender } = require('../src/render/index.ts');
const { generateRepository } = require('../test/fixtures/generate.ts');

// Overridable for quick runs, e.g. BENCH_APIS=20 npm run bench -- publish.
const setting = (name, fallback) => Number(process.env[`BENCH_${name}`] ?? fallback);
const [APIS, OPERATIONS, LATENCY_MS, CONCURRENCY] = [setting('APIS', 200), setting('OPERATIONS', 5), setting('LATENCY_MS', 25), setting('CONCURRENCY', 8)];
const TARGET_RATIO = 1.5;
const SCOPE = { subscriptionId: '00000000-0000-0000-0000-00000000be02', resourceGroup: 'rg-bench-publish', serviceName: 'apim-bench-publish' };

async function timedPublish(url, desired) {
  const connection = connect(SCOPE, { endpoint: url, concurrency: CONCURRENCY });
  const start = process.hrtime.bigint();
  const plan = await planAgainstLive(connection, desired);
  const result = await applyPlan(connection, plan, desired, { prune: false });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!result.ok) throw new Error(`publish failed: ${result.outcomes.filter((o) => o.outcome !== 'applied').map((o) => `${o.change.id}: ${o.reason}`).join('; ')}`);
  const r = connection.requests;
  return { ms, requests: r.total, writes: r.PUT + r.PATCH + r.DELETE, summary: summarize(plan) };
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-bench-publish-'));
  const emulator = await startEmulator({ port: 0, latencyMs: LATENCY_MS });
  try {
    generateRepository(root, { apis: APIS, operationsPerApi: OPERATIONS });
    const { desired } = loadAndRender(root, 'local', {});
    const cold = await timedPublish(emulator.url, desired);
    const again = await timedPublish(emulator.url, desired);
    const floor = (requests) => (requests * LATENCY_MS) / CONCURRENCY;
    const ratio = cold.ms / floor(cold.requests);
    console.log(`publish: ${APIS} APIs x ${OPERATIONS} operations, ${LATENCY_MS} ms latency (±50% jitter), concurrency ${CONCURRENCY}`);
    console.log(
      table(
        ['publish', 'changes', 'requests', 'requests/API', 'writes', 'wall ms', 'floor ms', 'ratio'],
        [cold, again].map((run, i) => [
          i === 0 ? 'cold' : 'no-op re-publish',
          run.summary.create + run.summary.update + run.summary.delete,
          run.requests,
          (run.requests / APIS).toFixed(2),
          run.writes,
          run.ms.toFixed(0),
          floor(run.requests).toFixed(0),
          (run.ms / floor(run.requests)).toFixed(2),
        ]),
      ),
    );
    const coldOk = ratio <= TARGET_RATIO;
    console.log(`cold publish/floor: ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${coldOk ? 'ok' : 'OVER TARGET'}`);
    console.log(`no-op re-publish writes: ${again.writes} (target 0) ${again.writes === 0 ? 'ok' : 'OVER TARGET'}`);
    if (!coldOk || again.writes !== 0) process.exitCode = 1;
  } finally {
    await emulator.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
