/**
 * One request's state as it moves through the pipeline: what policies read and change, and what `context` shows to
 * policy expressions. Plain and mutable; the gateway owns it.
 */
import type { SourcePos } from '../diagnostics';
import type { Section } from '../policy/knowledge/types';
import { HeaderMap } from './headers';
import type { GatewayApi, GatewayOperation, GatewayProduct } from './repository';
import type { Subscription } from './subscriptions';
import type { GatewayUrl } from './url';

export interface CallRequest {
  method: string;
  url: GatewayUrl;
  /** As received; never changed by policies. */
  originalUrl: GatewayUrl;
  headers: HeaderMap;
  /** Undefined when the request has no body (`context.Request.Body` null). */
  body?: Buffer;
  ipAddress: string;
  matchedParameters: Record<string, string>;
}

export interface CallResponse {
  statusCode: number;
  statusReason: string;
  headers: HeaderMap;
  body?: Buffer;
}

/** `context.LastError`. */
export interface LastError {
  source: string;
  reason: string;
  message: string;
  scope: string;
  section: string;
  path: string;
  policyId: string;
}

export type Scope = 'global' | 'product' | 'api' | 'operation';

export class Call {
  readonly variables = new Map<string, unknown>();
  response: CallResponse = { statusCode: 200, statusReason: 'OK', headers: new HeaderMap() };
  lastError?: LastError;
  /** Named values that had no value offline and were used: each is named in `x-apiops-placeholder`. */
  readonly placeholders = new Set<string>();
  /** Set by set-backend-service: where forward-request sends the call. */
  backendBaseUrl?: string;
  /** Whether the backend was called (forward-request ran). */
  forwarded = false;
  /** Work done once the response is final (rate-limit increment-condition, quota bandwidth, counter headers). */
  readonly onResponse: Array<() => void> = [];
  /** Headers added to the caller's response at the very end (remaining calls of a rate limit). */
  readonly finalHeaders = new HeaderMap();
  /** Where the call is: set as each statement runs, for context.LastError. */
  section: Section = 'inbound';
  readonly traces: Array<{ source: string; severity: string; message: string }> = [];

  constructor(
    readonly request: CallRequest,
    readonly api: GatewayApi,
    readonly operation: GatewayOperation,
    readonly product: GatewayProduct | undefined,
    readonly subscription: Subscription | undefined,
    readonly requestId: string,
    readonly timestamp: Date,
    readonly now: () => Date,
  ) {}
}

/** Where a statement is, for context.LastError and for error headers. */
export interface StatementSite {
  name: string;
  pos: SourcePos;
  scope: Scope;
  section: Section;
  /** `choose[2]/when[1]/set-header[1]` within the section. */
  path: string;
  policyId: string;
}
