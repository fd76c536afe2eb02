/**
 * The gateway's state across calls, all in memory: its clock (which the control endpoint moves), the token
 * authority and managed identity, rate-limit and quota counters, the response cache, concurrency counts and the
 * recording backend stub.
 */
import { randomUUID } from 'node:crypto';
import { NameValues } from './expressions';
import type { GatewayRepository } from './repository';
import type { KnownSecret } from '../known-secrets';
import { SubscriptionStore } from './subscriptions';
import { TraceStore } from './trace';
import { rsaKey, signJwt, type SigningKey, type SigningKeys, type VerificationKey } from './tokens';

export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

export interface Identity {
  tenantId: string;
  principalId: string;
  clientId: string;
}

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export interface StubResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** How long the stub takes to answer (real milliseconds), to exercise forward-request timeouts. */
  delayMs: number;
}

export function defaultStubResponse(): StubResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: '{}', delayMs: 0 };
}

/** Every backend and send-request target: records what it receives and answers what it was told to. */
export class BackendStub {
  readonly requests: RecordedRequest[] = [];
  response: StubResponse = defaultStubResponse();

  async answer(request: RecordedRequest, timeoutMs: number): Promise<{ status: number; headers: NameValues; body: Buffer } | 'timeout'> {
    this.requests.push(request);
    const { status, headers, body, delayMs } = this.response;
    if (delayMs > 0) {
      if (delayMs >= timeoutMs) {
        await new Promise((resolve) => setTimeout(resolve, timeoutMs));
        return 'timeout';
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    return { status, headers: new NameValues(Object.entries(headers)), body: Buffer.from(body, 'utf8') };
  }
}

export class TokenAuthority {
  /** Published as the JWKS of every openid-config URL the policies name. */
  readonly trusted: SigningKey;
  /** Signs `"trusted": false` tokens: no openid-config publishes it. */
  readonly untrusted: SigningKey;
  /** The trusted key as validate-jwt checks signatures with it (made once: building a key object is not cheap). */
  readonly trustedVerification: VerificationKey;
  private readonly identityTokens = new Map<string, { token: string; expires: number }>();

  constructor(
    readonly identity: Identity,
    private readonly clock: Clock,
    keys: SigningKeys,
  ) {
    this.trusted = keys.trusted;
    this.untrusted = keys.untrusted;
    this.trustedVerification = rsaKey(this.trusted.jwk as { n: string; e: string; kid: string });
  }

  issue(claims: Record<string, unknown>, expiresInSeconds: number, trusted: boolean): string {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return signJwt({ iat: now, nbf: now, exp: now + expiresInSeconds, ...claims }, trusted ? this.trusted : this.untrusted);
  }

  /** The managed identity's token for `resource`, cached until shortly before it expires (as APIM caches it). */
  managedIdentityToken(resource: string, clientId?: string): string {
    const cacheKey = `${clientId ?? ''}|${resource}`;
    const now = this.clock.now().getTime();
    const cached = this.identityTokens.get(cacheKey);
    if (cached && cached.expires - 300_000 > now) return cached.token;
    const { tenantId, principalId } = this.identity;
    const appid = clientId ?? this.identity.clientId;
    const token = this.issue(
      { aud: resource, iss: `https://sts.windows.net/${tenantId}/`, oid: principalId, sub: principalId, appid, tid: tenantId, idtyp: 'app', ver: '1.0' },
      86_400,
      true,
    );
    this.identityTokens.set(cacheKey, { token, expires: now + 86_400_000 });
    return token;
  }

  forgetIdentityTokens(): void {
    this.identityTokens.clear();
  }
}

export interface GatewayServices {
  repository: GatewayRepository;
  clock: Clock;
  tokens: TokenAuthority;
  subscriptions: SubscriptionStore;
  backend: BackendStub;
  /** Sliding-window call times per counter key (rate-limit, rate-limit-by-key). */
  rateWindows: Map<string, number[]>;
  /** Fixed-window usage per counter key (quota, quota-by-key). */
  quotas: Map<string, { period: number; calls: number; kilobytes: number }>;
  cache: Map<string, { expires: number; status: number; reason: string; headers: Array<[string, string[]]>; body: Buffer }>;
  concurrency: Map<string, number>;
  serviceName: string;
  /** The recent calls' traces (undefined: the gateway does not record them). */
  traces?: TraceStore;
}

/** What a trace must never show: the secret named values' values and every subscription key. */
export function traceSecrets(services: GatewayServices): KnownSecret[] {
  const secrets: KnownSecret[] = [];
  for (const namedValue of services.repository.namedValues.values()) {
    if (namedValue.secret && !namedValue.placeholder) secrets.push({ namedValue: namedValue.name, displayName: namedValue.name, value: namedValue.value });
  }
  for (const subscription of services.subscriptions.list()) {
    for (const key of [subscription.primaryKey, subscription.secondaryKey]) {
      secrets.push({ namedValue: subscription.id, displayName: `subscription key of ${subscription.id}`, value: key });
    }
  }
  return secrets;
}

/**
 * Back to a just-started gateway's state, without starting another (an `apiops test` case with `fresh: true`): the clock,
 * rate-limit and quota counters, the response cache, concurrency counts, cached identity tokens and the backend stub.
 * Subscriptions and signing keys stay.
 */
export function resetState(services: GatewayServices): void {
  services.clock.reset();
  services.rateWindows.clear();
  services.quotas.clear();
  services.cache.clear();
  services.concurrency.clear();
  services.tokens.forgetIdentityTokens();
  services.backend.requests.length = 0;
  services.backend.response = defaultStubResponse();
  services.traces?.clear();
}

const ZERO_UUID_TENANT = '00000000-0000-0000-0000-000000000000';

/** The managed identity's ids: those given, else tenantId from the environment's values and random principal and client ids. */
export function resolveIdentity(repository: GatewayRepository, identity?: Partial<Identity>): Identity {
  const tenantId = identity?.tenantId ?? (typeof repository.values.tenantId === 'string' ? repository.values.tenantId : ZERO_UUID_TENANT);
  return { tenantId, principalId: identity?.principalId ?? randomUUID(), clientId: identity?.clientId ?? randomUUID() };
}

export function createServices(repository: GatewayRepository, keys: SigningKeys, identity: Identity, tracing = true): GatewayServices {
  const clock = new Clock();
  const tokens = new TokenAuthority(identity, clock, keys);
  const subscriptions = new SubscriptionStore();
  for (const { scope, ...subscription } of repository.subscriptions) subscriptions.add(scope, { ...subscription, now: clock.now() });
  return {
    repository,
    clock,
    tokens,
    subscriptions,
    backend: new BackendStub(),
    rateWindows: new Map(),
    quotas: new Map(),
    cache: new Map(),
    concurrency: new Map(),
    serviceName: serviceNameOf(repository),
    traces: tracing ? new TraceStore() : undefined,
  };
}

function serviceNameOf(repository: GatewayRepository): string {
  const target = repository.rendered.environment.target;
  return 'serviceName' in target ? target.serviceName : 'apiops-gateway';
}
