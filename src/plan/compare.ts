import { parsePolicy } from '../policy';
import { policiesEquivalent, policyTextDiff } from '../policy/compare';
import type { PolicyDocument } from '../policy/ast';
import type { DesiredResource } from '../render/desired';
import type { LiveResource } from '../azure/live-state';
import { resourceType, type ResourceKind } from '../resources/types';
import { credentialsMatch, normalizeCredentials, normalizeTls, redactCredentials, type BackendCredentials } from './backend-fields';

/**
 * Field-level comparison of one desired resource with its live counterpart. Only the fields the repository sets
 * are compared (APIM fills in many more), objects recursively by the keys the repository sets; a field the
 * repository leaves empty matches one the service leaves out.
 */

export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
  /** A secret: its values are never kept in the plan, printed or serialized. */
  sensitive?: boolean;
}

/**
 * Fields the repository format owns but may leave out. A PUT without one clears it (or resets it to the service's
 * default: a backend's tls), so a file leaving it out means "none", not "not managed here": otherwise removing a
 * description or a subscription limit would show no change, or be cleared unannounced by a PUT made for another
 * field. (Not an API's description or serviceUrl: left out, the specification import fills them in from the
 * document's info and servers.)
 */
const CLEARED_WHEN_ABSENT: Partial<Record<ResourceKind, string[]>> = {
  namedValue: ['tags'],
  backend: ['description', 'title', 'resourceId', 'tls', 'credentials'],
  api: ['apiVersion', 'apiVersionSetId'],
  apiOperation: ['description'],
  product: ['description', 'subscriptionsLimit', 'terms'],
  apiVersionSet: ['description', 'versionHeaderName', 'versionQueryName'],
  group: ['description', 'externalId'],
  logger: ['description', 'credentials', 'resourceId'],
};

/** A field compared otherwise than "the desired keys, recursively, as the live value has them". */
interface FieldRule {
  /** Applied to both sides first: the form compared (e.g. with the service's defaults filled in). */
  normalize(value: unknown): unknown;
  matches?(desired: unknown, live: unknown): boolean;
  /** A (normalized) value as a change shows it: secrets hidden, on either side. */
  shown?(value: unknown): unknown;
}

/**
 * A reference to another resource of the instance, compared by its service-relative id in lower case: the repository
 * sends `/loggers/ai`, the service answers with the full ARM id (`/subscriptions/…/service/apim/loggers/ai`).
 */
const SERVICE_REFERENCE: FieldRule = { normalize: serviceRelativeReference };

export function serviceRelativeReference(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/]+/i, '').toLowerCase();
}

const FIELD_RULES: Partial<Record<ResourceKind, Record<string, FieldRule>>> = {
  api: { apiVersionSetId: SERVICE_REFERENCE },
  subscription: { scope: SERVICE_REFERENCE, ownerId: SERVICE_REFERENCE },
  diagnostic: { loggerId: SERVICE_REFERENCE },
  apiRelease: { apiId: SERVICE_REFERENCE },
  apiDiagnostic: { loggerId: SERVICE_REFERENCE },
  backend: {
    tls: { normalize: normalizeTls },
    credentials: {
      normalize: normalizeCredentials,
      matches: (desired, live) => credentialsMatch(desired as BackendCredentials | null, live as BackendCredentials | null),
      shown: (value) => redactCredentials(value as BackendCredentials | null),
    },
  },
};

/** The fields a resource's write sets, with the ones the repository leaves out as null (compared as empty). */
function wantedFields(desired: DesiredResource): Record<string, unknown> {
  const wanted = { ...desired.properties };
  for (const field of CLEARED_WHEN_ABSENT[desired.ref.kind] ?? []) wanted[field] ??= null;
  return wanted;
}

/** Fields publish sends but the service never returns (an API's specification import; secret fields, see writeOnly). */
const WRITE_ONLY: Partial<Record<ResourceKind, string[]>> = { api: ['format', 'value', 'apiType', 'wsdlSelector'] };

function writeOnly(kind: ResourceKind): Set<string> {
  return new Set([...(WRITE_ONLY[kind] ?? []), ...(resourceType(kind).secretFields ?? [])]);
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0)
  );
}

/**
 * Lists whose order carries no meaning (the service may return them in its own order), by field path: an API's
 * protocols, tags, and an operation's query parameters, headers and responses.
 */
const UNORDERED_FIELDS = new Set(['protocols', 'tags', 'request.queryParameters', 'request.headers', 'responses']);

/**
 * Whether the live value satisfies the desired one at `path` (a dotted field path): desired object keys are a subset
 * of live's, and an object the service leaves out matches one whose fields are all empty.
 */
function valueMatches(desired: unknown, live: unknown, path: string): boolean {
  if (desired === undefined) return true;
  if (isEmpty(desired) && isEmpty(live)) return true;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    if (UNORDERED_FIELDS.has(path)) return sameMembers(desired, live, `${path}[]`);
    return desired.every((d, i) => valueMatches(d, live[i], `${path}[]`));
  }
  if (desired !== null && typeof desired === 'object') {
    if (live !== undefined && live !== null && (typeof live !== 'object' || Array.isArray(live))) return false;
    const liveObject = (live ?? {}) as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([k, v]) => valueMatches(v, liveObject[k], `${path}.${k}`));
  }
  return desired === live;
}

/** Every desired item is matched by a live item of its own, in any order (the lengths are equal). */
function sameMembers(desired: unknown[], live: unknown[], itemPath: string): boolean {
  const unmatched = [...live];
  return desired.every((item) => {
    const index = unmatched.findIndex((candidate) => valueMatches(item, candidate, itemPath));
    if (index >= 0) unmatched.splice(index, 1);
    return index >= 0;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The live value cut down to the keys the desired one sets (what is compared), so a change shows what differs
 * rather than everything the service adds (an operation's representations, descriptions, enum values…).
 */
function comparedPart(live: unknown, desired: unknown): unknown {
  if (Array.isArray(live) && Array.isArray(desired) && desired.length && desired.every(isPlainObject)) {
    const shape = Object.assign({}, ...desired) as Record<string, unknown>;
    return live.map((item) => comparedPart(item, shape));
  }
  if (!isPlainObject(live) || !isPlainObject(desired)) return live;
  return Object.fromEntries(Object.keys(desired).filter((key) => key in live).map((key) => [key, comparedPart(live[key], desired[key])]));
}

/** A live policy document parsed in the form the service returned it in (rawxml only when asked for). */
export function parseLivePolicy(live: LiveResource, label: string): PolicyDocument | undefined {
  const text = live.properties.value;
  if (typeof text !== 'string') return undefined;
  const form = live.properties.format === 'rawxml' ? 'rawxml' : 'xml';
  // A GraphQL resolver's policy is its data source.
  return parsePolicy(text, label, { form, ...(live.ref.kind === 'resolverPolicy' ? { roots: ['http-data-source'] } : {}) }).document;
}

function isSecretNamedValue(desired: DesiredResource, live?: LiveResource): boolean {
  return desired.ref.kind === 'namedValue' && (desired.properties.secret === true || live?.properties.secret === true);
}

export interface PolicyComparison {
  changed: boolean;
  /** Unified diff of the canonical forms (empty when unchanged). */
  diff: string;
}

export function comparePolicies(desired: DesiredResource, live: LiveResource | undefined, label: string): PolicyComparison {
  const desiredText = desired.properties.value;
  const after = desired.policy ?? (typeof desiredText === 'string' ? parsePolicy(desiredText, label).document : undefined);
  const before = live && parseLivePolicy(live, label);
  if (after && before) {
    return policiesEquivalent(before, after) ? { changed: false, diff: '' } : { changed: true, diff: policyTextDiff(before, after) };
  }
  // One side does not parse: fall back to the text, which is all there is to compare.
  const changed = !live || live.properties.value !== desiredText;
  return { changed, diff: changed ? policyTextDiff(before, after) : '' };
}

/** The changed fields of a resource present on both sides (policies: `value`, compared semantically). */
export function changedFields(desired: DesiredResource, live: LiveResource, label: string): { fields: FieldChange[]; policyDiff?: string } {
  const type = resourceType(desired.ref.kind);
  const skip = writeOnly(desired.ref.kind);
  if (type.policy) ['value', 'format'].forEach((f) => skip.add(f));
  if (desired.valueUnavailable) skip.add('value');
  const fields: FieldChange[] = [];
  const secret = isSecretNamedValue(desired, live);
  const rules = FIELD_RULES[desired.ref.kind] ?? {};
  for (const [field, wanted] of Object.entries(wantedFields(desired))) {
    if (skip.has(field)) continue;
    const rule = rules[field];
    const after = rule ? rule.normalize(wanted) : wanted;
    const current = rule ? rule.normalize(live.properties[field]) : live.properties[field];
    if (rule?.matches ? rule.matches(after, current) : valueMatches(after, current, field)) continue;
    if (secret && field === 'value') fields.push({ field, sensitive: true });
    else if (rule?.shown) fields.push({ field, before: rule.shown(current), after: rule.shown(after) });
    else fields.push({ field, before: comparedPart(current, after), after: after ?? undefined });
  }
  if (!type.policy) return { fields };
  const policy = comparePolicies(desired, live, label);
  // The text planned against, kept so publish can tell the service's own rewrite of it from someone's edit.
  if (policy.changed) fields.push({ field: 'value', before: live.properties.value });
  return { fields, policyDiff: policy.changed ? policy.diff : undefined };
}

/** The fields a new resource sets, secrets redacted. */
export function createdFields(desired: DesiredResource): FieldChange[] {
  const skip = writeOnly(desired.ref.kind);
  if (resourceType(desired.ref.kind).policy) skip.add('format').add('value');
  const rules = FIELD_RULES[desired.ref.kind] ?? {};
  const shown = (field: string, value: unknown): unknown => {
    const rule = rules[field];
    return rule?.shown ? rule.shown(rule.normalize(value)) : value;
  };
  const secret = (field: string) => (isSecretNamedValue(desired) && field === 'value') || resourceType(desired.ref.kind).secretFields?.includes(field);
  return Object.entries(desired.properties)
    .filter(([field, value]) => (!skip.has(field) || secret(field)) && value !== undefined)
    .map(([field, after]) => (secret(field) ? { field, sensitive: true } : { field, after: shown(field, after) }));
}
