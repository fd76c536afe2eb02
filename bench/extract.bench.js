'use strict';
// apiops extract from an emulator holding 200 APIs x 5 operations with 25 ms latency per request, at concurrency 8,
// against the latency floor: requests x latency / concurrency (what the requests cost if every slot were always busy).
// Also a one-API selective extraction, whose request count must not depend on the instance's size.
// Target: full extraction <= 1.5x its floor.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { table } = require('./lib/measure');
const { connect } = require('../src/azure/client.ts');
const { startEmulator } = require('../src/emulator/index.ts');
const { extractInstance } = require('../src/extract/index.ts');
const { seedApiId, seedInstance } = require('../test/extract/seed.ts');

const APIS = Number(process.env.BENCH_APIS ?? 200);
const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 5);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 25);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TARGET_RATIO = 1.5;
const SCOPE = { subscriptionId: '00000000-0000-0000-0000-00000000be01', resourceGroup: 'rg-bench', serviceName: 'apim-bench' };

async function timedExtract(url, selection) {
  const connection = connect(SCOPE, { endpoint: url, concurrency: CONCURRENCY });
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-bench-extract-out-'));
  try {
    const start = process.hrtime.bigint();
    const result = await extractInstance({ connection, outDir, template: { env: 'bench', values: {} }, ...selection });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return { ms, requests: connection.requests.total, files: result.written.length };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-bench-extract-state-'));
  try {
    // Seeded without latency, then served with it from the same state directory.
    const seeding = await startEmulator({ port: 0, dataDir });
    await seedInstance(connect(SCOPE, { endpoint: seeding.url, concurrency: 16 }), APIS, OPERATIONS);
    await seeding.close();
    const emulator = await startEmulator({ port: 0, dataDir, latencyMs: LATENCY_MS });
    try {
      const full = await timedExtract(emulator.url, {});
      const one = await timedExtract(emulator.url, { apis: [seedApiId(Math.floor(APIS / 2))] });
      const floor = (requests) => (requests * LATENCY_MS) / CONCURRENCY;
      const ratio = full.ms / floor(full.requests);
      console.log(`extract: ${APIS} APIs x ${OPERATIONS} operations, ${LATENCY_MS} ms latency (±50% jitter), concurrency ${CONCURRENCY}`);
      console.log(
        table(
          ['extraction', 'requests', 'files', 'wall ms', 'floor ms', 'ratio'],
          [
            ['whole instance', full.requests, full.files, full.ms.toFixed(0), floor(full.requests).toFixed(0), ratio.toFixed(2)],
            ['one API (--api)', one.requests, one.files, one.ms.toFixed(0), floor(one.requests).toFixed(0), (one.ms / floor(one.requests)).toFixed(2)],
          ],
        ),
      );
      const verdict = ratio <= TARGET_RATIO ? 'ok' : 'OVER TARGET';
      console.log(`ratio whole-instance/floor: ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${verdict}`);
      if (ratio > TARGET_RATIO) process.exitCode = 1;
    } finally {
      await emulator.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
