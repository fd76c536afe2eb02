/**
 * One request's state as it moves through the pipeline: the interpreter's GatewayCallState (what `context` shows to
 * policy expressions) plus what only the gateway needs (placeholders used, the backend chosen, work left for when
 * the response is final).
 */
import type { SourcePos } from '../diagnostics';
import type { Section } from '../policy/knowledge/types';
import {
  NameValues,
  type ApiInfo,
  type DeploymentInfo,
  type GatewayCallState,
  type LastErrorInfo,
  type MessageBody,
  type OperationInfo,
  type ProductInfo,
  type RequestState,
  type ResponseState,
  type SubscriptionInfo,
} from './expressions';
import type { GatewayApi, GatewayOperation, GatewayProduct } from './repository';
import type { Subscription } from './subscriptions';
import type { TraceRecorder } from './trace';
import { joinPath, parseAbsoluteUrl } from './url';

export type Scope = 'global' | 'product' | 'api' | 'operation';

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

export interface CallTarget {
  api: GatewayApi;
  operation: GatewayOperation;
  product?: GatewayProduct;
  subscription?: Subscription;
  /** The key the caller sent (a subscription has two). */
  key?: string;
}

export class Call implements GatewayCallState {
  readonly variables = new Map<string, unknown>();
  response?: ResponseState;
  lastError?: LastErrorInfo;
  readonly api: ApiInfo;
  readonly operation: OperationInfo;
  readonly product?: ProductInfo;
  readonly subscription?: SubscriptionInfo;
  readonly deployment: DeploymentInfo;
  /** Named values that had no value offline and were used: each is named in `x-apiops-placeholder`. */
  readonly placeholders = new Set<string>();
  /**
   * Where forward-request sends the call: `context.Request.Url` is this base URL (the API's serviceUrl, or what
   * set-backend-service chose) + `operationPath` (the path after the API suffix, or what rewrite-uri made of it).
   */
  backendBase = '';
  operationPath = '/';
  /** Work done once the response is final (rate-limit increment-condition, quota bandwidth). */
  readonly onResponse: Array<() => void> = [];
  /** Headers added to the caller's response at the very end (remaining calls of a rate limit). */
  readonly finalHeaders = new NameValues();
  readonly traces: string[] = [];
  /** Set when the gateway records this call's trace. */
  recorder?: TraceRecorder;
  /** A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method): only cors runs. */
  preflight = false;
  /** cache-lookup's key, for the cache-store of the same call. */
  cacheKey?: string;
  /**
   * The message return-response or send-request is building: set-header, set-body, set-status… inside them change it
   * instead of the call's request or response.
   */
  readonly building: Array<{ kind: 'request'; message: RequestState } | { kind: 'response'; message: ResponseState }> = [];

  constructor(
    readonly request: RequestState,
    readonly target: CallTarget,
    readonly requestId: string,
    readonly timestamp: Date,
    readonly now: () => Date,
    serviceName: string,
  ) {
    const { api, operation, product, subscription, key } = target;
    this.api = {
      id: api.id,
      name: api.name,
      path: api.path,
      serviceUrl: api.serviceUrl,
      version: api.version,
      revision: api.revision,
      isCurrentRevision: api.current,
      protocols: api.protocols,
      subscriptionKeyParameterNames: api.subscriptionKeyParameterNames,
    };
    this.operation = { id: operation.id, name: operation.name, method: operation.method, urlTemplate: operation.urlTemplate };
    if (product) {
      this.product = {
        id: product.id,
        name: product.name,
        state: product.state,
        subscriptionRequired: product.subscriptionRequired,
        approvalRequired: product.approvalRequired,
        subscriptionLimit: product.subscriptionsLimit,
      };
    }
    if (subscription) {
      this.subscription = {
        id: subscription.id,
        name: subscription.name,
        key: key ?? subscription.primaryKey,
        primaryKey: subscription.primaryKey,
        secondaryKey: subscription.secondaryKey,
        createdDate: subscription.createdDate,
        startDate: subscription.createdDate,
      };
    }
    this.deployment = { gatewayId: 'managed', region: 'West Europe', serviceName };
  }

  /** Points `context.Request.Url` at `backendBase` + `operationPath`, keeping the query parameters. */
  retarget(): void {
    const base = parsedBase(this.backendBase);
    const url = this.request.url;
    if (!base) {
      url.path = joinPath('', this.operationPath);
      return;
    }
    url.scheme = base.scheme;
    url.host = base.host;
    url.port = base.port;
    url.path = joinPath(base.path === '/' ? '' : base.path, this.operationPath);
  }

  trace(message: string): void {
    this.traces.push(message);
  }

  /** The response, created empty (200) the first time a policy needs one. */
  ensureResponse(): ResponseState {
    this.response ??= { statusCode: 200, statusReason: 'OK', headers: new NameValues() };
    return this.response;
  }
}

/** Backend base URLs are few and parsed on every call: parsed once each. */
const parsedBases = new Map<string, ReturnType<typeof parseAbsoluteUrl>>();
function parsedBase(url: string): ReturnType<typeof parseAbsoluteUrl> {
  if (!parsedBases.has(url)) {
    if (parsedBases.size > 1000) parsedBases.clear();
    parsedBases.set(url, parseAbsoluteUrl(url));
  }
  return parsedBases.get(url);
}

/** A body's bytes as a forwarder sends them: empty once an expression consumed it. */
export function bodyBytes(body: MessageBody | undefined): Buffer | undefined {
  if (!body) return undefined;
  if (body.consumed) return Buffer.alloc(0);
  return typeof body.content === 'string' ? Buffer.from(body.content, 'utf8') : body.content;
}

export function bodyText(body: MessageBody | undefined): string {
  return bodyBytes(body)?.toString('utf8') ?? '';
}

/** The message a set-header / set-body / set-query-parameter changes: the one being built, else per section. */
export function messageOf(call: Call, section: Section): { kind: 'request'; message: RequestState } | { kind: 'response'; message: ResponseState } {
  const building = call.building[call.building.length - 1];
  if (building) return building;
  return section === 'inbound' || section === 'backend' ? { kind: 'request', message: call.request } : { kind: 'response', message: call.ensureResponse() };
}
