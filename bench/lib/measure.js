'use strict';
// Timing helpers shared by the benches: medians of interleaved runs, and a plain-text table.

/** Runs each named step `runs` times, interleaved (so drift hits all alike) after one warm-up; returns medians in ms. */
function measure(steps, runs) {
  for (const step of Object.values(steps)) step();
  const samples = Object.fromEntries(Object.keys(steps).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, step] of Object.entries(steps)) {
      const start = process.hrtime.bigint();
      step();
      samples[name].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return [name, { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] }];
    }),
  );
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

module.exports = { measure, table };
