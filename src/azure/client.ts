import { ApiManagementClient, KnownExportApi, KnownExportFormat } from '@azure/arm-apimanagement';
import { bearerTokenAuthenticationPolicyName, formDataPolicyName, RestError, retryPolicy, type PipelinePolicy, type PipelineRequest } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/core-auth';
import { AggregateAuthenticationError, AuthenticationError, CredentialUnavailableError, DefaultAzureCredential } from '@azure/identity';
import { createLimiter, DEFAULT_CONCURRENCY, type Limiter } from './concurrency';
import { apiopsRetryStrategy } from './retry';

/** The SDK's export parameters, for ./export (this module is the only one that imports the SDK). */
export { KnownExportApi, KnownExportFormat };

/**
 * The one place that imports @azure/arm-apimanagement and builds its client. Loopback endpoints are emulators: they get
 * a static token (the SDK refuses bearer tokens over plain http, so its bearer policy is replaced by one that
 * signs the request itself); every other endpoint uses DefaultAzureCredential.
 *
 * Every connection bounds the HTTP requests in flight (per attempt, so a retry waiting out its backoff holds no
 * slot): callers may start any number of operations and the pipeline keeps the service's load at `concurrency`.
 */

export interface ServiceScope {
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
}

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST' | 'HEAD';

/** Requests by method, counted at the HTTP client (every attempt, retries included). */
export type RequestCounts = Record<HttpMethod, number> & { total: number };

export function emptyRequestCounts(): RequestCounts {
  return { GET: 0, PUT: 0, PATCH: 0, DELETE: 0, POST: 0, HEAD: 0, total: 0 };
}

export const EMULATOR_TOKEN = 'apiops-emulator-token';

export interface ClientOptions {
  /** ARM endpoint; default https://management.azure.com. */
  endpoint?: string;
  /** Retries after the first attempt for 429 / 5xx / connection errors. */
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
  /** Most HTTP requests in flight at once (default 8). */
  concurrency?: number;
  /** Polling interval of long-running operations when the server gives no Retry-After. */
  pollIntervalInMs?: number;
}

export interface ApimConnection {
  client: ApiManagementClient;
  scope: ServiceScope;
  endpoint: string;
  requests: RequestCounts;
  /** Bounds the requests in flight; exposed so callers can size their own batches to it. */
  limiter: Limiter;
  /** Polling interval for long-running operations (short for loopback emulators). */
  pollIntervalInMs: number;
  /**
   * Whether the service is known to refuse a create with `If-None-Match: *` when the resource exists. The emulator
   * does, as ARM's contract for conditional requests says; APIM's own specification declares no If-None-Match on any
   * write and its team has said it has no conditional create (docs/publish-safety.md), so on Azure it is not counted on.
   */
  honoursIfNoneMatch: boolean;
  /**
   * From now on, refuse every request that would change the instance before it is sent (Ctrl-C during publish):
   * the requests already sent finish, retries included, reads go on (a long-running write in flight is still followed to its end).
   * A refused request fails with an error that `isWriteStopped` recognises.
   */
  stopWrites(): void;
}

const WRITES_STOPPED = 'APIOPS_WRITES_STOPPED';

/** Whether a request failed because the connection's writes were stopped, i.e. it was never sent. */
export function isWriteStopped(error: unknown): boolean {
  return error instanceof RestError && error.code === WRITES_STOPPED;
}

/** Whether a request failed because DefaultAzureCredential could not get a token (not signed in, no identity). */
export function isSignInFailure(error: unknown): boolean {
  return error instanceof CredentialUnavailableError || error instanceof AuthenticationError || error instanceof AggregateAuthenticationError;
}

export function isLoopbackEndpoint(endpoint: string): boolean {
  const { hostname } = new URL(endpoint);
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\./.test(hostname);
}

function staticTokenCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

function countingPolicy(counts: RequestCounts): PipelinePolicy {
  return {
    name: 'apiopsRequestCounter',
    sendRequest: (request, next) => {
      const method = request.method.toUpperCase() as HttpMethod;
      if (method in counts) counts[method] += 1;
      counts.total += 1;
      return next(request);
    },
  };
}

function staticBearerPolicy(token: string): PipelinePolicy {
  return {
    name: 'apiopsStaticBearer',
    sendRequest: (request, next) => {
      request.headers.set('Authorization', `Bearer ${token}`);
      return next(request);
    },
  };
}

/**
 * Bounds the requests in flight; a write that gets its slot after writes were stopped is not sent. This policy runs
 * after the Retry phase, once per attempt, and the retry policy sends the same request object each time: an attempt
 * of a write already sent is a retry, and goes out (the first attempt may have landed; stopping must not leave it
 * half-known).
 */
function concurrencyPolicy(limiter: Limiter, writesStopped: () => boolean): PipelinePolicy {
  const sent = new WeakSet<PipelineRequest>();
  return {
    name: 'apiopsConcurrencyLimit',
    sendRequest: (request, next) =>
      limiter.run(() => {
        if (writesStopped() && request.method !== 'GET' && request.method !== 'HEAD' && !sent.has(request)) {
          throw new RestError(`${request.method} not sent: writes were stopped`, { code: WRITES_STOPPED, request });
        }
        sent.add(request);
        return next(request);
      }),
  };
}

export function connect(scope: ServiceScope, options: ClientOptions = {}): ApimConnection {
  const endpoint = (options.endpoint ?? 'https://management.azure.com').replace(/\/+$/, '');
  const loopback = isLoopbackEndpoint(endpoint);
  const credential = loopback ? staticTokenCredential(EMULATOR_TOKEN) : new DefaultAzureCredential();
  const requests = emptyRequestCounts();
  const client = new ApiManagementClient(credential, scope.subscriptionId, {
    endpoint,
    allowInsecureConnection: loopback,
  });
  const limiter = createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY);
  if (loopback) {
    client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
    client.pipeline.addPolicy(staticBearerPolicy(EMULATOR_TOKEN), { phase: 'Sign' });
  }
  // ARM takes JSON bodies only; the form-data policy's first look at a body loads Node's fetch (undici), which costs
  // a publish tens of milliseconds before its first request, with every slot idle.
  client.pipeline.removePolicy({ name: formDataPolicyName });
  client.pipeline.removePolicy({ phase: 'Retry' });
  const timing = {
    retryDelayInMs: options.retryDelayInMs ?? (loopback ? 50 : 800),
    maxRetryDelayInMs: options.maxRetryDelayInMs ?? (loopback ? 2_000 : 60_000),
  };
  client.pipeline.addPolicy(retryPolicy([apiopsRetryStrategy(timing)], { maxRetries: options.maxRetries ?? 8 }), {
    phase: 'Retry',
  });
  let writesStopped = false;
  client.pipeline.addPolicy(concurrencyPolicy(limiter, () => writesStopped), { afterPhase: 'Retry' });
  client.pipeline.addPolicy(countingPolicy(requests), { afterPhase: 'Retry' });
  const pollIntervalInMs = options.pollIntervalInMs ?? (loopback ? 20 : 2_000);
  return { client, scope, endpoint, requests, limiter, pollIntervalInMs, honoursIfNoneMatch: loopback, stopWrites: () => void (writesStopped = true) };
}
