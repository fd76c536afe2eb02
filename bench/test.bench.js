'use strict';
// `apiops test` of the sample repository (every tests/**/*.test.yaml, environment local) as a user runs it: a whole
// process, start-up and module loading included. Floors measured in the same run, interleaved: a bare `node -e 0`, and
// `apiops validate --env local`, which loads and renders the same repository and checks the same test files but runs
// nothing. The test process's own report (--format json, summary.durationMs) splits off the time spent running the
// cases through the in-process gateways. `--concurrency 1` (the files one after another, each still on its own
// gateway) is measured the same way, for what running files at the same time saves. Target (issue 13): a run of the
// sample's tests under 5 s on this machine.
const { spawnSync } = require('child_process');
const { buildCli, CLI, measure, nodeProcess, table } = require('./lib/measure');

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET_MS = 5000;

/** In-process durations (ms) of the cases run, per way of running, one per `apiops test` process measured. */
const runDurations = { parallel: [], serial: [] };
let cases;

function testProcess(durations, extraArgs) {
  return () => {
    const run = spawnSync(process.execPath, [CLI, 'test', '--env', 'local', '--format', 'json', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`apiops test exited ${run.status ?? run.signal}: ${run.stderr}${run.stdout}`);
    const { summary } = JSON.parse(run.stdout);
    durations.push(summary.durationMs);
    cases = summary.total;
  };
}

buildCli();
const results = measure(
  {
    node: nodeProcess(['-e', '0']),
    validate: nodeProcess([CLI, 'validate', '--env', 'local']),
    test: testProcess(runDurations.parallel, []),
    serial: testProcess(runDurations.serial, ['--concurrency', '1']),
  },
  RUNS,
);
// The warm-up's duration is not one of the measured runs.
const spread = (durations) => {
  const measured = durations.slice(1).sort((a, b) => a - b);
  return { median: measured[Math.floor(measured.length / 2)], min: measured[0], max: measured[measured.length - 1] };
};
const inProcess = spread(runDurations.parallel);
const cell = (r) => ['median', 'min', 'max'].map((k) => r[k].toFixed(0));
const ratio = (r) => (r.median / results.node.median).toFixed(2);
console.log(`test: the sample's ${cases} cases, median of ${RUNS} interleaved runs`);
console.log(
  table(
    ['step', 'median ms', 'min ms', 'max ms', 'x node', 'target'],
    [
      ['node -e 0 (floor)', ...cell(results.node), '1.00', ''],
      ['apiops validate --env local (floor: load, render, check the test files)', ...cell(results.validate), ratio(results.validate), ''],
      ['apiops test (whole process)', ...cell(results.test), ratio(results.test), `< ${TARGET_MS} ms`],
      ['  of which running the cases (in-process gateways, their report)', ...cell(inProcess), '', ''],
      ['apiops test --concurrency 1 (files one after another)', ...cell(results.serial), ratio(results.serial), ''],
      ['  of which running the cases', ...cell(spread(runDurations.serial)), '', ''],
    ],
  ),
);
const overhead = results.test.median - results.validate.median;
console.log(`apiops test - validate: ${overhead.toFixed(0)} ms (the gateway's start and the cases; the report says ${inProcess.median.toFixed(0)} ms for the cases)`);
const ok = results.test.median < TARGET_MS;
console.log(`apiops test: ${results.test.median.toFixed(0)} ms (target < ${TARGET_MS} ms) ${ok ? 'ok' : 'OVER TARGET'}`);
if (!ok) process.exitCode = 1;
