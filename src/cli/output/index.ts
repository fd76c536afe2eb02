import type { Finding, Severity } from '../../diagnostics';
import { ruleMetadata } from '../../lint';
import { formatGithub } from './github';
import { formatJson } from './json';
import { formatJunit } from './junit';
import { formatSarif } from './sarif';
import type { OutputFormat } from './findings';
import { formatStylish } from './stylish';

export interface FormatOptions {
  /** Colour (stylish only): true when writing to a terminal. */
  color: boolean;
  failOn: Severity;
  /**
   * Where the repository lies inside the working directory (`--repo infra/apim` → `infra/apim`), '' when they are the
   * same. CI code-scanning and annotation formats (sarif, github) resolve paths against the checkout, so theirs start
   * with it; the others keep the contract's repository-relative paths.
   */
  repositoryPath?: string;
}

/** Renders findings in one of the report formats `apiops validate --format` offers. */
export function formatFindings(format: OutputFormat, findings: readonly Finding[], options: FormatOptions): string {
  switch (format) {
    case 'stylish':
      return formatStylish(findings, { color: options.color });
    case 'json':
      return formatJson(findings);
    case 'sarif':
      return formatSarif(inCheckout(findings, options.repositoryPath), ruleMetadata());
    case 'junit':
      return formatJunit(findings, { failOn: options.failOn });
    case 'github':
      return formatGithub(inCheckout(findings, options.repositoryPath));
  }
}

function inCheckout(findings: readonly Finding[], repositoryPath = ''): readonly Finding[] {
  return repositoryPath ? findings.map((finding) => ({ ...finding, file: `${repositoryPath}/${finding.file}` })) : findings;
}

export { meetsLevel, mergeEnvironmentFindings, sortFindings, summarize } from './findings';
