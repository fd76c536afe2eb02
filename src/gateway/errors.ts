import { formatPos, type SourcePos } from '../diagnostics';
import type { StatementSite } from './call';

/** What the caller gets when a policy fails: APIM's preset response, which on-error may still change. */
export interface PresetResponse {
  status: number;
  reason: string;
  headers?: Record<string, string>;
  /** JSON body `{ statusCode, message }` as APIM sends for its own errors; undefined: an empty body. */
  message?: string;
}

/**
 * A policy or built-in step failed the way APIM's would: the rest of the pipeline is skipped, `context.LastError`
 * gets source/reason/message, on-error runs, and the caller gets `response` unless on-error changes it.
 */
export class PolicyFailure extends Error {
  /** The innermost statement the failure passed through: where it happened (set as it propagates). */
  site?: StatementSite;

  constructor(
    readonly source: string,
    readonly reason: string,
    message: string,
    readonly response: PresetResponse = internalServerError(),
  ) {
    super(message);
  }
}

/**
 * Something in the repository the emulator cannot execute (a policy element, an attribute, a value, an expression
 * construct): the call stops with HTTP 500 and `x-apiops-unsupported`, never a guessed result.
 */
export class UnsupportedError extends Error {
  constructor(
    readonly what: string,
    readonly pos: SourcePos,
  ) {
    super(`${what} is not supported by the apiops gateway (${formatPos(pos)})`);
  }

  get header(): string {
    return `${this.what} at ${formatPos(this.pos)}`;
  }
}

/**
 * A policy APIM would refuse to save (an expression that does not compile, a required attribute missing, a value out
 * of range): the call stops with HTTP 500 and `x-apiops-error` naming the file:line, as no real gateway could run it.
 */
export class PolicyConfigurationError extends Error {
  constructor(
    message: string,
    readonly pos: SourcePos,
  ) {
    super(message);
  }

  get header(): string {
    return `${formatPos(this.pos)}: ${this.message}`;
  }
}

export function internalServerError(): PresetResponse {
  return { status: 500, reason: 'Internal Server Error', message: 'Internal server error' };
}

export const REASON_PHRASES: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? '';
}

/** return-response or mock-response: the response is final, nothing else runs. */
export class EndPipeline extends Error {
  constructor() {
    super('the pipeline ended with a response');
  }
}

/** cache-lookup found the response: processing continues in outbound after the corresponding cache-store. */
export class CacheHit extends Error {
  constructor() {
    super('cache hit');
  }
}
