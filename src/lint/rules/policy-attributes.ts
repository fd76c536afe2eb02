import type { PolicyElement } from '../../policy/ast';
import { childElements } from '../../policy/query';
import { isDynamic, mixesExpressionWithText } from '../checks';
import { ruleDocsPath, type LintContext, type Rule } from '../context';
import type { AttributeSpec, ElementSpec } from '../../policy/knowledge/types';
import { walkStructure } from '../walk';
import { didYouMean } from '../../suggest';

export const policyAttributes: Rule = {
  id: 'policy-attributes',
  defaultSeverity: 'error',
  description: 'A policy or policy element with a required attribute or child element missing, conflicting or incomplete attributes, or a literal value APIM rejects (not an integer or boolean, not one of the allowed values, out of range such as rate-limit renewal-period over 300), or a policy expression mixed with literal text, which APIM does not evaluate.',
  docsUrl: ruleDocsPath('policy-attributes'),
  check(ctx) {
    for (const file of ctx.policies) {
      walkStructure(file.document, {
        statement: ({ element, spec }) => spec && checkAttributes(ctx, element, spec),
        child: ({ element, spec }) => spec && checkAttributes(ctx, element, spec),
      });
    }
  },
};

function checkAttributes(ctx: LintContext, element: PolicyElement, spec: ElementSpec): void {
  const present = new Set(element.attributes.map((a) => a.name));
  const missing = spec.attributes.filter((a) => a.required && !present.has(a.name)).map((a) => a.name);
  if (missing.length) ctx.report({ pos: element.pos, message: `<${element.name}> requires ${missing.join(', ')}` });
  for (const group of spec.oneOf ?? []) {
    const used = group.filter((name) => present.has(name));
    if (used.length !== 1) ctx.report({ pos: element.pos, message: `<${element.name}> needs exactly one of ${group.join(', ')}${used.length ? ` (has ${used.join(', ')})` : ''}` });
  }
  for (const group of spec.anyOf ?? []) {
    if (!group.some((name) => present.has(name))) ctx.report({ pos: element.pos, message: `<${element.name}> needs at least one of ${group.join(', ')}` });
  }
  for (const group of spec.exclusive ?? []) {
    const used = group.filter((name) => present.has(name));
    if (used.length > 1) ctx.report({ pos: element.pos, message: `<${element.name}> takes only one of ${used.join(', ')}` });
  }
  for (const group of spec.together ?? []) {
    const used = group.filter((name) => present.has(name));
    const absent = group.filter((name) => !present.has(name));
    if (used.length && absent.length) ctx.report({ pos: element.pos, message: `<${element.name}> with ${used.join(', ')} also requires ${absent.join(', ')}` });
  }
  checkRequiredChildren(ctx, element, spec);
  for (const attribute of element.attributes) {
    const attributeSpec = spec.attributes.find((a) => a.name === attribute.name);
    if (!attributeSpec && checksAttributeNames(spec)) {
      const names = spec.attributes.map((a) => a.name);
      const hint = didYouMean(attribute.name, names) || (names.length ? `; its attributes are ${names.join(', ')}` : '; it takes no attributes');
      ctx.report({ pos: attribute.pos, message: `<${element.name}> has no attribute ${attribute.name}${hint}` });
      continue;
    }
    if (mixesExpressionWithText(attribute.value)) {
      ctx.report({ pos: attribute.pos, message: `${element.name} ${attribute.name} ${MIXED_EXPRESSION}` });
      continue;
    }
    const problem = attributeSpec && !isDynamic(attribute.value) ? valueProblem(attribute.value, attributeSpec) : undefined;
    if (problem) ctx.report({ pos: attribute.pos, message: `${element.name} ${attribute.name}="${attribute.value}" ${problem}` });
  }
  if (spec.children !== 'text') return;
  for (const child of element.children) {
    if (child.type === 'text' && mixesExpressionWithText(child.value)) ctx.report({ pos: child.pos, message: `the text of <${element.name}> ${MIXED_EXPRESSION}` });
  }
}

/** Child elements the reference marks as required (a `<choose>` needs a `<when>`, a `<cors>` its `<allowed-origins>`). */
function checkRequiredChildren(ctx: LintContext, element: PolicyElement, spec: ElementSpec): void {
  if (!Array.isArray(spec.children)) return;
  const present = new Set(childElements(element).map((child) => child.name));
  const missing = (spec.children as readonly ElementSpec[]).filter((child) => child.required && !present.has(child.name)).map((child) => `<${child.name}>`);
  if (missing.length) ctx.report({ pos: element.pos, message: `<${element.name}> requires ${missing.join(', ')} child element${missing.length > 1 ? 's' : ''}` });
}

const MIXED_EXPRESSION =
  'mixes literal text with a policy expression: APIM evaluates @(…) or @{…} only when it is the whole value, so this would be used as literal text; build the whole value in one expression, e.g. @("Bearer " + …)';

/** Why a literal value is not acceptable, if it is not. */
export function valueProblem(raw: string, spec: AttributeSpec): string | undefined {
  const value = raw.trim();
  if (spec.values && !isAllowedValue(value, spec.values, spec.ignoreCase)) {
    return `must be one of ${spec.values.join(', ')}${spec.ignoreCase ? ' (in any letter case)' : ''}${didYouMean(value, spec.values)}`;
  }
  if (spec.type === 'boolean' && !/^(true|false)$/i.test(value)) return 'must be true or false';
  if (spec.type === 'integer') {
    if (!/^-?\d+$/.test(value)) return 'must be a whole number';
    const number = Number(value);
    if (spec.min !== undefined && number < spec.min) return `is below the minimum of ${spec.min}`;
    if (spec.max !== undefined && number > spec.max) return `is above the maximum of ${spec.max}`;
  }
  return undefined;
}

/**
 * Free-form content (`children: 'any'`: XSLT stylesheets, cross-domain documents, resolver data sources) is APIM's or
 * another language's to check; every other element takes only the attributes its reference page lists.
 */
function checksAttributeNames(spec: ElementSpec): boolean {
  return spec.children !== 'any';
}

function isAllowedValue(value: string, allowed: readonly string[], ignoreCase = false): boolean {
  return ignoreCase ? allowed.some((candidate) => candidate.toLowerCase() === value.toLowerCase()) : allowed.includes(value);
}
