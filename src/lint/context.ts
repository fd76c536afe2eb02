import type { Severity, SourcePos } from '../diagnostics';
import type { PolicyElement } from '../policy/ast';
import type { RenderedRepository } from '../render/desired';
import type { EffectivePolicies, PolicyFile } from '../effective';
export type { PolicyFile, PolicyLevel } from '../effective';

export interface Report {
  pos: SourcePos;
  message: string;
  /**
   * A severity above the rule's level for this finding (e.g. a wildcard CORS origin with credentials). The configured
   * level (`lint.rules`) does not lower it; only `off` silences it.
   */
  severity?: Severity;
}

/** What a rule sees: the rendered repository, its parsed policies, the effective policies, and a way to report. */
export interface LintContext {
  rendered: RenderedRepository;
  policies: readonly PolicyFile[];
  /** Parsed fragments by id (fragments that failed to parse are absent: their xml-syntax finding already exists). */
  fragments: ReadonlyMap<string, PolicyFile>;
  effective: EffectivePolicies;
  /** Every element with this name in the parsed policy files (document order, files in repository order). */
  elementsNamed(name: string): ReadonlyArray<{ file: PolicyFile; element: PolicyElement }>;
  report(report: Report): void;
}

export interface Rule {
  id: string;
  defaultSeverity: Severity;
  description: string;
  /** Repository-relative path of the rule's documentation page. */
  docsUrl: string;
  check(ctx: LintContext): void;
}

export function ruleDocsPath(id: string): string {
  return `docs/rules/${id}.md`;
}
