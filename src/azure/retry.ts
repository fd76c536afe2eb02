import { RestError, type PipelineResponse, type RetryStrategy } from '@azure/core-rest-pipeline';

/**
 * The retry rule for every ARM request. The SDK's default strategies honour Retry-After only on 429/503 and do not
 * retry a 429 that lacks the header; Azure sends Retry-After on other 5xx answers too (and the emulator injects
 * all of these), so one strategy covers them: 408, 429 and 5xx (but 501/505), a 409 that says an operation on the
 * entity is still in progress, and dropped connections are retried, after the server's Retry-After when it gives one
 * (up to MAX_RETRY_AFTER_MS), else after an exponential backoff with jitter.
 */

export interface RetryTiming {
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
}

const RETRYABLE_SYSTEM_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * APIM answers 409 while an earlier operation on the same entity has not settled (an API's import still being
 * applied): `{"error":{"code":"PessimisticConcurrencyConflict","message":"Operation on the API is in progress"}}`, the
 * code sometimes plain `Conflict`. That clears by itself, like a 429. Every other 409 (a path another API uses, a
 * named value still referenced) stays as it is however often it is retried, so it fails at once.
 */
function isOperationInProgress(response: PipelineResponse): boolean {
  if (response.status !== 409) return false;
  if (response.headers.has('retry-after') || response.headers.has('retry-after-ms')) return true;
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = JSON.parse(response.bodyAsText ?? '')?.error;
  } catch {
    return false;
  }
  return error?.code === 'PessimisticConcurrencyConflict' || /\boperation on the \w+ is (already )?in progress\b/i.test(String(error?.message ?? ''));
}

function isDroppedConnection(error: RestError | undefined): boolean {
  if (!error || error.statusCode !== undefined) return false;
  return RETRYABLE_SYSTEM_ERRORS.has(String(error.code)) || /socket hang up/i.test(error.message);
}

/** Milliseconds the server asked us to wait, from retry-after-ms, x-ms-retry-after-ms or Retry-After (seconds or date). */
export function retryAfterMs(response: PipelineResponse): number | undefined {
  for (const header of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = Number(response.headers.get(header));
    if (response.headers.has(header) && Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = response.headers.get('retry-after');
  if (!retryAfter) return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/**
 * The longest wait a server may ask for (Retry-After) that apiops sits out. ARM throttling asks for seconds: its
 * request windows refill within a minute. A longer ask (`Retry-After: 3600`, a maintenance window) means "not now",
 * and neither way of obeying it helps a pipeline: waiting holds the job silently until its own timeout kills it with
 * no message, and retrying sooner than asked defies the server and mostly earns another 429. So such a request fails at
 * once, saying how long the server asked for: publish reports it with the change it belonged to, and a later re-run
 * re-plans and picks up where this one stopped.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

function retryAfterTooLong(response: PipelineResponse, askedMs: number): RestError {
  const seconds = Math.ceil(askedMs / 1000);
  return new RestError(
    `the service asked to wait ${seconds} s before retrying (Retry-After), longer than apiops waits (${MAX_RETRY_AFTER_MS / 1000} s): try again later`,
    { code: 'RetryAfterTooLong', statusCode: response.status, request: response.request, response },
  );
}

/** Exponential backoff with "equal jitter": half the clamped delay fixed, half random, so retries spread out. */
export function backoffDelayMs(retryCount: number, timing: RetryTiming, random: () => number = Math.random): number {
  const clamped = Math.min(timing.maxRetryDelayInMs, timing.retryDelayInMs * 2 ** retryCount);
  return clamped / 2 + random() * (clamped / 2);
}

export function apiopsRetryStrategy(timing: RetryTiming): RetryStrategy {
  return {
    name: 'apiopsRetryStrategy',
    retry({ retryCount, response, responseError }) {
      if (response && (isRetryableStatus(response.status) || isOperationInProgress(response))) {
        const asked = retryAfterMs(response);
        if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) return { errorToThrow: retryAfterTooLong(response, asked) };
        return { retryAfterInMs: asked ?? backoffDelayMs(retryCount, timing) };
      }
      if (!response && isDroppedConnection(responseError)) {
        return { retryAfterInMs: backoffDelayMs(retryCount, timing) };
      }
      return { skipStrategy: true };
    },
  };
}
