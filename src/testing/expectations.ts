/**
 * Expectations against what a case observed: the responses the caller got and the requests the backend received.
 * The first expectation that does not hold is the case's failure, named by its place in the test file
 * (`expect.backend.token.aud`), with what was expected and what came.
 */
import { decodeJwt } from '../gateway/tokens';
import type { YamlPath } from '../repo/model';
import type { BodyExpectation, Expectations, Json, Matcher } from './model';

export interface Observed {
  status: number;
  /** Names in lower case. */
  headers: Record<string, string>;
  body: string;
}

export interface BackendRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** An expectation that did not hold: where it is written (a path in the case), what it wanted, what came. */
export interface Mismatch {
  path: YamlPath;
  expected: string;
  actual: string;
}

const ABSENT = Symbol('absent');
type Actual = unknown | typeof ABSENT;

function show(value: Actual): string {
  if (value === ABSENT) return '(absent)';
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

function isMatcher(value: Json | Matcher): value is Matcher {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && ['equals', 'matches', 'contains', 'present', 'absent'].includes(keys[0]);
}

function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof actual !== 'object' || actual === null || typeof expected !== 'object' || expected === null) {
    // A header or claim written as a number or boolean in YAML matches its text.
    return actual === expected || (typeof actual !== 'object' && typeof expected !== 'object' && String(actual) === String(expected));
  }
  if (Array.isArray(actual) !== Array.isArray(expected)) return false;
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = Object.keys(e);
  return keys.length === Object.keys(a).length && keys.every((key) => Object.prototype.hasOwnProperty.call(a, key) && sameValue(a[key], e[key]));
}

/** Undefined when `actual` satisfies `expected`; else what was expected, in words. */
export function mismatch(actual: Actual, expected: Json | Matcher): string | undefined {
  const present = actual !== ABSENT;
  if (expected === 'present') return present ? undefined : 'present';
  if (expected === 'absent') return present ? 'absent' : undefined;
  if (!isMatcher(expected)) return present && sameValue(actual, expected) ? undefined : show(expected);
  if ('present' in expected) return present ? undefined : 'present';
  if ('absent' in expected) return present ? 'absent' : undefined;
  if ('equals' in expected) return present && sameValue(actual, expected.equals) ? undefined : show(expected.equals);
  const text = present ? (typeof actual === 'string' ? actual : JSON.stringify(actual)) : undefined;
  if ('matches' in expected) return text !== undefined && new RegExp(expected.matches).test(text) ? undefined : `matching /${expected.matches}/`;
  return text !== undefined && text.includes(expected.contains) ? undefined : `containing ${JSON.stringify(expected.contains)}`;
}

function headerValue(headers: Record<string, string>, name: string): Actual {
  const value = headers[name.toLowerCase()];
  return value === undefined ? ABSENT : value;
}

function checkMap(values: (name: string) => Actual, expected: Record<string, Json | Matcher> | undefined, at: YamlPath): Mismatch | undefined {
  for (const [name, want] of Object.entries(expected ?? {})) {
    const actual = values(name);
    const wanted = mismatch(actual, want);
    if (wanted !== undefined) return { path: [...at, name], expected: wanted, actual: show(actual) };
  }
  return undefined;
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** `$.a.b[0]`, `a.b.0`, `$['x-y']` → segments. */
export function jsonPathSegments(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const pattern = /\.?([^.[\]]+)|\[(\d+)\]|\[['"]([^'"]*)['"]\]/y;
  let text = path.trim();
  if (text.startsWith('$')) text = text.slice(1);
  while (pattern.lastIndex < text.length) {
    const match = pattern.exec(text);
    if (!match) throw new Error(`not a JSON path: ${path}`);
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(match[3] ?? (/^\d+$/.test(match[1]) ? Number(match[1]) : match[1]));
  }
  return segments;
}

function atJsonPath(root: unknown, path: string): Actual {
  let current: unknown = root;
  for (const segment of jsonPathSegments(path)) {
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, segment)) return ABSENT;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function checkBody(body: string, expected: BodyExpectation | undefined, at: YamlPath): Mismatch | undefined {
  if (!expected) return undefined;
  if (expected.equals !== undefined) {
    const equal = typeof expected.equals === 'string' ? body === expected.equals : sameValue(parseJson(body)?.value, expected.equals);
    if (!equal) return { path: [...at, 'equals'], expected: show(expected.equals), actual: show(body) };
  }
  if (expected.contains !== undefined && !body.includes(expected.contains)) {
    return { path: [...at, 'contains'], expected: `containing ${JSON.stringify(expected.contains)}`, actual: show(body) };
  }
  if (expected.json) {
    const parsed = parseJson(body);
    if (!parsed) return { path: [...at, 'json'], expected: 'a JSON body', actual: show(body) };
    return checkMap((path) => atJsonPath(parsed.value, path), expected.json, [...at, 'json']);
  }
  return undefined;
}

/** The first response expectation `observed` does not meet. */
export function checkResponse(expect: Expectations, observed: Observed): Mismatch | undefined {
  if (expect.status !== undefined) {
    const allowed = ([] as number[]).concat(expect.status);
    if (!allowed.includes(observed.status)) {
      const message = observed.headers['content-type']?.includes('json') ? parseJson(observed.body)?.value : undefined;
      const detail = typeof message === 'object' && message !== null && 'message' in message ? ` (${JSON.stringify((message as { message: unknown }).message)})` : '';
      return { path: ['expect', 'status'], expected: allowed.join(' or '), actual: `${observed.status}${detail}` };
    }
  }
  return checkMap((name) => headerValue(observed.headers, name), expect.headers, ['expect', 'headers']) ?? checkBody(observed.body, expect.body, ['expect', 'body']);
}

/** The claims of the bearer token in `authorization`, or ABSENT. */
function bearerClaims(headers: Record<string, string>): Record<string, unknown> | typeof ABSENT {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  const decoded = bearer === undefined ? undefined : decodeJwt(bearer);
  return decoded ? decoded.payload : ABSENT;
}

/** The first backend expectation the recorded requests do not meet; `index` is the request (0-based) that failed. */
export function checkBackend(expect: Expectations, requests: readonly BackendRequest[]): (Mismatch & { index?: number }) | undefined {
  const backend = expect.backend;
  if (!backend) return undefined;
  const at: YamlPath = ['expect', 'backend'];
  const count = `${requests.length} request${requests.length === 1 ? '' : 's'}${requests.length ? ` (${requests.map((r) => `${r.method} ${r.url}`).slice(0, 3).join(', ')}${requests.length > 3 ? ', …' : ''})` : ''}`;
  if (backend.called !== undefined && backend.called !== requests.length > 0) {
    return { path: [...at, 'called'], expected: backend.called ? 'called' : 'not called', actual: count };
  }
  if (backend.calls !== undefined && backend.calls !== requests.length) return { path: [...at, 'calls'], expected: String(backend.calls), actual: count };
  for (const [index, request] of requests.entries()) {
    const found =
      (backend.method !== undefined ? fieldMismatch(request.method, backend.method, [...at, 'method']) : undefined) ??
      (backend.url !== undefined ? fieldMismatch(request.url, backend.url, [...at, 'url']) : undefined) ??
      checkMap((name) => headerValue(request.headers, name), backend.headers, [...at, 'headers']) ??
      tokenMismatch(request.headers, backend.token, [...at, 'token']) ??
      checkBody(request.body, backend.body, [...at, 'body']);
    if (found) return { ...found, index };
  }
  return undefined;
}

function fieldMismatch(actual: string, expected: Json | Matcher, path: YamlPath): Mismatch | undefined {
  const wanted = mismatch(actual, expected);
  return wanted === undefined ? undefined : { path, expected: wanted, actual: show(actual) };
}

function tokenMismatch(headers: Record<string, string>, expected: 'absent' | Record<string, Json | Matcher> | undefined, path: YamlPath): Mismatch | undefined {
  if (expected === undefined) return undefined;
  const claims = bearerClaims(headers);
  if (expected === 'absent') return claims === ABSENT ? undefined : { path, expected: 'no bearer token', actual: show(claims) };
  if (claims === ABSENT) return { path, expected: 'a bearer token', actual: headers.authorization === undefined ? 'no Authorization header' : show(headers.authorization) };
  return checkMap((name) => (Object.prototype.hasOwnProperty.call(claims, name) ? claims[name] : ABSENT), expected, path);
}
