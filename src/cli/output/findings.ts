import { compareFindings, type Finding, type Severity } from '../../diagnostics';

export const OUTPUT_FORMATS = ['stylish', 'json', 'sarif', 'junit', 'github'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const SEVERITY_RANK: Record<Severity, number> = { warn: 1, error: 2 };

/** Whether a finding of `severity` fails a run whose fail level is `failOn`. */
export function meetsLevel(severity: Severity, failOn: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[failOn];
}

/** Findings in report order: by file, then position, then rule (deterministic across runs). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function summarize(findings: readonly Finding[]): { error: number; warn: number } {
  return {
    error: findings.filter((f) => f.severity === 'error').length,
    warn: findings.filter((f) => f.severity === 'warn').length,
  };
}

/** Findings grouped by file, in report order. */
export function groupByFile(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const finding of sortFindings(findings)) {
    const group = groups.get(finding.file) ?? [];
    group.push(finding);
    groups.set(finding.file, group);
  }
  return groups;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The message as reports show it: naming the environments a finding holds in when it does not hold in all. */
export function messageOf(finding: Finding): string {
  return finding.environments ? `${finding.message} (in ${finding.environments.join(', ')})` : finding.message;
}

/**
 * One list from each environment's findings: a finding met in several is reported once, naming the environments it
 * holds in unless it holds in all of them.
 */
export function mergeEnvironmentFindings(perEnvironment: ReadonlyArray<{ environment: string; findings: readonly Finding[] }>): Finding[] {
  const merged = new Map<string, { finding: Finding; environments: string[] }>();
  for (const { environment, findings } of perEnvironment) {
    for (const finding of findings) {
      const key = JSON.stringify([finding.rule, finding.severity, finding.file, finding.line, finding.column, finding.message]);
      const entry = merged.get(key) ?? { finding, environments: [] };
      if (!entry.environments.includes(environment)) entry.environments.push(environment);
      merged.set(key, entry);
    }
  }
  const all = perEnvironment.length;
  return sortFindings(
    [...merged.values()].map(({ finding, environments }) => {
      const { rule, severity, file, line, column, message } = finding;
      return { rule, severity, file, line, column, message, ...(environments.length < all ? { environments } : {}) };
    }),
  );
}
