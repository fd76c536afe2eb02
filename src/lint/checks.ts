/** Building blocks shared by rules. */
import type { SourcePos } from '../diagnostics';
import type { PolicyElement } from '../policy/ast';
import { attributeValue, childElements } from '../policy/query';
import { isPolicyExpression, splitExpressions } from '../policy/expression';
import type { ApiModel, YamlPath } from '../repo/model';
import type { LintContext, PolicyFile } from './context';
import { describePaths, sectionElement } from '../effective';
import type { Section } from '../policy/knowledge/types';
import { runsOnEveryPath } from './walk';

/**
 * A value APIM computes at run time or fills from a named value: its literal text says nothing final. A policy
 * expression counts only as the whole value — APIM does not evaluate `@(…)` mixed with literal text (see
 * `mixesExpressionWithText`) — while a `{{named value}}` is substituted anywhere in the text.
 */
export function isDynamic(value: string): boolean {
  return isPolicyExpression(value) || value.includes('{{');
}

/**
 * True when a value holds a policy expression and literal text besides (`Bearer @(token)`): APIM evaluates an
 * expression only when it is the whole value ("you can't have a mix of normal text and expressions as a parameter
 * value in a policy" — Azure blog "Policy expressions in Azure API Management"), so the gateway would use the text as
 * written.
 */
export function mixesExpressionWithText(value: string): boolean {
  return !isPolicyExpression(value) && splitExpressions(value).some((segment) => segment.expression);
}

/** True when the file's section holds `<base />` directly, so it runs the enclosing scope's section. */
export function inheritsEnclosing(file: PolicyFile, section: Section): boolean {
  const element = sectionElement(file, section);
  return !!element && childElements(element, 'base').length > 0;
}

/** Where to point for a whole section of a policy file: the section element, else the document root. */
export function sectionPos(file: PolicyFile, section: Section): SourcePos {
  return (sectionElement(file, section) ?? file.document.root).pos;
}

/** Every string of a YAML document's data with its path and the key it is under (depth-first, document order). */
export function yamlStrings(data: unknown): Array<{ value: string; path: YamlPath; key?: string }> {
  const strings: Array<{ value: string; path: YamlPath; key?: string }> = [];
  const visit = (value: unknown, path: YamlPath, key: string | undefined): void => {
    if (typeof value === 'string') strings.push({ value, path, key });
    else if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index], key));
    else if (value && typeof value === 'object') for (const [childKey, child] of Object.entries(value)) visit(child, [...path, childKey], childKey);
  };
  visit(data, [], undefined);
  return strings;
}

export function yamlPos(doc: { locate(path: ReadonlyArray<string | number>): SourcePos }, ...path: Array<string | number>): SourcePos {
  return doc.locate(path);
}

export interface EveryCallCheck {
  section: Section;
  /** Which APIs the requirement covers (default: all). */
  applies?: (api: ApiModel) => boolean;
  matches: (element: PolicyElement) => boolean;
  /** Completes "effective inbound policy of … lacks …". */
  lacks: string;
}

/**
 * Checks that every call to every API runs a matching policy on every path of its effective section, and points at
 * the file that loses it: a product whose section drops what the global policy runs (once per product, naming the
 * APIs), else the API's policy (once per API, listing the ways of calling it that fail), and an operation whose own
 * policy loses it.
 */
export function checkEveryCall(ctx: LintContext, check: EveryCallCheck): void {
  const { effective } = ctx;
  const matches = (e: PolicyElement) => check.matches(e) || effective.isUnparsedInclude(e);
  const globalRuns = runsOnEveryPath(effective.globalSection(check.section), matches);
  const droppedByProduct = new Map<string, string[]>();
  for (const api of ctx.rendered.model.apis) {
    if (check.applies && !check.applies(api)) continue;
    const paths = effective.paths(api).filter((p) => effective.isKnown({ apiId: api.id, productId: p }));
    const apiFails = paths.filter((p) => !runsOnEveryPath(effective.apiSection(api.id, p, check.section), matches));
    const productDrops = (p: string | undefined): p is string =>
      p !== undefined && globalRuns && !runsOnEveryPath(effective.productSection(p, check.section), matches);
    for (const productId of apiFails.filter(productDrops)) droppedByProduct.set(productId, [...(droppedByProduct.get(productId) ?? []), api.id]);
    const apiLoses = apiFails.filter((p) => !productDrops(p));
    if (apiLoses.length) {
      const apiPolicy = effective.policyFile('api', api.id);
      ctx.report({
        pos: apiPolicy ? sectionPos(apiPolicy, check.section) : yamlPos(api.definition),
        message: `effective ${check.section} policy of ${api.id} ${describePaths(apiLoses)} lacks ${check.lacks}`,
      });
    }
    for (const operationId of Object.keys(api.operationPolicies)) {
      const operationPolicy = effective.policyFile('operation', api.id, operationId);
      // An operation section with <base /> runs everything the API level runs, which passed on the remaining paths.
      if (!operationPolicy || inheritsEnclosing(operationPolicy, check.section)) continue;
      const operationFails = paths.filter(
        (p) => !apiFails.includes(p) && !runsOnEveryPath(effective.operationSection(api.id, p, operationId, check.section), matches),
      );
      if (operationFails.length) {
        ctx.report({
          pos: sectionPos(operationPolicy, check.section),
          message: `effective ${check.section} policy of ${api.id}/${operationId} ${describePaths(operationFails)} lacks ${check.lacks}`,
        });
      }
    }
  }
  for (const [productId, apis] of droppedByProduct) {
    // A product without a policy file runs the global section unchanged, so only one with a file can drop it.
    const productPolicy = effective.policyFile('product', productId)!;
    ctx.report({
      pos: sectionPos(productPolicy, check.section),
      message: `effective ${check.section} policy of ${apis.join(', ')} via ${productId} lacks ${check.lacks}: the global policy runs it, product ${productId}'s policy drops it`,
    });
  }
}

/** The policies that authenticate the caller (a token or a client certificate); one that ignores its errors does not. */
const CALLER_AUTHENTICATION = new Set(['validate-jwt', 'validate-azure-ad-token', 'validate-client-certificate']);

export function authenticatesCaller(element: PolicyElement): boolean {
  return CALLER_AUTHENTICATION.has(element.name) && attributeValue(element, 'ignore-error')?.toLowerCase() !== 'true';
}

/** Policies that throttle callers' calls or bandwidth. */
export const THROTTLING_POLICIES: ReadonlySet<string> = new Set(['rate-limit', 'rate-limit-by-key', 'quota', 'quota-by-key']);

export const SUBSCRIPTION_KEY_HEADER = 'Ocp-Apim-Subscription-Key';

/** Deletes the subscription key header before forwarding (the query parameter form is removed the same way). */
export function stripsSubscriptionKey(element: PolicyElement): boolean {
  return (
    element.name === 'set-header' &&
    attributeValue(element, 'exists-action') === 'delete' &&
    (attributeValue(element, 'name') ?? '').toLowerCase() === SUBSCRIPTION_KEY_HEADER.toLowerCase()
  );
}

/** `backend-id` (set-backend-service, llm-content-safety) and `embeddings-backend-id` (semantic cache lookups). */
export function namesBackend(attributeName: string): boolean {
  return /(?:^|-)backend-id$/.test(attributeName);
}

/** Elements named `name` in every parsed policy file, with the file each is in (indexed once per lint run). */
export function elementsNamed(ctx: LintContext, name: string): ReadonlyArray<{ file: PolicyFile; element: PolicyElement }> {
  return ctx.elementsNamed(name);
}
