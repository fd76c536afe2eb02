'use strict';
// apiops validate on a generated repository of 400 APIs x 20 operations, against the floor of merely reading every
// file and parsing it (YAML/JSON, policy XML). Target: validate <= 2x the floor.
const fs = require('fs');
const os = require('os');
const path = require('path');
const YAML = require('yaml');
const { measure, table } = require('./lib/measure');
const { generateRepository } = require('../test/fixtures/generate.ts');
const { parsePolicy } = require('../src/policy');
const { loadAndRender } = require('../src/render');
const { lintRepository } = require('../src/lint');
const { formatFindings } = require('../src/cli/output');

const APIS = Number(process.env.BENCH_APIS ?? 400);
const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_RATIO = 2;

function listFiles(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), rel) : [rel];
  });
}

function readAndParse(root) {
  for (const file of listFiles(root)) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    if (file.endsWith('.xml')) parsePolicy(text, file);
    else if (file.endsWith('.json')) JSON.parse(text);
    else YAML.parse(text);
  }
}

function validate(root) {
  const findings = lintRepository(loadAndRender(root, undefined, {}));
  formatFindings('json', findings, { color: false, failOn: 'error' });
  return findings;
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-bench-validate-'));
try {
  const files = generateRepository(root, { apis: APIS, operationsPerApi: OPERATIONS });
  const bytes = listFiles(root).reduce((sum, f) => sum + fs.statSync(path.join(root, f)).size, 0);
  const errors = validate(root).filter((f) => f.severity === 'error');
  if (errors.length) {
    console.error(`generated repository is not clean (${errors.length} errors), first: ${JSON.stringify(errors[0])}`);
    process.exitCode = 1;
  }
  const results = measure({ floor: () => readAndParse(root), validate: () => validate(root) }, RUNS);
  const ratio = results.validate.median / results.floor.median;
  console.log(`validate: ${APIS} APIs x ${OPERATIONS} operations, ${files} files, ${(bytes / 1e6).toFixed(1)} MB, median of ${RUNS} runs`);
  console.log(
    table(
      ['step', 'median ms', 'min ms', 'max ms'],
      [
        ['read + parse every file (floor)', ...['median', 'min', 'max'].map((k) => results.floor[k].toFixed(0))],
        ['apiops validate (load, render, lint, report)', ...['median', 'min', 'max'].map((k) => results.validate[k].toFixed(0))],
      ],
    ),
  );
  const verdict = ratio <= TARGET_RATIO ? 'ok' : 'OVER TARGET';
  console.log(`ratio validate/floor: ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${verdict}`);
  if (ratio > TARGET_RATIO) process.exitCode = 1;
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
