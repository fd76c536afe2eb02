'use strict';
// Timing helpers shared by the benches: medians of interleaved runs, whole-process steps, and a plain-text table.
const { spawnSync } = require('child_process');
const path = require('path');

const PACKAGE_ROOT = path.join(__dirname, '..', '..');

/**
 * Runs each named step `runs` times, interleaved (so drift hits all alike) after one warm-up; returns medians in ms,
 * and `cpuMedian`, the median CPU time, for steps that report it (nodeProcess's).
 */
function measure(steps, runs) {
  for (const step of Object.values(steps)) step();
  const samples = Object.fromEntries(Object.keys(steps).map((name) => [name, { wall: [], cpu: [] }]));
  for (let i = 0; i < runs; i++) {
    for (const [name, step] of Object.entries(steps)) {
      const start = process.hrtime.bigint();
      const cpuMs = step();
      samples[name].wall.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (typeof cpuMs === 'number') samples[name].cpu.push(cpuMs);
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return Object.fromEntries(
    Object.entries(samples).map(([name, { wall, cpu }]) => [
      name,
      { median: median(wall), min: Math.min(...wall), max: Math.max(...wall), ...(cpu.length ? { cpuMedian: median(cpu) } : {}) },
    ]),
  );
}

/**
 * A step that runs `node ...args` as its own process (so module loading and start-up count, as they do for a user)
 * and fails the bench if it exits with another code than `expectedCode`; it returns the CPU time the process used.
 */
function nodeProcess(args, { cwd = PACKAGE_ROOT, expectedCode = 0 } = {}) {
  return () => {
    const run = spawnSync(process.execPath, ['-r', REPORT_CPU, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (run.status !== expectedCode) throw new Error(`node ${args.join(' ')} exited ${run.status ?? run.signal}: ${run.stderr}`);
    return Number(run.output[3]);
  };
}

const REPORT_CPU = path.join(__dirname, 'report-cpu.js');

/** `npm run build`: dist/ (what bin/apiops.js runs) from the current sources, so that a bench timing the CLI as a process times them. */
function buildCli() {
  const run = spawnSync('npm', ['run', '--silent', 'build'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
  if (run.status !== 0) throw new Error('npm run build failed');
}

const CLI = path.join(PACKAGE_ROOT, 'bin', 'apiops.js');

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

module.exports = { measure, table, nodeProcess, buildCli, CLI };
