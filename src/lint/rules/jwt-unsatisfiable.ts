import { formatPos } from '../../diagnostics';
import type { PolicyElement, PolicyNode } from '../../policy/ast';
import { attributeValue, childElements, textContent } from '../../policy/query';
import { sectionElement, type PolicyFile } from '../../effective';
import { inheritsEnclosing, isDynamic } from '../checks';
import { descendants } from '../walk';
import { ruleDocsPath, type Rule } from '../context';

export const jwtUnsatisfiable: Rule = {
  id: 'jwt-unsatisfiable',
  defaultSeverity: 'warn',
  description:
    'Two token validations (validate-jwt, validate-azure-ad-token) of the same token on one path of an effective inbound policy that no single token passes: their required audiences, issuers or tenants are disjoint, so every call on that path is rejected.',
  docsUrl: ruleDocsPath('jwt-unsatisfiable'),
  check(ctx) {
    for (const api of ctx.rendered.model.apis) {
      for (const unit of ctx.effective.unitsOf(api)) {
        if (unit.chain.operation && !addsValidations(unit.chain.operation)) continue;
        for (const path of validationPaths(unit.section('inbound'))) {
          path.forEach((later, i) => {
            for (const earlier of path.slice(0, i)) {
              const conflict = conflictBetween(later, earlier);
              if (!conflict) continue;
              ctx.report({
                pos: later.pos,
                message: `no token passes both this ${later.name} and the ${earlier.name} at ${formatPos(earlier.pos)}, which run on the same path for the same token: ${conflict}`,
              });
            }
          });
        }
      }
    }
  },
};

const TOKEN_VALIDATIONS = new Set(['validate-jwt', 'validate-azure-ad-token']);

/**
 * An operation policy that inherits the API level's inbound (<base />) and adds no validation of its own (nor a
 * fragment that might) has no pair the API level does not already have: skipping it saves composing its section.
 */
function addsValidations(operation: PolicyFile): boolean {
  const inbound = sectionElement(operation, 'inbound');
  if (!inbound || !inheritsEnclosing(operation, 'inbound')) return true;
  return [...descendants(inbound.children)].some((e) => TOKEN_VALIDATIONS.has(e.name) || e.name === 'include-fragment');
}
/** Policies whose enclosed statements run every time the policy itself runs. */
const RUNS_CHILDREN = new Set(['retry', 'wait', 'limit-concurrency']);
const ENDS_THE_REQUEST = new Set(['return-response', 'mock-response']);
/** Enough for any hand-written policy; beyond it, further branches are not told apart (never a false finding). */
const MAX_PATHS = 256;

/** The token validations along each path through the statements (choose branches, and an implicit empty otherwise). */
function validationPaths(nodes: readonly PolicyNode[]): PolicyElement[][] {
  let paths: Array<{ validations: PolicyElement[]; ended: boolean }> = [{ validations: [], ended: false }];
  const visit = (nodes: readonly PolicyNode[], into: typeof paths): typeof paths => {
    let current = into;
    for (const element of nodes) {
      if (element.type !== 'element') continue;
      const open = current.filter((p) => !p.ended);
      if (!open.length) break;
      if (TOKEN_VALIDATIONS.has(element.name)) for (const p of open) p.validations.push(element);
      else if (ENDS_THE_REQUEST.has(element.name)) for (const p of open) p.ended = true;
      else if (RUNS_CHILDREN.has(element.name)) current = visit(element.children, current);
      else if (element.name === 'choose') {
        const branches = childElements(element).map((b) => b.children);
        if (!childElements(element).some((b) => b.name === 'otherwise')) branches.push([]);
        const ended = current.filter((p) => p.ended);
        const next = open.flatMap((p) => branches.flatMap((branch) => visit(branch, [{ validations: [...p.validations], ended: false }])));
        current = next.length + ended.length > MAX_PATHS ? current : [...ended, ...next];
      }
    }
    return current;
  };
  paths = visit(nodes, paths);
  return paths.map((p) => p.validations).filter((validations) => validations.length > 1);
}

/** Where the policy reads the token from: two validations of different tokens can both pass. */
function tokenSource(element: PolicyElement): string {
  const query = attributeValue(element, 'query-parameter-name');
  if (query !== undefined) return `query ${query}`;
  const value = attributeValue(element, 'token-value');
  if (value !== undefined) return `value ${value}`;
  return `header ${(attributeValue(element, 'header-name') ?? 'Authorization').toLowerCase()}`;
}

/** Why no token passes both, if the literal requirements say so (`a`'s values first: "… here, … there"). */
function conflictBetween(a: PolicyElement, b: PolicyElement): string | undefined {
  if (tokenSource(a) !== tokenSource(b)) return undefined;
  for (const requirement of REQUIREMENTS) {
    const first = requirement.values(a);
    const second = requirement.values(b);
    if (!first || !second || first.some((value) => second.includes(value))) continue;
    return `${requirement.name} ${first.join(', ')} here, ${second.join(', ')} there`;
  }
  return undefined;
}

/** The literal values a list child holds, normalised; undefined when absent or computed at run time. */
function listValues(element: PolicyElement, list: string): string[] | undefined {
  const holder = childElements(element, list)[0];
  if (!holder) return undefined;
  return literals(childElements(holder).map((item) => textContent(item)));
}

function literals(values: string[]): string[] | undefined {
  const trimmed = values.map((v) => v.trim()).filter(Boolean);
  if (!trimmed.length || trimmed.some(isDynamic)) return undefined;
  return trimmed.map((v) => v.toLowerCase().replace(/\/+$/, ''));
}

/** The audiences a token may carry to pass: `<audiences>`, else a required aud claim any of whose values suffices. */
function audiences(element: PolicyElement): string[] | undefined {
  const listed = listValues(element, 'audiences');
  if (listed) return listed;
  const claims = childElements(element, 'required-claims')[0];
  const aud = claims && childElements(claims, 'claim').find((c) => attributeValue(c, 'name') === 'aud');
  if (!aud) return undefined;
  const values = childElements(aud, 'value').map((v) => textContent(v));
  // match="all" (the default) with several values asks for all of them in one token: not a set of alternatives.
  if (values.length > 1 && (attributeValue(aud, 'match') ?? 'all') !== 'any') return undefined;
  return literals(values);
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Entra ID tenants: validate-azure-ad-token's tenant-id, or the tenant in every issuer (else the openid-config URL). */
function tenants(element: PolicyElement): string[] | undefined {
  if (element.name === 'validate-azure-ad-token') {
    const tenant = attributeValue(element, 'tenant-id') ?? '';
    return GUID.test(tenant) && !isDynamic(tenant) ? [tenant.match(GUID)![0].toLowerCase()] : undefined;
  }
  const issuers = listValues(element, 'issuers');
  const sources = issuers ?? literals([attributeValue(childElements(element, 'openid-config')[0] ?? element, 'url') ?? '']);
  if (!sources || !sources.every((s) => GUID.test(s) && /login\.microsoftonline\.com|sts\.windows\.net|login\.windows\.net/.test(s))) return undefined;
  return [...new Set(sources.map((s) => s.match(GUID)![0]))];
}

const REQUIREMENTS: ReadonlyArray<{ name: string; values: (element: PolicyElement) => string[] | undefined }> = [
  { name: 'audience', values: audiences },
  { name: 'issuer', values: (element) => (element.name === 'validate-jwt' ? listValues(element, 'issuers') : undefined) },
  { name: 'tenant', values: tenants },
];
