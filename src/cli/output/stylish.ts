import type { Finding } from '../../diagnostics';
import { groupByFile, messageOf, plural, summarize } from './findings';

const ANSI = { red: '\u001b[31m', yellow: '\u001b[33m', dim: '\u001b[2m', bold: '\u001b[1m', underline: '\u001b[4m', reset: '\u001b[0m' };

/** ESLint-style report for people: findings grouped by file, coloured only on a terminal. */
export function formatStylish(findings: readonly Finding[], options: { color: boolean }): string {
  const paint = (code: string, text: string): string => (options.color ? `${code}${text}${ANSI.reset}` : text);
  if (!findings.length) return `${paint(ANSI.bold, 'No problems found.')}\n`;
  const lines: string[] = [];
  for (const [file, group] of groupByFile(findings)) {
    lines.push(paint(ANSI.underline, file));
    const positions = group.map((f) => `${f.line}:${f.column}`);
    const width = Math.max(...positions.map((p) => p.length));
    group.forEach((finding, i) => {
      const severity = finding.severity === 'error' ? paint(ANSI.red, 'error') : paint(ANSI.yellow, 'warn ');
      const message = messageOf(finding).replace(/\n/g, ' ');
      lines.push(`  ${paint(ANSI.dim, positions[i].padEnd(width))}  ${severity}  ${message}  ${paint(ANSI.dim, finding.rule)}`);
    });
    lines.push('');
  }
  const { error, warn } = summarize(findings);
  const total = `${plural(error + warn, 'problem')} (${plural(error, 'error')}, ${plural(warn, 'warning')})`;
  lines.push(paint(ANSI.bold, paint(error ? ANSI.red : ANSI.yellow, `✖ ${total}`)));
  return `${lines.join('\n')}\n`;
}
