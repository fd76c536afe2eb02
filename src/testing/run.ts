/**
 * Runs test files through one in-process gateway per run, over HTTP and its control endpoints (/.apiops/), as a
 * pipeline would call APIM. Each file starts from a just-started gateway's state (clock, counters, cache, backend
 * stub) and its own subscriptions; its cases run in order and share that state, so a throttling case can be followed
 * by one `after: 61s`. Files run one after another: they would share the one backend stub's recording, and in one
 * process interleaving them would not make the run faster.
 */
import { formatPos, type SourcePos } from '../diagnostics';
import { resetState, startGateway, type RunningGateway } from '../gateway';
import type { SigningKeys } from '../gateway/tokens';
import { RequestMatcher } from '../gateway/matching';
import { DEFAULT_KEY_HEADER, DEFAULT_KEY_QUERY } from '../gateway/repository';
import { parseQuery } from '../gateway/url';
import { NameValues } from '../gateway/expressions';
import type { RenderedRepository } from '../render/desired';
import type { YamlPath } from '../repo/model';
import { parseDuration } from './duration';
import { checkBackend, checkResponse, type BackendRequest, type Observed } from './expectations';
import type { CallerSpec, Json, TestCase, TestFile, TokenSpec } from './model';

export type Outcome = 'passed' | 'failed' | 'unsupported';

export interface CaseFailure {
  /** The expectation as written in the file: `expect.backend.token.aud`; `request` when the call could not be made. */
  expectation: string;
  expected?: string;
  actual?: string;
  message: string;
  /** Where the expectation is written. */
  pos: SourcePos;
  /** For `repeat`: which request (1-based) failed. */
  request?: number;
}

export interface CaseResult {
  name: string;
  pos: SourcePos;
  outcome: Outcome;
  durationMs: number;
  failure?: CaseFailure;
}

export interface FileResult {
  file: string;
  cases: CaseResult[];
  durationMs: number;
}

export interface RunResult {
  environment: string;
  /** When the run started (JUnit's timestamp). */
  startedAt: Date;
  files: FileResult[];
  durationMs: number;
}

/** A fixed object id for shorthand tokens, so policies that read `oid` see a value (and tests can expect it). */
export const TEST_CALLER_OID = '7d3c4a52-0b1e-4f6a-9c8d-2e5f1a0b3c4d';

class CaseError extends Error {
  constructor(readonly failure: Omit<CaseFailure, 'pos'> & { path: YamlPath }) {
    super(failure.message);
  }
}

export async function runTests(
  rendered: RenderedRepository,
  files: readonly TestFile[],
  options: { env: NodeJS.ProcessEnv; signingKeys?: Promise<SigningKeys> },
): Promise<RunResult> {
  const startedAt = new Date();
  const started = performance.now();
  const gateway = await startGateway({ rendered, env: options.env, signingKeys: options.signingKeys });
  try {
    const runner = new Runner(gateway, rendered);
    const results: FileResult[] = [];
    for (const file of files) results.push(await runner.runFile(file));
    return { environment: rendered.environment.name, startedAt, files: results, durationMs: performance.now() - started };
  } finally {
    await gateway.close();
  }
}

class Runner {
  private readonly matcher: RequestMatcher;
  private readonly values: Record<string, unknown>;

  constructor(
    private readonly gateway: RunningGateway,
    private readonly rendered: RenderedRepository,
  ) {
    this.matcher = new RequestMatcher(gateway.services.repository.apis);
    this.values = rendered.environment.values;
  }

  async runFile(file: TestFile): Promise<FileResult> {
    const started = performance.now();
    resetState(this.gateway.services);
    const keys = new Map<string, string>();
    const cases: CaseResult[] = [];
    for (const testCase of file.cases) cases.push(await this.runCase(testCase, keys));
    return { file: file.file, cases, durationMs: performance.now() - started };
  }

  private async runCase(testCase: TestCase, keys: Map<string, string>): Promise<CaseResult> {
    const started = performance.now();
    const result = (outcome: Outcome, failure?: CaseFailure): CaseResult => ({ name: testCase.name, pos: testCase.pos, outcome, durationMs: performance.now() - started, failure });
    try {
      if (testCase.fresh) resetState(this.gateway.services);
      if (testCase.afterSeconds) await this.control('POST', 'clock', { advanceSeconds: testCase.afterSeconds });
      await this.control('DELETE', 'backend-requests');
      if (testCase.backendResponse) await this.control('PUT', 'backend-response', testCase.backendResponse);
      else await this.control('DELETE', 'backend-response');
      const request = await this.prepare(testCase, keys);
      for (let i = 1; i <= testCase.repeat; i++) {
        const observed = await this.send(request);
        const unsupported = observed.headers['x-apiops-unsupported'];
        const repeatNote = testCase.repeat > 1 ? ` (request ${i} of ${testCase.repeat})` : '';
        if (unsupported) {
          return result('unsupported', {
            expectation: 'request',
            message: `the apiops gateway cannot run ${unsupported}${repeatNote}`,
            pos: testCase.locate(['request']),
            request: testCase.repeat > 1 ? i : undefined,
          });
        }
        const policyError = observed.headers['x-apiops-error'];
        if (policyError) {
          return result('failed', { expectation: 'request', message: `a policy cannot run: ${policyError}${repeatNote}`, pos: testCase.locate(['request']), request: testCase.repeat > 1 ? i : undefined });
        }
        const wrong = checkResponse(testCase.expect, observed);
        if (wrong) {
          const expectation = wrong.path.join('.');
          return result('failed', {
            expectation,
            expected: wrong.expected,
            actual: wrong.actual,
            message: `${expectation}${repeatNote}: expected ${wrong.expected}, got ${wrong.actual}`,
            pos: testCase.locate(wrong.path),
            request: testCase.repeat > 1 ? i : undefined,
          });
        }
      }
      const received = (await this.control('GET', 'backend-requests')) as BackendRequest[];
      const wrong = checkBackend(testCase.expect, received);
      if (wrong) {
        const expectation = wrong.path.join('.');
        const which = wrong.index !== undefined && received.length > 1 ? ` (backend request ${wrong.index + 1} of ${received.length})` : '';
        return result('failed', { expectation, expected: wrong.expected, actual: wrong.actual, message: `${expectation}${which}: expected ${wrong.expected}, got ${wrong.actual}`, pos: testCase.locate(wrong.path) });
      }
      return result('passed');
    } catch (error) {
      if (!(error instanceof CaseError)) throw error;
      const { path, ...failure } = error.failure;
      return result('failed', { ...failure, pos: testCase.locate(path) });
    }
  }

  /** The request of a case, with its subscription key and token in place. */
  private async prepare(testCase: TestCase, keys: Map<string, string>): Promise<{ method: string; url: string; headers: Record<string, string>; body?: string }> {
    const { request } = testCase;
    const headers: Record<string, string> = { ...request.headers };
    let path = request.path;
    const names = this.keyNames(request.method, path, headers);
    const key = await this.callerKey(testCase.caller, keys);
    if (key !== undefined) {
      if (testCase.caller !== 'none' && testCase.caller.in === 'query') path += `${path.includes('?') ? '&' : '?'}${encodeURIComponent(names.query)}=${encodeURIComponent(key)}`;
      else headers[names.header] = key;
    }
    const token = await this.token(testCase.token);
    if (token) headers[token.header] = token.value;
    let body: string | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      if (typeof request.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    return { method: request.method, url: `${this.gateway.url}${path}`, headers, body };
  }

  /** The subscription key parameter names of the API the path is for (APIM's defaults when none matches). */
  private keyNames(method: string, path: string, headers: Record<string, string>): { header: string; query: string } {
    const queryAt = path.indexOf('?');
    const match = this.matcher.match(method, queryAt < 0 ? path : path.slice(0, queryAt), parseQuery(queryAt < 0 ? '' : path.slice(queryAt + 1)), new NameValues(headers));
    return match?.api.subscriptionKeyParameterNames ?? { header: DEFAULT_KEY_HEADER, query: DEFAULT_KEY_QUERY };
  }

  private async callerKey(caller: CallerSpec, keys: Map<string, string>): Promise<string | undefined> {
    if (caller === 'none') return undefined;
    if (caller.key !== undefined) return caller.key;
    if (caller.subscription !== undefined) {
      const listed = (await this.control('GET', 'subscriptions')) as Array<{ id: string; primaryKey: string }>;
      const own = listed.find((s) => s.id === caller.subscription);
      if (!own) throw new CaseError({ path: ['caller', 'subscription'], expectation: 'caller', message: `the gateway has no subscription '${caller.subscription}'` });
      return own.primaryKey;
    }
    const scope = caller.product !== undefined ? { product: caller.product } : caller.api !== undefined ? { api: caller.api } : { allApis: true };
    const id = JSON.stringify([scope, caller.name ?? '', caller.state ?? 'active']);
    let key = keys.get(id);
    if (key === undefined) {
      const created = (await this.control('POST', 'subscriptions', { ...scope, ...(caller.state ? { state: caller.state } : {}) })) as { primaryKey: string };
      key = created.primaryKey;
      keys.set(id, key);
    }
    return key;
  }

  /** The token a case presents, as the header carrying it. */
  private async token(spec: TokenSpec): Promise<{ header: string; value: string } | undefined> {
    if (spec === 'none') return undefined;
    const fields = typeof spec === 'string' ? { like: spec } : spec;
    const header = fields.header ?? 'Authorization';
    const carry = (token: string) => ({ header, value: header.toLowerCase() === 'authorization' ? `Bearer ${token}` : token });
    if (fields.raw !== undefined) return carry(fields.raw);
    const base: { issuer?: string; audience?: string; claims: Record<string, Json> } = fields.like ? this.shorthand(fields.like) : { claims: {} };
    const issuer = fields.issuer ?? base.issuer;
    const audience = fields.audience ?? base.audience;
    if (issuer === undefined || audience === undefined) {
      throw new CaseError({ path: ['token'], expectation: 'token', message: 'a token needs an issuer and an audience (or like: entra)' });
    }
    const body = {
      issuer,
      audience,
      claims: { ...base.claims, ...(fields.claims ?? {}) },
      expiresInSeconds: fields.expiresIn === undefined ? 3600 : parseDuration(fields.expiresIn),
      trusted: fields.trusted ?? true,
    };
    const { token } = (await this.control('POST', 'tokens', body)) as { token: string };
    return carry(token);
  }

  /** `entra`: an Entra ID v2 token for values.apiAudience from values.tenantId; `entra-v1`: the same from the v1 issuer. */
  private shorthand(like: 'entra' | 'entra-v1'): { issuer: string; audience: string; claims: Record<string, Json> } {
    const { tenantId, apiAudience } = this.values;
    const environment = this.rendered.environment.name;
    for (const [name, value] of [['tenantId', tenantId], ['apiAudience', apiAudience]] as const) {
      if (typeof value !== 'string') {
        throw new CaseError({ path: ['token'], expectation: 'token', message: `token: ${like} needs values.${name} (a string) in environment '${environment}'; or give issuer and audience` });
      }
    }
    const v2 = like === 'entra';
    return {
      issuer: v2 ? `https://login.microsoftonline.com/${tenantId}/v2.0` : `https://sts.windows.net/${tenantId}/`,
      audience: apiAudience as string,
      claims: { tid: tenantId as string, oid: TEST_CALLER_OID, sub: TEST_CALLER_OID, ver: v2 ? '2.0' : '1.0' },
    };
  }

  private async send(request: { method: string; url: string; headers: Record<string, string>; body?: string }): Promise<Observed> {
    let response: Response;
    try {
      response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
    } catch (error) {
      throw new CaseError({ path: ['request'], expectation: 'request', message: `the request could not be sent: ${(error as Error).message}` });
    }
    const body = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body };
  }

  private async control(method: string, endpoint: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.gateway.url}/.apiops/${endpoint}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      throw new CaseError({ path: [], expectation: 'gateway', message: `the gateway refused ${method} /.apiops/${endpoint}: ${parsed?.error ?? response.status}` });
    }
    return parsed;
  }
}

export function describeFailure(failure: CaseFailure): string {
  return `${failure.message} (${formatPos(failure.pos)})`;
}
