'use strict';
// The emulator's own overhead per request: a mixed ARM workload (reads, list pages, entity writes, policy writes
// with XML parsing) at concurrency 8 with no latency injected, against the floor of the same requests answered by
// a bare HTTP server that only reads the body and returns a fixed JSON (measured in the same run, same client).
// Both in memory and with a data directory (write-behind persistence). Target: overhead < 1 ms per request.
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { table } = require('./lib/measure');
const { startEmulator } = require('../src/emulator/index.ts');

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_MS = 1;
const SERVICE = '/subscriptions/00000000-0000-0000-0000-00000000be03/resourceGroups/rg-bench/providers/Microsoft.ApiManagement/service/apim-bench';
const VERSION = 'api-version=2024-05-01';
const POLICY = (i) =>
  `<policies><inbound><base /><set-header name="x-request" exists-action="override"><value>@(context.RequestId + "-${i}")</value></set-header><rate-limit calls="100" renewal-period="60" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(base, method, pathAndQuery, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(`${base}${pathAndQuery}`, {
      method,
      agent,
      headers: { Authorization: 'Bearer bench', 'Content-Type': 'application/json', ...(payload ? { 'Content-Length': Buffer.byteLength(payload) } : {}), 'If-Match': '*' },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 400 ? resolve() : reject(new Error(`${method} ${pathAndQuery}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The i-th request of the mix: 50% entity reads, 10% list pages, 25% entity writes, 15% policy writes and reads. */
function request(i) {
  const n = i % 100;
  const api = `api-${i % 200}`;
  if (n < 50) return ['GET', `${SERVICE}/apis/${api}?${VERSION}`];
  if (n < 60) return ['GET', `${SERVICE}/apis?${VERSION}&$top=20&$skip=${(i * 20) % 200}`];
  if (n < 85) return ['PUT', `${SERVICE}/products/product-${i % 200}?${VERSION}`, { properties: { displayName: `Product ${i}`, subscriptionRequired: true, state: 'published' } }];
  if (n < 93) return ['PUT', `${SERVICE}/apis/${api}/policies/policy?${VERSION}`, { properties: { format: 'rawxml', value: POLICY(i) } }];
  return ['GET', `${SERVICE}/apis/${api}/policies/policy?${VERSION}&format=rawxml`];
}

async function runMix(base) {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const [method, url, body] = request(next++);
        await send(base, method, url, body);
      }
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function seed(base) {
  for (let i = 0; i < 200; i++) {
    await send(base, 'PUT', `${SERVICE}/apis/api-${i}?${VERSION}`, { properties: { displayName: `API ${i}`, path: `api-${i}`, protocols: ['https'] } });
    await send(base, 'PUT', `${SERVICE}/apis/api-${i}/policies/policy?${VERSION}`, { properties: { format: 'rawxml', value: POLICY(i) } });
  }
}

function bareServer() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = '{"id":"x","type":"Microsoft.ApiManagement/service/apis","name":"x","properties":{}}';
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-bench-emulator-'));
  const floorServer = await bareServer();
  const floorBase = `http://127.0.0.1:${floorServer.address().port}`;
  const memory = await startEmulator({ port: 0 });
  const persisted = await startEmulator({ port: 0, dataDir });
  try {
    await seed(memory.url);
    await seed(persisted.url);
    const samples = { floor: [], memory: [], persisted: [] };
    await runMix(floorBase);
    for (let run = 0; run < RUNS; run++) {
      samples.floor.push(await runMix(floorBase));
      samples.memory.push(await runMix(memory.url));
      samples.persisted.push(await runMix(persisted.url));
    }
    const floor = median(samples.floor);
    const perRequest = (ms) => ((ms - floor) / REQUESTS).toFixed(3);
    console.log(`emulator: ${REQUESTS} requests (50% GET entity, 10% list page, 25% PUT entity, 8% PUT policy, 7% GET policy), concurrency ${CONCURRENCY}, no latency, median of ${RUNS} runs`);
    console.log(
      table(
        ['server', 'wall ms', 'requests/s', 'overhead ms/request'],
        [
          ['bare HTTP server (floor)', floor.toFixed(0), ((REQUESTS / floor) * 1000).toFixed(0), '-'],
          ['emulator, in memory', median(samples.memory).toFixed(0), ((REQUESTS / median(samples.memory)) * 1000).toFixed(0), perRequest(median(samples.memory))],
          ['emulator, --data DIR', median(samples.persisted).toFixed(0), ((REQUESTS / median(samples.persisted)) * 1000).toFixed(0), perRequest(median(samples.persisted))],
        ],
      ),
    );
    const worst = (Math.max(median(samples.memory), median(samples.persisted)) - floor) / REQUESTS;
    const verdict = worst < TARGET_MS ? 'ok' : 'OVER TARGET';
    console.log(`emulator overhead per request: ${worst.toFixed(3)} ms (target < ${TARGET_MS} ms) ${verdict}`);
    if (worst >= TARGET_MS) process.exitCode = 1;
  } finally {
    await memory.close();
    await persisted.close();
    floorServer.close();
    agent.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
