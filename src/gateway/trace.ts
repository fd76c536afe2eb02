/**
 * The request trace (docs/trace.md), modelled on APIM's: for every section and scope, each policy that ran or was
 * skipped, in order, with its place in the repository's template files and what it used and changed. Recording is
 * one point per statement (runStatements), one per evaluated expression (values.ts) and a note where a policy knows
 * something no diff shows (the validated claims, a counter). What is recorded is raw; a trace leaves the gateway only
 * through `presentTrace`, which masks secrets, subscription keys and tokens.
 */
import type { SourcePos } from '../diagnostics';
import { secretRedactor, type KnownSecret } from '../known-secrets';
import type { Section } from '../policy/knowledge/types';
import type { Call, Scope, StatementSite } from './call';
import { CacheHit, EndPipeline, PolicyConfigurationError, PolicyFailure, UnsupportedError } from './errors';
import { CsDouble, NameValues, toPolicyString, type LastErrorInfo, type UrlState } from './expressions';
import { Jwt } from './expressions/runtime/jwt';
import { headersFromRaw } from './headers';
import { formatUrl } from './url';

export const TRACE_FORMAT_VERSION = 1;

/** A value as the trace shows it: JSON data (an object's C# text when it has no JSON form). */
export type TraceValue = null | boolean | number | string | TraceValue[] | { [key: string]: TraceValue };

export type StepOutcome = 'ran' | 'skipped' | 'failed' | 'ended' | 'cache-hit' | 'unsupported' | 'invalid';

export interface HeaderChange {
  message: 'request' | 'response';
  name: string;
  /** removed: the header is gone; set: its value(s) now. */
  action: 'set' | 'removed';
  value?: string;
}

export interface TraceStep {
  policy: string;
  section: Section;
  scope: Scope;
  /** The fragment the policy came from (its file is policies/fragments/<id>.xml). */
  fragment?: string;
  /** `choose[1]/when[2]/set-header[1]`, as in context.LastError.Path. */
  path: string;
  policyId?: string;
  file: string;
  line: number;
  column: number;
  outcome: StepOutcome;
  /** For a skipped policy: what made the pipeline pass it by. */
  skippedBecause?: string;
  /** Policy expressions it evaluated, in order, each where it is written. */
  expressions?: Array<{ file: string; line: number; column: number; value: TraceValue }>;
  variables?: Record<string, TraceValue>;
  headers?: HeaderChange[];
  /** context.Request.Url before and after (set-backend-service, rewrite-uri). */
  url?: { from: string; to: string };
  /** The response's status when the policy set or replaced it. */
  status?: number;
  /** What the policy knows beyond the diffs: validated claims, counters, the backend called, a token requested. */
  details?: Record<string, TraceValue>;
  error?: { reason?: string; message: string };
  /** Policies inside it (choose, retry, return-response, send-request…). */
  steps?: TraceStep[];
}

export interface StopReason {
  kind: 'return-response' | 'mock-response' | 'cache-hit' | 'policy-error' | 'unsupported' | 'invalid-policy' | 'no-match' | 'subscription-key' | 'request-too-large' | 'bad-request';
  message: string;
  policy?: string;
  file?: string;
  line?: number;
  column?: number;
}

/** context.LastError exactly as the policy expressions see it. */
export type LastErrorTrace = LastErrorInfo;

export interface TraceDocument {
  formatVersion: typeof TRACE_FORMAT_VERSION;
  requestId: string;
  timestamp: string;
  durationMs: number;
  request: { method: string; url: string; headers: Record<string, string> };
  api?: { id: string; path: string };
  operation?: { id: string; method: string; urlTemplate: string };
  product?: { id: string };
  subscription?: { id: string };
  sections: Record<Section, TraceStep[]>;
  stoppedBy?: StopReason;
  lastError?: LastErrorTrace;
  /** Named values that had no value offline (x-apiops-placeholder). */
  placeholders?: string[];
  /** Messages of the trace policy and context.Trace(). */
  messages?: string[];
  response: { status: number; headers: Record<string, string> };
}

const MAX_TEXT = 400;
const FRAGMENTS = 'policies/fragments/';
const FRAGMENT_FILE = /^policies\/fragments\/(.+)\.xml$/;

/** Header and query names whose values are credentials whatever their value. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** Headers at one moment, by lower-case name (header names are case-insensitive), each with its name as written. */
type FlatHeaders = Map<string, { name: string; value: string }>;

interface Snapshot {
  request: FlatHeaders;
  response?: FlatHeaders;
  responseObject?: object;
  status?: number;
  url: UrlMark;
  variables: Map<string, unknown>;
}

/** What tells a changed context.Request.Url apart, without formatting it. */
interface UrlMark {
  url: UrlState;
  scheme: string;
  host: string;
  port: number;
  path: string;
  query: NameValues;
  queryVersion: number;
}

function urlMark(url: UrlState): UrlMark {
  return { url, scheme: url.scheme, host: url.host, port: url.port, path: url.path, query: url.query, queryVersion: url.query.version };
}

function sameUrl(a: UrlMark, b: UrlMark): boolean {
  return a.url === b.url && a.scheme === b.scheme && a.host === b.host && a.port === b.port && a.path === b.path && a.query === b.query && a.queryVersion === b.queryVersion;
}

function formatMark(mark: UrlMark): string {
  return formatUrl({ scheme: mark.scheme, host: mark.host, port: mark.port, path: mark.path, query: mark.query });
}

export class TraceRecorder {
  readonly sections: Record<Section, TraceStep[]> = { inbound: [], backend: [], outbound: [], 'on-error': [] };
  stoppedBy?: StopReason;
  private readonly open: TraceStep[] = [];
  /**
   * The few header collections of the call (request, response, a send-request's) flattened at a version: most
   * statements change none, so a snapshot is mostly a lookup.
   */
  private readonly flattened: Array<{ names: NameValues; version: number; flat: FlatHeaders }> = [];
  /** The variables as the last snapshot copied them: most statements set none, so a snapshot mostly reuses the copy. */
  private variables = new Map<string, unknown>();

  /** A statement starts: its step goes under the one running it, else into its section. */
  begin(site: StatementSite): TraceStep {
    const step = stepOf(site, 'ran');
    const parent = this.open[this.open.length - 1];
    if (parent) (parent.steps ??= []).push(step);
    else this.sections[site.section].push(step);
    this.open.push(step);
    return step;
  }

  snapshot(call: Call): Snapshot {
    const response = call.building.length ? call.building[call.building.length - 1].message : call.response;
    const responseHeaders = response && 'statusCode' in response ? response.headers : undefined;
    return {
      request: this.flatten(call.building.length && call.building[call.building.length - 1].kind === 'request' ? call.building[call.building.length - 1].message.headers : call.request.headers),
      response: responseHeaders && this.flatten(responseHeaders),
      responseObject: response,
      status: response && 'statusCode' in response ? response.statusCode : undefined,
      url: urlMark(call.request.url),
      variables: this.variablesOf(call),
    };
  }

  private flatten(names: NameValues): FlatHeaders {
    let cached = this.flattened.find((entry) => entry.names === names);
    if (cached && cached.version === names.version) return cached.flat;
    const flat: FlatHeaders = new Map();
    for (const [name, values] of names) flat.set(name.toLowerCase(), { name, value: values.length === 1 ? values[0] : values.join(',') });
    if (!cached) this.flattened.push((cached = { names, version: names.version, flat }));
    cached.version = names.version;
    cached.flat = flat;
    return flat;
  }

  private variablesOf(call: Call): Map<string, unknown> {
    const live = call.variables;
    const copied = this.variables;
    let same = live.size === copied.size;
    if (same) {
      for (const [name, value] of live) {
        if (copied.get(name) !== value || !copied.has(name)) {
          same = false;
          break;
        }
      }
    }
    if (!same) this.variables = new Map(live);
    return this.variables;
  }

  /** The statement ended (normally, or with `error`): what it changed goes on a step without inner steps (they have it). */
  end(step: TraceStep, call: Call, before: Snapshot, error?: unknown): Snapshot | undefined {
    this.open.pop();
    if (error !== undefined) {
      step.outcome = outcomeOf(error);
      if (error instanceof PolicyFailure) step.error = { reason: error.reason, message: error.message };
      else if (!(error instanceof EndPipeline || error instanceof CacheHit) && error instanceof Error) step.error = { message: error.message };
    }
    if (step.steps) return undefined;
    const after = this.snapshot(call);
    const changes: HeaderChange[] = [];
    if (before.request !== after.request) diffHeaders('request', before.request, after.request, changes);
    if (after.responseObject !== before.responseObject) {
      if (after.status !== undefined) step.status = after.status;
    } else {
      if (before.response && after.response && before.response !== after.response) diffHeaders('response', before.response, after.response, changes);
      if (after.status !== before.status && after.status !== undefined) step.status = after.status;
    }
    if (changes.length) step.headers = changes;
    if (!sameUrl(before.url, after.url)) step.url = { from: formatMark(before.url), to: formatMark(after.url) };
    for (const [name, value] of call.variables) {
      if (before.variables.get(name) !== value || !before.variables.has(name)) (step.variables ??= {})[name] = describe(value);
    }
    return after;
  }

  /** An expression of the running statement evaluated to `value`. */
  expression(pos: SourcePos, value: unknown): void {
    const step = this.open[this.open.length - 1];
    if (step) (step.expressions ??= []).push({ file: pos.file, line: pos.line, column: pos.column, value: describe(value) });
  }

  /** Something the running policy knows that no diff shows. */
  note(name: string, value: unknown): void {
    const step = this.open[this.open.length - 1];
    if (step) (step.details ??= {})[name] = name === 'claims' ? describeClaims(value as object) : describe(value);
  }

  /** Statements the pipeline passed by. */
  skip(sites: readonly StatementSite[], because: string): void {
    const parent = this.open[this.open.length - 1];
    for (const site of sites) {
      const step = stepOf(site, 'skipped');
      step.skippedBecause = because;
      if (parent) (parent.steps ??= []).push(step);
      else this.sections[site.section].push(step);
    }
  }

  /** Keeps the first reason: the innermost statement reports first. */
  stop(reason: StopReason): void {
    this.stoppedBy ??= reason;
  }
}

/** The fragment of each policy file (undefined: not a fragment's), worked out once per file. */
const fragmentOfFile = new Map<string, string | undefined>();

function fragmentOf(file: string): string | undefined {
  if (!fragmentOfFile.has(file)) fragmentOfFile.set(file, file.startsWith(FRAGMENTS) ? FRAGMENT_FILE.exec(file)?.[1] : undefined);
  return fragmentOfFile.get(file);
}

/**
 * A step with the fields every step has: the others are added when there is something to say. Steps are made on every
 * call and the gateway keeps recent traces, so a step carries no empty fields.
 */
function stepOf(site: StatementSite, outcome: StepOutcome): TraceStep {
  const { file, line, column } = site.pos;
  const fragment = fragmentOf(file);
  const step: TraceStep = { policy: site.name, section: site.section, scope: site.scope, path: site.path, file, line, column, outcome };
  if (fragment !== undefined) step.fragment = fragment;
  if (site.policyId) step.policyId = site.policyId;
  return step;
}

/** Why the pipeline stopped, from what a statement threw. */
export function stopReasonOf(error: unknown, site: StatementSite): StopReason {
  const at = { policy: site.name, file: site.pos.file, line: site.pos.line, column: site.pos.column };
  if (error instanceof UnsupportedError) return { kind: 'unsupported', message: `${error.what} is not supported by the apiops gateway`, ...at, ...position(error.pos) };
  if (error instanceof PolicyConfigurationError) return { kind: 'invalid-policy', message: error.message, ...at, ...position(error.pos) };
  if (error instanceof PolicyFailure) return { kind: 'policy-error', message: `${error.reason}: ${error.message}`, ...at };
  if (error instanceof CacheHit) return { kind: 'cache-hit', message: 'the response came from the cache: the backend was skipped, outbound resumed after cache-store', ...at };
  if (error instanceof EndPipeline) return { kind: site.name === 'mock-response' ? 'mock-response' : 'return-response', message: `<${site.name}> ended the pipeline`, ...at };
  return { kind: 'policy-error', message: error instanceof Error ? error.message : String(error), ...at };
}

function position(pos: SourcePos): { file: string; line: number; column: number } {
  return { file: pos.file, line: pos.line, column: pos.column };
}

function outcomeOf(error: unknown): StepOutcome {
  if (error instanceof EndPipeline) return 'ended';
  if (error instanceof CacheHit) return 'cache-hit';
  if (error instanceof UnsupportedError) return 'unsupported';
  if (error instanceof PolicyConfigurationError) return 'invalid';
  return 'failed';
}

function diffHeaders(message: 'request' | 'response', before: FlatHeaders, after: FlatHeaders, changes: HeaderChange[]): void {
  for (const [lower, { name }] of before) if (!after.has(lower)) changes.push({ message, name, action: 'removed' });
  for (const [lower, { name, value }] of after) if (before.get(lower)?.value !== value) changes.push({ message, name, action: 'set', value: headerShown(name, value) });
}

/** A credential header's value keeps only its scheme (`Bearer <masked>`). */
function headerShown(name: string, value: string): string {
  if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) return value;
  const space = value.indexOf(' ');
  return space > 0 ? `${value.slice(0, space)} <masked>` : '<masked>';
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length} characters)` : text;
}

/** Interpreter values as trace data: what a reader needs to see, never a live object. */
export function describe(value: unknown, depth = 0): TraceValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return clip(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof CsDouble) return Number(toPolicyString(value));
  if (depth > 3) return clip(toPolicyString(value));
  if (value instanceof Jwt) return { type: 'Jwt', claims: describeClaims(value.payload) };
  if (Array.isArray(value)) {
    const items: TraceValue[] = [];
    for (let i = 0; i < value.length && i < 20; i++) items.push(describe(value[i], depth + 1));
    return items;
  }
  if (value instanceof Map) return describeEntries(value, 20, depth);
  if (Object.getPrototypeOf(value) === Object.prototype) return describeEntries(Object.entries(value as Record<string, unknown>), 40, depth);
  return clip(toPolicyString(value));
}

/**
 * A token's claims, described once: validate-jwt notes the claims it validated and sets a variable holding the token,
 * and both show the same (a token's claims never change).
 */
let lastClaims: { payload: object; described: TraceValue } | undefined;

function describeClaims(payload: object): TraceValue {
  if (lastClaims?.payload !== payload) lastClaims = { payload, described: describe(payload, 1) };
  return lastClaims.described;
}

function describeEntries(entries: Iterable<[unknown, unknown]>, max: number, depth: number): TraceValue {
  const described: Record<string, TraceValue> = {};
  let count = 0;
  for (const [key, item] of entries) {
    if (count++ === max) break;
    described[String(key)] = describe(item, depth + 1);
  }
  return described;
}

/** What a finished call's trace is built from. */
export interface TraceInput {
  requestId: string;
  timestamp: Date;
  durationMs: number;
  /** The request as sent: Node's raw header list (name, value, …), which policies do not change. */
  request: { method: string; url: string; rawHeaders: readonly string[] };
  /** The names of the header and query parameter carrying the subscription key (masked whatever their value). */
  keyNames: { header: string; query: string };
  call?: CallSummary;
  sections?: Record<Section, TraceStep[]>;
  stoppedBy?: StopReason;
  response: { status: number; headers: NameValues };
}

/** Headers as a trace shows them: the subscription key header `<masked>`, credential headers with their scheme only. */
export function shownHeaders(headers: NameValues, keyHeader = ''): Record<string, string> {
  const lowerKey = keyHeader.toLowerCase();
  const shown: Record<string, string> = {};
  for (const [name, values] of headers) shown[name] = name.toLowerCase() === lowerKey ? '<masked>' : headerShown(name, values.join(','));
  return shown;
}

/** What the trace of a finished call needs of it: kept instead of the call, whose request, response and values it would keep alive. */
export type CallSummary = Pick<TraceDocument, 'api' | 'operation' | 'product' | 'subscription' | 'lastError' | 'placeholders' | 'messages'>;

export function summarizeCall(call: Call): CallSummary {
  const { lastError } = call;
  return {
    api: { id: call.api.id, path: call.api.path },
    operation: { id: call.operation.id, method: call.operation.method, urlTemplate: call.operation.urlTemplate },
    ...(call.product ? { product: { id: call.product.id } } : {}),
    ...(call.subscription ? { subscription: { id: call.subscription.id } } : {}),
    ...(lastError ? { lastError: { ...lastError } } : {}),
    ...(call.placeholders.size ? { placeholders: [...call.placeholders] } : {}),
    ...(call.traces.length ? { messages: [...call.traces] } : {}),
  };
}

export function traceDocument(input: TraceInput): TraceDocument {
  const { call } = input;
  const { lastError, placeholders, messages, ...matched } = call ?? {};
  return {
    formatVersion: TRACE_FORMAT_VERSION,
    requestId: input.requestId,
    timestamp: input.timestamp.toISOString(),
    durationMs: Math.round(input.durationMs * 1000) / 1000,
    request: { method: input.request.method, url: maskQuery(input.request.url, input.keyNames.query), headers: shownHeaders(headersFromRaw(input.request.rawHeaders), input.keyNames.header) },
    ...matched,
    sections: input.sections ?? { inbound: [], backend: [], outbound: [], 'on-error': [] },
    ...(input.stoppedBy ? { stoppedBy: input.stoppedBy } : {}),
    ...(lastError ? { lastError } : {}),
    ...(placeholders ? { placeholders } : {}),
    ...(messages ? { messages } : {}),
    response: { status: input.response.status, headers: shownHeaders(input.response.headers) },
  };
}

function maskQuery(url: string, keyQuery: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const parts = url
    .slice(at + 1)
    .split('&')
    .map((part) => {
      const name = part.split('=', 1)[0];
      return name.toLowerCase() === keyQuery.toLowerCase() ? `${name}=<masked>` : part;
    });
  return `${url.slice(0, at)}?${parts.join('&')}`;
}

/** A JWT anywhere in a text (`eyJ` is `{"` in Base64url: every JWT header starts so). */
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/**
 * The trace as it may be shown: every known secret value and subscription key replaced by its name, every JWT by
 * `<token>` (its validated claims stay readable in validate-jwt's details).
 */
export function presentTrace(document: TraceDocument, secrets: readonly KnownSecret[]): TraceDocument {
  return JSON.parse(maskText(JSON.stringify(document), secrets)) as TraceDocument;
}

/** A text as a trace may show it (what a call answered, beside its trace): secrets and keys named, JWTs `<token>`. */
export function maskText(text: string, secrets: readonly KnownSecret[]): string {
  return secretRedactor(secrets)(text).replace(JWT, '<token>');
}

/**
 * The recent traces of a gateway, oldest dropped first; a document is made when one is asked for. What a kept trace
 * holds on to outlives the young generation, and garbage collection pays for it: never the call, only what the
 * document needs.
 */
export class TraceStore {
  private readonly traces = new Map<string, TraceInput | TraceDocument>();

  /** 50: enough for a person or a test runner asking right after a call; each kept trace costs garbage collection. */
  constructor(readonly capacity = 50) {}

  add(trace: TraceInput): void {
    this.traces.set(trace.requestId, trace);
    if (this.traces.size > this.capacity) this.traces.delete(this.traces.keys().next().value!);
  }

  /** A kept trace as it may be shown (presentTrace). */
  present(requestId: string, secrets: readonly KnownSecret[]): TraceDocument | undefined {
    const stored = this.traces.get(requestId);
    if (!stored) return undefined;
    const document = 'formatVersion' in stored ? stored : traceDocument(stored);
    this.traces.set(requestId, document);
    return presentTrace(document, secrets);
  }

  clear(): void {
    this.traces.clear();
  }
}
