'use strict';
// The gateway emulator's throughput: 1,000 requests through the sample repository's effective policy (environment
// local: validate-jwt with a real RS256 check, key stripping, correlation and caller headers, managed-identity token,
// the production product's policy, forward-request to the recording stub, outbound headers) at concurrency 8, against
// the floor of a bare node http server answering the same requests with a fixed JSON (same client, same run).
// A second row sends the developer key (rate-limit-by-key with its increment-condition and the weekly quota) within
// its limit. Target: >= 1,000 requests/s through the effective policy. The gateway records every call's trace (as
// `apiops gateway` and `apiops test` do); another row runs the production case on a gateway that does not, and
// recording must cost under 20% of the throughput. One more makes every trace's masked document and compact text as
// `apiops gateway --trace` prints them (into a counter, not a terminal): a mode for reading along, whose cost is
// reported, not held to the limit.
const http = require('http');
const path = require('path');
const { buildCli, table } = require('./lib/measure');

// The built CLI (dist/), which `apiops gateway` and `apiops test` run: the sources transpiled on load would put the
// TypeScript compiler in this process's heap, and every major garbage collection would mark it, charging each
// allocation that lives on (a kept trace most of all) several times its cost.
buildCli();
const { loadAndRender } = require('../dist/render/index.js');
const { startGateway } = require('../dist/gateway/index.js');
const { formatTrace } = require('../dist/cli/output/trace.js');

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_RPS = 1000;
const MAX_TRACE_OVERHEAD = 0.2;
// The overhead's runs: many, as the machine is shared and one run's CPU time can be another's plus a neighbour's.
const PAIRED_RUNS = Number(process.env.BENCH_PAIRED_RUNS ?? 9);
const TENANT = '4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37';

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(base, method, pathAndQuery, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathAndQuery}`, { method, agent, headers });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` GETs from CONCURRENCY clients, each expecting 200; resolves to the elapsed ms. */
async function run(base, pathAndQuery, headers, count = REQUESTS) {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) {
        const reply = await send(base, 'GET', pathAndQuery, headers);
        if (reply.status !== 200) throw new Error(`GET ${pathAndQuery}: HTTP ${reply.status} ${reply.headers['x-apiops-unsupported'] ?? reply.headers['x-apiops-error'] ?? reply.body}`);
      }
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function bareServer() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 });
      res.end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) })));
}

/** The CPU milliseconds (user + system) of this process while `step` runs. */
async function cpuMs(step) {
  const before = process.cpuUsage();
  await step();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const rendered = loadAndRender(path.join(__dirname, '..'), 'local', {});
  const gateway = await startGateway({ rendered, env: {} });
  // The developer case on a gateway of its own: its clock moves and its subscriptions pile up, and the gateways the
  // overheads compare must differ only in what they do with traces.
  const developerGateway = await startGateway({ rendered, env: {} });
  const untraced = await startGateway({ rendered, env: {}, trace: false });
  let printedCharacters = 0;
  const printer = await startGateway({ rendered, env: {}, onTrace: (trace) => void (printedCharacters += formatTrace(trace, { color: false }).length) });
  const bare = await bareServer();
  try {
    const control = async (endpoint, body, base = gateway.url) => JSON.parse((await send(base, 'POST', `/.apiops/${endpoint}`, { 'content-type': 'application/json' }, JSON.stringify(body))).body);
    const tokenFrom = async (base) => (await control('tokens', { issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`, audience: 'api://contoso-media-partner-api-dev', claims: { oid: 'bench' }, expiresInSeconds: 365 * 86400 }, base)).token;
    const token = await tokenFrom(gateway.url);
    const production = (await control('subscriptions', { product: 'fabrikam-production' })).primaryKey;
    const headers = (key, bearer = token) => ({ 'Ocp-Apim-Subscription-Key': key, Authorization: `Bearer ${bearer}` });
    const untracedHeaders = headers((await control('subscriptions', { product: 'fabrikam-production' }, untraced.url)).primaryKey, await tokenFrom(untraced.url));
    const developerToken = await tokenFrom(developerGateway.url);
    const printingHeaders = headers((await control('subscriptions', { product: 'fabrikam-production' }, printer.url)).primaryKey, await tokenFrom(printer.url));
    const cases = {
      'bare node http server (floor)': () => run(bare.url, '/orders/v1/orders', headers(production)),
      'gateway: GET /orders/v1/orders, production key': () => run(gateway.url, '/orders/v1/orders', headers(production)),
      'gateway without trace recording: the same': () => run(untraced.url, '/orders/v1/orders', untracedHeaders),
      'gateway printing every trace (gateway --trace): the same': () => run(printer.url, '/orders/v1/orders', printingHeaders),
      // A fresh developer key per run, 50 calls per minute of the gateway clock (devCallsPerMinute is 60): the clock
      // moves a minute between batches, outside the timing.
      'gateway: GET /orders/v1/orders, developer key (rate limit, quota)': async () => {
        const developer = (await control('subscriptions', { product: 'fabrikam-developer' }, developerGateway.url)).primaryKey;
        let total = 0;
        for (let sent = 0; sent < REQUESTS; sent += 50) {
          await control('clock', { advanceSeconds: 61 }, developerGateway.url);
          total += await run(developerGateway.url, '/orders/v1/orders', headers(developer, developerToken), Math.min(50, REQUESTS - sent));
        }
        return total;
      },
    };
    for (const step of Object.values(cases)) await step(); // warm-up
    const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, { ms: [], cpu: [] }]));
    for (let i = 0; i < RUNS; i++) {
      for (const [name, step] of Object.entries(cases)) {
        let ms = 0;
        samples[name].cpu.push(await cpuMs(async () => (ms = await step())));
        samples[name].ms.push(ms);
      }
    }
    // Client and gateway share this one thread: requests per CPU second is what one idle core would serve, the
    // figure that stays put when other processes load the machine (wall-clock requests/s does not).
    const rows = Object.entries(samples).map(([name, { ms, cpu }]) => {
      const wall = median(ms);
      const used = median(cpu);
      return [name, REQUESTS, wall.toFixed(0), Math.round((REQUESTS / wall) * 1000), used.toFixed(0), Math.round((REQUESTS / used) * 1000)];
    });
    console.log(table(['case', 'requests', 'median ms', 'requests/s', 'median CPU ms', 'requests/CPU s'], rows));
    const gatewayRps = rows[1][3];
    console.log(`\ngateway through the sample's effective policy: ${gatewayRps} requests/s (target >= ${TARGET_RPS}; floor ${rows[0][3]} requests/s); ${rows[1][5]} requests per CPU second of client and gateway together (floor ${rows[0][5]})`);
    // The machine is shared: wall-clock rows of two gateways drift apart with the load of other processes. The
    // overheads are measured by this process's CPU time (the client's and the gateways'), in runs ordered ABBA: each
    // side follows the other as often as itself, so the garbage one run leaves for the next is paid alike. The figure
    // is the median of the runs' ratios.
    const plainCase = cases['gateway without trace recording: the same'];
    const perRequest = (ms) => `${((ms / REQUESTS) * 1000).toFixed(0)} µs`;
    const overheadOf = async (tracedCase) => {
      const ratios = [];
      const cpu = { traced: [], plain: [] };
      for (let i = 0; i < Math.max(RUNS, PAIRED_RUNS); i++) {
        const first = await cpuMs(tracedCase);
        const plain = (await cpuMs(plainCase)) + (await cpuMs(plainCase));
        const traced = first + (await cpuMs(tracedCase));
        ratios.push(plain / traced);
        cpu.traced.push(traced / 2);
        cpu.plain.push(plain / 2);
      }
      return { overhead: 1 - median(ratios), traced: median(cpu.traced), plain: median(cpu.plain), runs: ratios.length };
    };
    const recording = await overheadOf(cases['gateway: GET /orders/v1/orders, production key']);
    const printing = await overheadOf(cases['gateway printing every trace (gateway --trace): the same']);
    console.log(`\nprocess CPU time per request (client and gateway): ${perRequest(recording.plain)} without trace, ${perRequest(recording.traced)} recording; ${perRequest(printing.plain)} without, ${perRequest(printing.traced)} printing (${printedCharacters} characters of compact trace made)`);
    console.log(`trace recording costs ${(recording.overhead * 100).toFixed(1)}% of the throughput (limit ${MAX_TRACE_OVERHEAD * 100}%), printing every trace ${(printing.overhead * 100).toFixed(1)}% (process CPU time, median of ${recording.runs} ABBA runs each)`);
    if (gatewayRps < TARGET_RPS || recording.overhead > MAX_TRACE_OVERHEAD) process.exitCode = 1;
  } finally {
    await gateway.close();
    await developerGateway.close();
    await untraced.close();
    await printer.close();
    await bare.close();
    agent.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
