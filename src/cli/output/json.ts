import type { Finding } from '../../diagnostics';
import { sortFindings, summarize } from './findings';

/** The contract's `validate --format json` shape. */
export function formatJson(findings: readonly Finding[]): string {
  const sorted = sortFindings(findings).map(({ rule, severity, file, line, column, message, environments }) => ({ rule, severity, file, line, column, message, ...(environments ? { environments } : {}) }));
  return `${JSON.stringify({ findings: sorted, summary: summarize(findings) }, null, 2)}\n`;
}
