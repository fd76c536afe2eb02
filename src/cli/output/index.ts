import type { Finding, Severity } from '../../diagnostics';
import { ruleMetadata } from '../../lint';
import { formatGithub } from './github';
import { formatJson } from './json';
import { formatJunit } from './junit';
import { formatSarif } from './sarif';
import { formatStylish } from './stylish';

export const OUTPUT_FORMATS = ['stylish', 'json', 'sarif', 'junit', 'github'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface FormatOptions {
  /** Colour (stylish only): true when writing to a terminal. */
  color: boolean;
  failOn: Severity;
}

/** Renders findings in one of the report formats `apiops validate --format` offers. */
export function formatFindings(format: OutputFormat, findings: readonly Finding[], options: FormatOptions): string {
  switch (format) {
    case 'stylish':
      return formatStylish(findings, { color: options.color });
    case 'json':
      return formatJson(findings);
    case 'sarif':
      return formatSarif(findings, ruleMetadata());
    case 'junit':
      return formatJunit(findings, { failOn: options.failOn });
    case 'github':
      return formatGithub(findings);
  }
}

export { meetsLevel, sortFindings, summarize } from './findings';
