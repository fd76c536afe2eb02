import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding, Severity } from '../diagnostics';
import type { RenderedRepository } from '../render/desired';
import { packageRoot } from '../package-root';
import { ruleDocsPath } from './context';
import { BUILT_IN_RULES, runRules } from './engine';
import { RULES } from './rules';


/**
 * All findings for a rendered repository: the load/render findings (schema, template, xml-syntax) plus every lint
 * rule's, with severities from `lint.rules` (overridden per environment by `environments.<e>.lint.rules`) and
 * `apiops-disable-next-line` suppressions applied; sorted by file, line and column.
 */
export function lintRepository(rendered: RenderedRepository): Finding[] {
  return runRules(rendered, RULES);
}

/** What reports (SARIF rule metadata, docs links) say about a rule. `helpUri` is relative to the package root (SARIF links it on the project repository). */
export interface RuleMetadata {
  id: string;
  description: string;
  helpUri: string;
  defaultSeverity: Severity;
  /** The rule's documentation page (Markdown), for formats that embed help text (SARIF `help.markdown`). */
  helpMarkdown?: string;
}

/** Every rule id apiops can report, for report formats that describe their rules. */
export function ruleMetadata(): RuleMetadata[] {
  const suppression: RuleMetadata = {
    id: 'suppression',
    description: 'An apiops-disable-next-line comment without a reason, naming an unknown rule, or suppressing nothing.',
    helpUri: ruleDocsPath('suppression'),
    defaultSeverity: 'warn',
  };
  return [
    ...BUILT_IN_RULES.map((r) => ({ id: r.id, description: r.description, helpUri: ruleDocsPath(r.id), defaultSeverity: r.defaultSeverity })),
    ...RULES.map((r) => ({ id: r.id, description: r.description, helpUri: r.docsUrl, defaultSeverity: r.defaultSeverity })),
    suppression,
  ].map((rule) => ({ ...rule, helpMarkdown: readDocsPage(rule.helpUri) }));
}

function readDocsPage(helpUri: string): string | undefined {
  try {
    return fs.readFileSync(path.join(packageRoot(), helpUri), 'utf8');
  } catch {
    return undefined;
  }
}
