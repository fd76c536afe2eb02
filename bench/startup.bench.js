'use strict';
// Start-up of the CLI as a user sees it, each run a whole process: `apiops --version` and `apiops validate` of the
// sample repository at the project root, against a bare `node -e 0` measured in the same run. Targets: --version <= 2x,
// validate of the sample <= 4x (each command loads only its own modules; the Azure SDK only for the commands that
// talk to Azure).
const { buildCli, CLI, measure, nodeProcess, table } = require('./lib/measure');

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const TARGETS = { version: 2, validate: 4 };

buildCli();
const results = measure(
  {
    node: nodeProcess(['-e', '0']),
    version: nodeProcess([CLI, '--version']),
    validate: nodeProcess([CLI, 'validate']),
  },
  RUNS,
);
const ratio = (name) => results[name].median / results.node.median;
const cpuRatio = (name) => (results[name].cpuMedian / results.node.cpuMedian).toFixed(2);
const cell = (name) => [...['median', 'min', 'max', 'cpuMedian'].map((k) => results[name][k].toFixed(0)), cpuRatio(name)];
// The targets are wall-time ratios; the CPU-time ratio is what to compare on a machine other work keeps busy.
console.log(`startup: whole processes, median of ${RUNS} interleaved runs`);
console.log(
  table(
    ['process', 'median ms', 'min ms', 'max ms', 'CPU ms', 'CPU ratio', 'ratio', 'target'],
    [
      ['node -e 0 (floor)', ...cell('node'), '1.00', ''],
      ['apiops --version', ...cell('version'), ratio('version').toFixed(2), `<= ${TARGETS.version}x`],
      ['apiops validate (the sample)', ...cell('validate'), ratio('validate').toFixed(2), `<= ${TARGETS.validate}x`],
    ],
  ),
);
for (const [name, target] of Object.entries(TARGETS)) {
  const ok = ratio(name) <= target;
  console.log(`${name}/node: ${ratio(name).toFixed(2)}x (target <= ${target}x) ${ok ? 'ok' : 'OVER TARGET'}`);
  if (!ok) process.exitCode = 1;
}
