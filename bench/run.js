#!/usr/bin/env node
'use strict';
// `npm run bench`: runs every bench/*.bench.js in its own Node process (one at a time, so they do not compete for
// the CPU), with the TypeScript sources loaded through lib/register-ts.js. `npm run bench -- validate` runs only
// the benches whose name contains "validate". Exits non-zero if any bench fails or misses its target.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const filters = process.argv.slice(2);
const benches = fs
  .readdirSync(__dirname)
  .filter((name) => name.endsWith('.bench.js'))
  .filter((name) => !filters.length || filters.some((f) => name.includes(f)))
  .sort();
if (!benches.length) {
  console.error(`no bench matches ${filters.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const bench of benches) {
  console.log(`\n## ${bench.replace(/\.bench\.js$/, '')}`);
  const result = spawnSync(process.execPath, ['-r', path.join(__dirname, 'lib', 'register-ts.js'), path.join(__dirname, bench)], {
    stdio: 'inherit',
    cwd: path.join(__dirname, '..'),
  });
  if (result.status !== 0) {
    failed++;
    console.log(`${bench}: FAILED (exit ${result.status ?? result.signal})`);
  }
}
console.log(`\n${benches.length - failed}/${benches.length} benches passed`);
process.exit(failed ? 1 : 0);
