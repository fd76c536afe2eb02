/**
 * A caller of an in-process gateway, as `apiops test` and `apiops trace` make one: a request with the subscription key
 * of the caller it names and the token it asks for (both made through the gateway's control endpoints), sent over
 * HTTP, and the trace of what the gateway did with it.
 */
import type { RunningGateway, TraceDocument } from '../gateway';
import { REQUEST_ID_HEADER } from '../gateway';
import { NameValues } from '../gateway/expressions';
import { RequestMatcher } from '../gateway/matching';
import { DEFAULT_KEY_HEADER, DEFAULT_KEY_QUERY } from '../gateway/repository';
import { parseQuery } from '../gateway/url';
import type { RenderedRepository } from '../render/desired';
import type { YamlPath } from '../repo/model';
import { parseDuration } from './duration';
import type { Observed } from './expectations';
import type { CallerSpec, Json, RequestSpec, TokenSpec } from './model';

/** A fixed object id for shorthand tokens, so policies that read `oid` see a value (and tests can expect it). */
export const TEST_CALLER_OID = '7d3c4a52-0b1e-4f6a-9c8d-2e5f1a0b3c4d';

/** What was asked for cannot be done (no such subscription, a token without issuer…): `path` is the part that asked. */
export class CallerError extends Error {
  constructor(
    readonly path: YamlPath,
    readonly expectation: string,
    message: string,
  ) {
    super(message);
  }
}

export interface PreparedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export class GatewayCaller {
  private readonly matcher: RequestMatcher;
  private readonly values: Record<string, unknown>;

  constructor(
    private readonly gateway: RunningGateway,
    private readonly rendered: RenderedRepository,
  ) {
    this.matcher = new RequestMatcher(gateway.services.repository.apis);
    this.values = rendered.environment.values;
  }

  /**
   * The request with its subscription key and token in place. `keys` remembers the subscriptions made for callers by
   * scope, so that callers naming the same scope share one.
   */
  async prepare(request: RequestSpec, caller: CallerSpec, tokenSpec: TokenSpec, keys: Map<string, string>): Promise<PreparedRequest> {
    const headers: Record<string, string> = { ...request.headers };
    let path = request.path;
    const names = this.keyNames(request.method, path, headers);
    const key = await this.callerKey(caller, keys);
    if (key !== undefined) {
      if (caller !== 'none' && caller.in === 'query') path += `${path.includes('?') ? '&' : '?'}${encodeURIComponent(names.query)}=${encodeURIComponent(key)}`;
      else headers[names.header] = key;
    }
    const token = await this.token(tokenSpec);
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
      if (!own) throw new CallerError(['caller', 'subscription'], 'caller', `the gateway has no subscription '${caller.subscription}'`);
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

  /** The token a caller presents, as the header carrying it. */
  private async token(spec: TokenSpec): Promise<{ header: string; value: string } | undefined> {
    if (spec === 'none') return undefined;
    const fields = typeof spec === 'string' ? { like: spec } : spec;
    const header = fields.header ?? 'Authorization';
    const carry = (token: string) => ({ header, value: header.toLowerCase() === 'authorization' ? `Bearer ${token}` : token });
    if (fields.raw !== undefined) return carry(fields.raw);
    const base: { issuer?: string; audience?: string; claims: Record<string, Json> } = fields.like ? this.shorthand(fields.like) : { claims: {} };
    const issuer = fields.issuer ?? base.issuer;
    const audience = fields.audience ?? base.audience;
    if (issuer === undefined || audience === undefined) throw new CallerError(['token'], 'token', 'a token needs an issuer and an audience (or like: entra)');
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
        throw new CallerError(['token'], 'token', `token: ${like} needs values.${name} (a string) in environment '${environment}'; or give issuer and audience`);
      }
    }
    const v2 = like === 'entra';
    return {
      issuer: v2 ? `https://login.microsoftonline.com/${tenantId}/v2.0` : `https://sts.windows.net/${tenantId}/`,
      audience: apiAudience as string,
      claims: { tid: tenantId as string, oid: TEST_CALLER_OID, sub: TEST_CALLER_OID, ver: v2 ? '2.0' : '1.0' },
    };
  }

  async send(request: PreparedRequest): Promise<Observed> {
    let response: Response;
    try {
      response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
    } catch (error) {
      throw new CallerError(['request'], 'request', `the request could not be sent: ${(error as Error).message}`);
    }
    const body = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body };
  }

  /** The trace of the call that got `observed` (masked as the gateway shows it), if the gateway still has it. */
  async traceOf(observed: Observed): Promise<TraceDocument | undefined> {
    const requestId = observed.headers[REQUEST_ID_HEADER];
    if (!requestId) return undefined;
    const response = await fetch(`${this.gateway.url}/.apiops/traces/${encodeURIComponent(requestId)}`);
    return response.ok ? ((await response.json()) as TraceDocument) : undefined;
  }

  async control(method: string, endpoint: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.gateway.url}/.apiops/${endpoint}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new CallerError([], 'gateway', `the gateway refused ${method} /.apiops/${endpoint}: ${parsed?.error ?? response.status}`);
    return parsed;
  }
}
