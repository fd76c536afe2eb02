/** Runs the rules over a rendered repository and applies configured severities and suppressions. */
import { compareFindings, type Finding, type Severity } from '../diagnostics';
import type { PolicyElement } from '../policy/ast';
import { walkElements } from '../policy/query';
import type { RenderedRepository } from '../render/desired';
import type { LintLevel, RepoModel } from '../repo/model';
import { resourceDocuments } from '../repo/documents';
import type { LintContext, Report, Rule } from './context';
import { buildEffective, fragmentsById, policyFiles, policyTemplates, type PolicyFile } from '../effective';
import { didYouMean } from '../suggest';
import { applySuppressions, scanSuppressions, type Suppression } from './suppressions';

/** Findings produced while loading and rendering, before any rule runs. */
export const BUILT_IN_RULES: ReadonlyArray<Pick<Rule, 'id' | 'defaultSeverity' | 'description'>> = [
  { id: 'schema', defaultSeverity: 'error', description: 'A YAML file that does not match its JSON Schema, or a repository file that cannot be read.' },
  { id: 'xml-syntax', defaultSeverity: 'error', description: 'Policy XML that API Management would reject.' },
  { id: 'template', defaultSeverity: 'error', description: 'An undefined template variable or a Handlebars syntax error in a policy template.' },
];

/** `lint.rules` of the config, overridden by `environments.<e>.lint.rules`. */
export function configuredLevels(rendered: RenderedRepository): Record<string, LintLevel> {
  return { ...(rendered.model.config.data?.lint?.rules ?? {}), ...(rendered.environment.lint?.rules ?? {}) };
}

export function runRules(rendered: RenderedRepository, rules: readonly Rule[]): Finding[] {
  const levels = configuredLevels(rendered);
  const severityOf = (rule: string, fallback: Severity): Severity | undefined => {
    const level = levels[rule];
    return level === 'off' ? undefined : (level ?? fallback);
  };
  const knownRules = new Set([...BUILT_IN_RULES.map((r) => r.id), ...rules.map((r) => r.id), 'suppression']);
  const findings: Finding[] = [];
  for (const finding of [...rendered.findings, ...unknownConfiguredRules(rendered.model, knownRules)]) {
    const severity = severityOf(finding.rule, finding.severity);
    if (severity) findings.push({ ...finding, severity });
  }

  const files = policyFiles(rendered);
  const fragments = fragmentsById(files);
  const effective = buildEffective(rendered, files);
  const elementsNamed = elementIndex(files);
  for (const rule of rules) {
    const configured = levels[rule.id];
    if (configured === 'off') continue;
    const ctx: LintContext = {
      rendered,
      policies: files,
      fragments,
      effective,
      elementsNamed,
      report: (report: Report) =>
        findings.push({ rule: rule.id, severity: escalated(configured ?? rule.defaultSeverity, report.severity), ...report.pos, message: report.message }),
    };
    rule.check(ctx);
  }

  const inactive = new Set(Object.keys(levels).filter((id) => levels[id] === 'off'));
  const { kept, problems } = applySuppressions(unique(findings), collectSuppressions(rendered), knownRules, inactive);
  const suppressionSeverity = severityOf('suppression', 'warn');
  if (suppressionSeverity) {
    for (const problem of problems) kept.push({ rule: 'suppression', severity: suppressionSeverity, ...problem.pos, message: problem.message });
  }
  return kept.sort(compareFindings);
}

/**
 * A configured level sets the rule's ordinary severity; it never lowers a finding the rule escalates (a wildcard CORS
 * origin with credentials stays an error under `cors-wildcard: warn`). Only `off` silences those.
 */
function escalated(level: Severity, escalation: Severity | undefined): Severity {
  return escalation === 'error' ? 'error' : level;
}

/**
 * A `lint.rules` entry (repository-wide or in any environment) naming no rule: a misspelt id would otherwise leave the
 * rule at its default while the configuration says otherwise.
 */
function unknownConfiguredRules(model: RepoModel, knownRules: ReadonlySet<string>): Finding[] {
  const config = model.config;
  const places: Array<{ path: Array<string | number>; rules?: Record<string, LintLevel> }> = [
    { path: ['lint', 'rules'], rules: config.data?.lint?.rules },
    ...Object.entries(config.data?.environments ?? {}).map(([name, environment]) => ({
      path: ['environments', name, 'lint', 'rules'],
      rules: environment?.lint?.rules,
    })),
  ];
  const known = [...knownRules];
  return places.flatMap(({ path, rules }) =>
    Object.keys(rules ?? {})
      .filter((id) => !knownRules.has(id))
      .map((id) => {
        const pos = config.locateKey?.([...path, id]) ?? config.locate([...path, id]);
        return { rule: 'schema', severity: 'error' as const, ...pos, message: `${path.join('.')}: unknown rule '${id}'${didYouMean(id, known)}` };
      }),
  );
}

/** One walk over every file, on first use; then each name is a map lookup. */
function elementIndex(files: readonly PolicyFile[]): LintContext['elementsNamed'] {
  let index: Map<string, Array<{ file: PolicyFile; element: PolicyElement }>> | undefined;
  return (name) => {
    if (!index) {
      const built = new Map<string, Array<{ file: PolicyFile; element: PolicyElement }>>();
      for (const file of files) {
        walkElements(file.document.root, (element) => {
          let list = built.get(element.name);
          if (!list) built.set(element.name, (list = []));
          list.push({ file, element });
        });
      }
      index = built;
    }
    return index.get(name) ?? [];
  };
}

function unique(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}\0${f.file}\0${f.line}\0${f.column}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The outermost element whose start tag is on `line` (positions are template lines). */
function elementStartingOn(root: PolicyElement, line: number): PolicyElement | undefined {
  let found: PolicyElement | undefined;
  walkElements(root, (element) => {
    if (!found && element.pos.line === line) found = element;
  });
  return found;
}

/** The last line anything inside the element (attribute, child, text) starts on. */
function lastLineOf(element: PolicyElement): number {
  let last = element.pos.line;
  walkElements(element, (inner) => {
    for (const node of [...inner.attributes, ...inner.children]) last = Math.max(last, node.pos.line);
  });
  return last;
}

function collectSuppressions(rendered: RenderedRepository): Suppression[] {
  const { model } = rendered;
  const suppressions: Suppression[] = [];
  const documents = new Map(rendered.policies.flatMap((p) => (p.document ? [[p.source.file, p.document] as const] : [])));
  for (const { source } of policyTemplates(model)) {
    const document = documents.get(source.file);
    for (const suppression of scanSuppressions(source.file, source.text, 'xml')) {
      const element = document && elementStartingOn(document.root, suppression.targetLine);
      suppressions.push(element ? { ...suppression, lastLine: lastLineOf(element) } : suppression);
    }
  }
  for (const doc of [model.config, ...resourceDocuments(model)]) if (doc.text) suppressions.push(...scanSuppressions(doc.file, doc.text, 'yaml'));
  return suppressions;
}
