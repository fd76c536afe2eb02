import { formatPos } from '../../diagnostics';
import { attributeValue } from '../../policy/query';
import type { PolicyElement } from '../../policy/ast';
import { ruleDocsPath, type LintContext, type PolicyLevel, type Rule } from '../context';
import { SECTIONS, type Section } from '../../policy/knowledge/types';
import { walkStatements, walkStructure, type StatementVisit } from '../walk';

export const policyPlacement: Rule = {
  id: 'policy-placement',
  defaultSeverity: 'error',
  description: 'A policy in a section or scope where API Management does not allow it (quota outside product scope, rate-limit outside inbound, forward-request outside backend, <base /> outside a section), or a single-use policy (rate-limit, quota) used twice in one policy document.',
  docsUrl: ruleDocsPath('policy-placement'),
  check(ctx) {
    const checkedIncludes = new Set<string>();
    for (const file of ctx.policies) {
      const level = file.level;
      const firstUse = new Map<string, PolicyElement>();
      walkStructure(file.document, {
        statement(visit) {
          checkStatement(ctx, visit, level);
          if (visit.spec?.once) checkSingleUse(ctx, visit.element, firstUse);
          if (level !== 'fragment' && visit.section && visit.element.name === 'include-fragment') {
            checkIncludedFragment(ctx, visit.element, visit.section, level, checkedIncludes);
          }
        },
      });
    }
  },
};

/** Checks one statement; `level` fragment means "scope and section decided by whoever includes it". */
function checkStatement(ctx: LintContext, { element, section, spec, parent }: StatementVisit, level: PolicyLevel, via = ''): void {
  if (element.name === 'base') {
    if (level === 'fragment' || !(SECTIONS as readonly string[]).includes(parent.name)) {
      ctx.report({ pos: element.pos, message: `<base /> must be a direct child of a policy section${via}` });
    }
    return;
  }
  if (!spec) return;
  if (section && !spec.sections.includes(section)) {
    const allowed = spec.sections.length ? `allowed in: ${spec.sections.join(', ')}` : `allowed only in GraphQL resolvers`;
    ctx.report({ pos: element.pos, message: `${spec.name} is not allowed in the ${section} section${via} (${allowed})` });
  }
  if (level !== 'fragment' && !spec.scopes.includes(level)) {
    ctx.report({ pos: element.pos, message: `${spec.name} is not allowed at ${level} scope${via} (allowed at: ${spec.scopes.join(', ')})` });
  }
}

/**
 * A policy its reference allows "only once per policy definition": every later use in the same document, in any
 * section or `choose` branch, is reported at the later element.
 */
function checkSingleUse(ctx: LintContext, element: PolicyElement, firstUse: Map<string, PolicyElement>): void {
  const first = firstUse.get(element.name);
  if (!first) {
    firstUse.set(element.name, element);
    return;
  }
  ctx.report({
    pos: element.pos,
    message: `${element.name} is already used in this policy document (line ${first.pos.line}); API Management allows it only once per policy definition — merge the limits into one ${element.name}, or use ${element.name}-by-key`,
  });
}

/** A fragment's statements take the section and scope of the include; each combination is checked once. */
function checkIncludedFragment(ctx: LintContext, include: PolicyElement, section: Section, level: PolicyLevel, checked: Set<string>): void {
  const id = attributeValue(include, 'fragment-id');
  const fragment = id === undefined ? undefined : ctx.fragments.get(id);
  if (!fragment || checked.has(`${id}|${section}|${level}`)) return;
  checked.add(`${id}|${section}|${level}`);
  const statements = { ...fragment.document.root, children: [...ctx.effective.fragmentStatements(id!)] };
  const via = ` (fragment ${id} is included in the ${section} section at ${level} scope, at ${formatPos(include.pos)})`;
  walkStatements(statements, section, { statement: (visit) => checkStatement(ctx, visit, level, via) });
}
