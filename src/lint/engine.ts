/** Runs the rules over a rendered repository and applies configured severities and suppressions. */
import type { Finding, Severity } from '../diagnostics';
import type { PolicyElement } from '../policy/ast';
import { walkElements } from '../policy/query';
import type { RenderedRepository } from '../render/desired';
import type { LintLevel, RepoModel, YamlDocument } from '../repo/model';
import { policyLevel, type LintContext, type PolicyFile, type Report, type Rule } from './context';
import { EffectivePolicies } from './effective';
import { applySuppressions, scanSuppressions, type Suppression } from './suppressions';

/** Findings produced while loading and rendering, before any rule runs. */
export const BUILT_IN_RULES: ReadonlyArray<Pick<Rule, 'id' | 'defaultSeverity' | 'description'>> = [
  { id: 'schema', defaultSeverity: 'error', description: 'A YAML file that does not match its JSON Schema, or a repository file that cannot be read.' },
  { id: 'xml-syntax', defaultSeverity: 'error', description: 'Policy XML that API Management would reject.' },
  { id: 'template', defaultSeverity: 'error', description: 'An undefined template variable or a Handlebars syntax error in a policy template.' },
];

/** The parsed policy files of a rendered repository, each with its level. */
export function policyFiles(rendered: RenderedRepository): PolicyFile[] {
  const files: PolicyFile[] = [];
  for (const policy of rendered.policies) {
    const level = policyLevel(policy.ref.kind);
    if (level && policy.document) files.push({ ref: policy.ref, level, source: policy.source, document: policy.document });
  }
  return files;
}

export function buildEffective(rendered: RenderedRepository, files = policyFiles(rendered)): EffectivePolicies {
  const unparsed = new Set<string>();
  for (const policy of rendered.policies) {
    const level = policyLevel(policy.ref.kind);
    if (level && !policy.document) unparsed.add(`${level}|${policy.ref.ids.join('|')}`);
  }
  return new EffectivePolicies(rendered.model, files, fragmentsById(files), unparsed);
}

function fragmentsById(files: readonly PolicyFile[]): Map<string, PolicyFile> {
  return new Map(files.filter((f) => f.level === 'fragment').map((f) => [f.ref.ids[0], f]));
}

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
  const findings: Finding[] = [];
  for (const finding of rendered.findings) {
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
        findings.push({ rule: rule.id, severity: configured ?? report.severity ?? rule.defaultSeverity, ...report.pos, message: report.message }),
    };
    rule.check(ctx);
  }

  const knownRules = new Set([...BUILT_IN_RULES.map((r) => r.id), ...rules.map((r) => r.id), 'suppression']);
  const inactive = new Set(Object.keys(levels).filter((id) => levels[id] === 'off'));
  const { kept, problems } = applySuppressions(unique(findings), collectSuppressions(rendered.model), knownRules, inactive);
  const suppressionSeverity = severityOf('suppression', 'warn');
  if (suppressionSeverity) {
    for (const problem of problems) kept.push({ rule: 'suppression', severity: suppressionSeverity, ...problem.pos, message: problem.message });
  }
  return kept.sort(byPlace);
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

function byPlace(a: Finding, b: Finding): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}

function collectSuppressions(model: RepoModel): Suppression[] {
  const suppressions: Suppression[] = [];
  const templates = [
    model.globalPolicy,
    ...Object.values(model.fragments),
    ...model.products.map((p) => p.policy),
    ...model.apis.flatMap((a) => [a.policy, ...Object.values(a.operationPolicies)]),
  ];
  for (const template of templates) if (template) suppressions.push(...scanSuppressions(template.file, template.text, 'xml'));
  const yamlDocuments: Array<YamlDocument<unknown> | undefined> = [
    model.config,
    ...model.apis.map((a) => a.definition),
    ...model.products.map((p) => p.definition),
    ...model.namedValues.map((n) => n.definition),
    ...model.backends.map((b) => b.definition),
  ];
  for (const doc of yamlDocuments) if (doc?.text) suppressions.push(...scanSuppressions(doc.file, doc.text, 'yaml'));
  return suppressions;
}
