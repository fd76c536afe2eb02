import { formatPos } from '../../diagnostics';
import { sectionElement, type PolicyFile } from '../../effective';
import type { PolicyElement, PolicyNode } from '../../policy/ast';
import { SECTIONS, type Section } from '../../policy/knowledge/types';
import { authenticatesCaller, inheritsEnclosing, stripsSubscriptionKey, THROTTLING_POLICIES } from '../checks';
import { ruleDocsPath, type LintContext, type Rule } from '../context';
import { descendants } from '../walk';

/** What a dropped `<base />` can take away, by the kind of control a security reviewer would name. */
const SECURITY_CONTROLS: ReadonlyArray<{ control: string; matches: (element: PolicyElement) => boolean }> = [
  { control: 'token validation', matches: authenticatesCaller },
  { control: 'managed identity', matches: (e) => e.name === 'authentication-managed-identity' },
  { control: 'subscription-key stripping', matches: stripsSubscriptionKey },
  { control: 'ip-filter', matches: (e) => e.name === 'ip-filter' },
  { control: 'rate limits', matches: (e) => THROTTLING_POLICIES.has(e.name) || e.name === 'llm-token-limit' || e.name === 'azure-openai-token-limit' },
];

export const baseInherited: Rule = {
  id: 'base-inherited',
  defaultSeverity: 'warn',
  description:
    'A section of a product, API or operation policy without <base />: the policies of the enclosing scopes silently stop running there. An error when that drops a security control of the enclosing scope (token validation, managed identity, subscription-key stripping, ip-filter, rate limits), naming what is lost.',
  docsUrl: ruleDocsPath('base-inherited'),
  check(ctx) {
    for (const file of ctx.policies) {
      if (file.level === 'global' || file.level === 'fragment') continue;
      const missing = SECTIONS.filter((section) => !sectionElement(file, section));
      if (missing.length) {
        const tags = missing.map((section) => `<${section}>`).join(', ');
        const lost = missing.flatMap((section) => lostControls(ctx, file, section));
        ctx.report({
          pos: file.document.root.pos,
          message: `${file.level} policy has no ${tags}, so the enclosing scope's policies there do not run${describeLost(lost)}; add each section with <base />`,
          ...(lost.length ? { severity: 'error' as const } : {}),
        });
      }
      for (const section of SECTIONS) {
        const element = sectionElement(file, section);
        if (!element || inheritsEnclosing(file, section)) continue;
        const lost = lostControls(ctx, file, section);
        ctx.report({
          pos: element.pos,
          message: `<${section}> has no <base />, so the enclosing scope's ${section} policies do not run${describeLost(lost)}`,
          ...(lost.length ? { severity: 'error' as const } : {}),
        });
      }
    }
  },
};

interface LostControl {
  control: string;
  element: PolicyElement;
}

/**
 * The security controls the enclosing scope runs in this section (on any way of calling, at any depth) of a kind the
 * section does not run itself: a scope that deliberately replaces its parent's token validation with its own keeps
 * a token validation.
 */
function lostControls(ctx: LintContext, file: PolicyFile, section: Section): LostControl[] {
  const own = sectionElement(file, section);
  const ownElements = own ? [...descendants(own.children)] : [];
  const lost: LostControl[] = [];
  const seen = new Set<PolicyElement>();
  for (const nodes of enclosingSections(ctx, file, section)) {
    for (const element of descendants(nodes)) {
      const kind = SECURITY_CONTROLS.find((c) => c.matches(element));
      if (!kind || seen.has(element) || ownElements.some(kind.matches)) continue;
      seen.add(element);
      lost.push({ control: kind.control, element });
    }
  }
  return lost;
}

/** The section of the scope around the file, for every way the file's policy is called. */
function enclosingSections(ctx: LintContext, file: PolicyFile, section: Section): Array<readonly PolicyNode[]> {
  const { effective } = ctx;
  const [id, operationId] = file.ref.ids;
  if (file.level === 'product') return [effective.globalSection(section)];
  const api = ctx.rendered.model.apis.find((a) => a.id === id);
  if (!api) return [];
  return effective.paths(api).map((productId) => {
    if (file.level === 'operation' && operationId !== undefined) return effective.apiSection(id, productId, section);
    return productId === undefined ? effective.globalSection(section) : effective.productSection(productId, section);
  });
}

/** ": that drops token validation (validate-jwt at policies/fragments/validate-entra-jwt.xml:3), …". */
function describeLost(lost: readonly LostControl[]): string {
  if (!lost.length) return '';
  const controls = [...new Set(lost.map((l) => l.control))].map((control) => {
    const where = lost.filter((l) => l.control === control).map((l) => `${l.element.name} at ${formatPos(l.element.pos)}`);
    return `${control} (${where.join(', ')})`;
  });
  return `: that drops ${controls.join(', ')}`;
}
