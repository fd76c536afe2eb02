/**
 * The state of one call through the gateway, as plain mutable data the gateway owns. Policy expressions read it
 * through a C# object model (`context.Request.Headers`, `context.Variables`, …) that the interpreter builds over
 * it on each evaluation, so a policy that changes a header or a variable is seen by every later expression.
 *
 * Values stored in `variables` are interpreter values (see `index.ts`, "Value model"): what an expression
 * returned, a `Jwt` from `jwtValue()`, a send-request response from `responseValue()`, or a plain string,
 * number or boolean.
 */
export interface GatewayCallState {
  request: RequestState;
  /** Absent before a response exists (inbound without return-response); `context.Response` is then null. */
  response?: ResponseState;
  variables: Map<string, unknown>;
  /** Absent for a keyless call (open product or subscriptionRequired false): `context.Subscription` is null. */
  subscription?: SubscriptionInfo;
  /** Absent when no product applies (API- or all-API-scoped key, or subscriptionRequired false). */
  product?: ProductInfo;
  api: ApiInfo;
  operation: OperationInfo;
  /** Absent when the subscription has no owner or the call is keyless. */
  user?: UserInfo;
  deployment: DeploymentInfo;
  /** Set by the gateway before on-error runs. */
  lastError?: LastErrorInfo;
  /** A GUID, `context.RequestId`. */
  requestId: string;
  /** When the gateway received the request (emulator clock): `context.Timestamp`; `context.Elapsed` = now − this. */
  timestamp: Date;
  /** The emulator's clock: `DateTime.UtcNow`, `DateTime.Now`, `DateTimeOffset.UtcNow`. */
  now(): Date;
  /** `context.Trace(message)`; the gateway may record it. */
  trace?(message: string): void;
}

export interface RequestState {
  method: string;
  url: UrlState;
  /** The URL as the caller sent it (`context.Request.OriginalUrl`); the gateway keeps `url` up to date after rewrite-uri. */
  originalUrl: UrlState;
  headers: NameValues;
  /** Absent when the request has no body: `context.Request.Body` is then null. */
  body?: MessageBody;
  ipAddress: string;
  /** Only the parameters named in the operation's URL template. */
  matchedParameters: Map<string, string>;
}

export interface ResponseState {
  statusCode: number;
  statusReason: string;
  headers: NameValues;
  body?: MessageBody;
}

/**
 * A message body. `Body.As<T>()` without `preserveContent: true` consumes it as APIM does: `consumed` becomes
 * true and a later read (by an expression, or the gateway forwarding the message) sees an empty body.
 */
export interface MessageBody {
  content: string | Buffer;
  consumed: boolean;
}

export interface UrlState {
  scheme: string;
  host: string;
  port: number;
  /** Starts with `/`, not decoded. */
  path: string;
  query: NameValues;
}

export interface SubscriptionInfo {
  id: string;
  name: string;
  key: string;
  primaryKey: string;
  secondaryKey: string;
  createdDate?: Date;
  startDate?: Date;
  endDate?: Date;
}

export interface ProductInfo {
  id: string;
  name: string;
  state?: 'published' | 'notPublished';
  subscriptionRequired?: boolean;
  approvalRequired?: boolean;
  subscriptionLimit?: number;
}

export interface ApiInfo {
  id: string;
  name: string;
  path: string;
  serviceUrl?: string;
  version?: string;
  revision?: string;
  isCurrentRevision?: boolean;
  protocols?: string[];
  subscriptionKeyParameterNames?: { header: string; query: string };
}

export interface OperationInfo {
  id: string;
  name: string;
  method: string;
  urlTemplate: string;
}

export interface UserInfo {
  id: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  note?: string;
  registrationDate?: Date;
  groups?: { id: string; name: string }[];
  identities?: { id: string; provider: string }[];
}

export interface DeploymentInfo {
  region: string;
  serviceName: string;
  /** "managed" on the managed gateway. */
  gatewayId: string;
}

export interface LastErrorInfo {
  source: string;
  reason: string;
  message: string;
  scope: string;
  section: string;
  path: string;
  policyId: string;
}

/**
 * An ordered multi-value name → values collection (headers are case-insensitive, names keep the spelling they
 * were first set with). Used for request/response headers and URL query parameters.
 */
export class NameValues {
  private readonly entries = new Map<string, { name: string; values: string[] }>();
  /** Counts changes: a request trace diffs the collection only when it changed. */
  private changes = 0;

  constructor(
    initial?: Iterable<[string, string | string[]]> | Record<string, string | string[]>,
    readonly caseInsensitive = true,
  ) {
    if (!initial) return;
    const pairs = Symbol.iterator in initial ? (initial as Iterable<[string, string | string[]]>) : Object.entries(initial);
    for (const [name, value] of pairs) {
      for (const v of Array.isArray(value) ? value : [value]) this.append(name, v);
    }
  }

  private keyOf(name: string): string {
    return this.caseInsensitive ? name.toLowerCase() : name;
  }

  /** The values of `name`, or undefined when absent. */
  get(name: string): string[] | undefined {
    return this.entries.get(this.keyOf(name))?.values;
  }

  has(name: string): boolean {
    return this.entries.has(this.keyOf(name));
  }

  set(name: string, values: string[]): void {
    const key = this.keyOf(name);
    const existing = this.entries.get(key);
    this.changes++;
    if (existing) existing.values = values;
    else this.entries.set(key, { name, values });
  }

  append(name: string, value: string): void {
    const existing = this.entries.get(this.keyOf(name));
    this.changes++;
    if (existing) existing.values.push(value);
    else this.entries.set(this.keyOf(name), { name, values: [value] });
  }

  delete(name: string): boolean {
    const deleted = this.entries.delete(this.keyOf(name));
    if (deleted) this.changes++;
    return deleted;
  }

  get version(): number {
    return this.changes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** `[name, values]` in insertion order, names as first spelled. */
  *[Symbol.iterator](): IterableIterator<[string, string[]]> {
    for (const { name, values } of this.entries.values()) yield [name, values];
  }
}
