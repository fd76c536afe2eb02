import { ApiManagementClient } from '@azure/arm-apimanagement';
import { bearerTokenAuthenticationPolicyName, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';

/**
 * The one place that builds an @azure/arm-apimanagement client. Loopback endpoints are emulators: they get
 * a static token (the SDK refuses bearer tokens over plain http, so its bearer policy is replaced by one that
 * signs the request itself); every other endpoint uses DefaultAzureCredential.
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
}

export interface ApimConnection {
  client: ApiManagementClient;
  scope: ServiceScope;
  endpoint: string;
  requests: RequestCounts;
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

export function connect(scope: ServiceScope, options: ClientOptions = {}): ApimConnection {
  const endpoint = (options.endpoint ?? 'https://management.azure.com').replace(/\/+$/, '');
  const loopback = isLoopbackEndpoint(endpoint);
  const credential = loopback ? staticTokenCredential(EMULATOR_TOKEN) : new DefaultAzureCredential();
  const requests = emptyRequestCounts();
  const client = new ApiManagementClient(credential, scope.subscriptionId, {
    endpoint,
    allowInsecureConnection: loopback,
    retryOptions: {
      maxRetries: options.maxRetries ?? 6,
      retryDelayInMs: options.retryDelayInMs ?? 200,
      maxRetryDelayInMs: options.maxRetryDelayInMs ?? 10_000,
    },
  });
  if (loopback) {
    client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
    client.pipeline.addPolicy(staticBearerPolicy(EMULATOR_TOKEN), { phase: 'Sign' });
  }
  client.pipeline.addPolicy(countingPolicy(requests), { afterPhase: 'Retry' });
  return { client, scope, endpoint, requests };
}
