'use strict';
// apiops validate of a generated repository of 400 APIs x 20 operations (half the specifications openapi.yaml, half
// openapi.json), each run a whole process, against the floor of a process that merely reads every file and parses it
// (JSON.parse, yaml, fast-xml-parser: bench/lib/read-and-parse.js). Target: validate <= 2x the floor.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { buildCli, CLI, measure, nodeProcess, table } = require('./lib/measure');
const { generateRepository } = require('../test/fixtures/generate.ts');

const APIS = Number(process.env.BENCH_APIS ?? 400);
const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_RATIO = 2;

function listFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-bench-validate-'));
try {
  buildCli();
  const files = generateRepository(root, { apis: APIS, operationsPerApi: OPERATIONS, specifications: 'yaml-and-json' });
  const bytes = listFiles(root).reduce((sum, file) => sum + fs.statSync(file).size, 0);
  const validateArgs = [CLI, 'validate', '--repo', root, '--format', 'json'];
  const report = spawnSync(process.execPath, validateArgs, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const { summary } = JSON.parse(report.stdout);
  if (report.status !== 0 || summary.error) {
    console.error(`generated repository is not clean (exit ${report.status}, ${summary.error} errors): ${report.stdout.slice(0, 500)}`);
    process.exitCode = 1;
  }
  const results = measure(
    {
      floor: nodeProcess([path.join(__dirname, 'lib', 'read-and-parse.js'), root]),
      validate: nodeProcess(validateArgs),
    },
    RUNS,
  );
  const ratio = results.validate.median / results.floor.median;
  const cells = (name) => ['median', 'min', 'max'].map((k) => results[name][k].toFixed(0));
  console.log(`validate: ${APIS} APIs x ${OPERATIONS} operations, ${files} files, ${(bytes / 1e6).toFixed(1)} MB, whole processes, median of ${RUNS} runs`);
  console.log(
    table(
      ['process', 'median ms', 'min ms', 'max ms'],
      [
        ['read + parse every file: JSON.parse, yaml, fast-xml-parser (floor)', ...cells('floor')],
        ['apiops validate --format json', ...cells('validate')],
      ],
    ),
  );
  const verdict = ratio <= TARGET_RATIO ? 'ok' : 'OVER TARGET';
  console.log(`ratio validate/floor: ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${verdict}`);
  if (ratio > TARGET_RATIO) process.exitCode = 1;
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
