/**
 * How a backend's `tls` and `credentials` compare. A PUT replaces both: tls left out is APIM's default (both
 * certificate checks on), which the service may or may not report back, so both sides are compared with the
 * defaults filled in; credentials left out are none, and are compared exactly (a header the file does not list is
 * one a write removes). Credential values are secrets unless they reference a named value (`{{name}}`): a change
 * never shows the live literals.
 *
 * A credential the repository cannot hold (a literal secret on the instance) is written as KEPT_ON_INSTANCE: that
 * entry matches whatever the instance has, and publish sends the live value back (see src/apply/kept-credentials.ts).
 */

/**
 * The value of a credential entry "not managed here": the instance's value is kept. `***` is how secrets are
 * conventionally masked, and is too short to read as a literal credential (the inline-secret rule lets it be).
 */
export const KEPT_ON_INSTANCE = '***';

const SENSITIVE = '(sensitive value)';
const NAMED_VALUE_REFERENCE = /^\{\{[^{}]+\}\}$/;

export interface BackendTls {
  validateCertificateChain: boolean;
  validateCertificateName: boolean;
}

type Entries = Record<string, string[]>;

export interface BackendCredentials {
  header?: Entries;
  query?: Entries;
  authorization?: { scheme: string; parameter: string };
}

/** The fields that are set. */
const definedOnly = <T extends object>(value: Record<string, unknown>): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export function normalizeTls(value: unknown): BackendTls {
  const tls = isObject(value) ? value : {};
  return {
    validateCertificateChain: tls.validateCertificateChain !== false,
    validateCertificateName: tls.validateCertificateName !== false,
  };
}

function entries(value: unknown): Entries | undefined {
  if (!isObject(value)) return undefined;
  const kept = Object.entries(value)
    .map(([name, list]) => [name, Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : []] as const)
    .filter(([, list]) => list.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/** The credentials that say something (header, query, authorization), in a stable order; null when none. */
export function normalizeCredentials(value: unknown): BackendCredentials | null {
  if (!isObject(value)) return null;
  const authorization = isObject(value.authorization) && typeof value.authorization.scheme === 'string' && value.authorization.scheme
    ? { scheme: value.authorization.scheme, parameter: typeof value.authorization.parameter === 'string' ? value.authorization.parameter : '' }
    : undefined;
  const credentials = definedOnly<BackendCredentials>({ header: entries(value.header), query: entries(value.query), authorization });
  return Object.keys(credentials).length ? credentials : null;
}

export function isKept(values: string[] | string | undefined): boolean {
  return Array.isArray(values) ? values.length === 1 && values[0] === KEPT_ON_INSTANCE : values === KEPT_ON_INSTANCE;
}

function entriesMatch(desired: Entries = {}, live: Entries = {}): boolean {
  const names = Object.keys(desired);
  if (names.length !== Object.keys(live).length) return false;
  return names.every((name) => {
    const wanted = desired[name];
    const actual = live[name];
    if (!actual) return false;
    return isKept(wanted) || (wanted.length === actual.length && wanted.every((item, i) => item === actual[i]));
  });
}

/** Normalized desired credentials against normalized live ones: exactly the same entries, a kept one matching any value. */
export function credentialsMatch(desired: BackendCredentials | null, live: BackendCredentials | null): boolean {
  if (!desired || !live) return !desired && !live;
  const [wanted, actual] = [desired.authorization, live.authorization];
  const authorizationMatches = !wanted || !actual
    ? !wanted && !actual
    : wanted.scheme === actual.scheme && (isKept(wanted.parameter) || wanted.parameter === actual.parameter);
  return authorizationMatches && entriesMatch(desired.header, live.header) && entriesMatch(desired.query, live.query);
}

const redact = (value: string): string => (NAMED_VALUE_REFERENCE.test(value) || value === KEPT_ON_INSTANCE ? value : SENSITIVE);

/** Credentials as a change may show them: named-value references as they are, any other value hidden. */
export function redactCredentials(credentials: BackendCredentials | null): BackendCredentials | undefined {
  if (!credentials) return undefined;
  const redactEntries = (list?: Entries) => list && Object.fromEntries(Object.entries(list).map(([name, values]) => [name, values.map(redact)]));
  const { header, query, authorization } = credentials;
  return definedOnly<BackendCredentials>({
    header: redactEntries(header),
    query: redactEntries(query),
    authorization: authorization && { scheme: authorization.scheme, parameter: redact(authorization.parameter) },
  });
}
