/**
 * The C# `context` object model over a `GatewayCallState`: IProxyRequestContext and its IRequest, IResponse,
 * IUrl, IMessageBody, IApi, IOperation, IProduct, ISubscription, IUser, IDeployment and ILastError views. Views
 * read the state when a member is used, so they always see what earlier policies changed.
 */
import type { GatewayCallState, MessageBody, ResponseState, UrlState } from '../context';
import { NameValues } from '../context';
import { CS_TYPE, CsException, defineType, UnsupportedMember, type CallSite, type CsType, type Getter } from './core';
import { CsDateTime, CsTimeSpan } from './datetime';
import { CsGuid } from './guid';
import { parseJson } from './json';
import { CsUri } from './library';
import { multiMapView } from './multimap';
import { enumMembers, ReadOnlyMap } from './primitives';

/** A view: a C# type over plain data. */
class View {
  constructor(
    readonly type: CsType,
    readonly data: any,
  ) {}
}
Object.defineProperty(View.prototype, CS_TYPE, {
  get(this: View) {
    return this.type;
  },
});

function viewType(fullName: string, props: Record<string, Getter>, methods: Record<string, (data: any, args: unknown[], site: CallSite) => unknown> = {}, toString?: (data: any) => string): CsType {
  const wrap = <F extends (data: any, ...rest: any[]) => unknown>(fn: F) => (self: View, ...rest: unknown[]) => fn(self.data, ...rest);
  return defineType({
    fullName,
    props: Object.fromEntries(Object.entries(props).map(([name, fn]) => [name, wrap(fn)])),
    methods: Object.fromEntries(Object.entries(methods).map(([name, fn]) => [name, (self: View, args: unknown[], site: CallSite) => fn(self.data, args, site)])),
    toString: toString ? (self: View) => toString(self.data) : undefined,
  });
}

const date = (value: Date | undefined) => (value ? CsDateTime.fromDate(value) : null);
const orNull = <T>(value: T | undefined) => (value === undefined ? null : value);

// ---- URL

function queryString(query: NameValues): string {
  const pairs: string[] = [];
  for (const [name, values] of query) for (const value of values) pairs.push(`${name}=${value}`);
  return pairs.length ? '?' + pairs.join('&') : '';
}

function urlText(url: UrlState): string {
  const defaultPort = (url.scheme === 'https' && url.port === 443) || (url.scheme === 'http' && url.port === 80);
  return `${url.scheme}://${url.host}${defaultPort ? '' : ':' + url.port}${url.path}${queryString(url.query)}`;
}

const URL_TYPE = viewType(
  'IUrl',
  {
    Scheme: (url: UrlState) => url.scheme,
    Host: (url: UrlState) => url.host,
    Port: (url: UrlState) => url.port,
    Path: (url: UrlState) => url.path,
    Query: (url: UrlState) => multiMapView(url.query),
    QueryString: (url: UrlState) => queryString(url.query),
  },
  { ToUri: (url: UrlState) => new CsUri(urlText(url)), ToString: (url: UrlState) => urlText(url) },
  urlText,
);

function urlView(url: UrlState): View {
  return new View(URL_TYPE, url);
}

/** An IUrl over an absolute URL string (`context.Api.ServiceUrl`). */
function urlFromString(text: string): View {
  const u = new URL(text);
  const scheme = u.protocol.replace(/:$/, '');
  return urlView({
    scheme,
    host: u.hostname,
    port: u.port ? Number(u.port) : scheme === 'https' ? 443 : 80,
    path: u.pathname,
    query: new NameValues([...u.searchParams], false),
  });
}

// ---- bodies

function bodyText(body: MessageBody, preserve: boolean): string {
  const text = body.consumed ? '' : typeof body.content === 'string' ? body.content : body.content.toString('utf8');
  if (!preserve) body.consumed = true;
  return text;
}

function preserveArg(args: unknown[], site: CallSite): boolean {
  const named = site.names?.findIndex((n) => n === 'preserveContent') ?? -1;
  const value = named >= 0 ? args[named] : args[0];
  return value === true;
}

const BODY_TYPE = viewType('IMessageBody', {}, {
  As: (body: MessageBody, args, site) => {
    const type = site.typeArgs[0];
    const preserve = preserveArg(args, site);
    if (!type) throw new CsException('ArgumentException', 'As<T>() needs a type argument.');
    if (type.arrays === 1 && type.name === 'byte') {
      const bytes = body.consumed ? new Uint8Array(0) : typeof body.content === 'string' ? Uint8Array.from(Buffer.from(body.content, 'utf8')) : Uint8Array.from(body.content);
      if (!preserve) body.consumed = true;
      return bytes;
    }
    switch (type.name) {
      case 'string':
        return bodyText(body, preserve);
      case 'JObject':
        return parseJson(bodyText(body, preserve), 'Object');
      case 'JArray':
        return parseJson(bodyText(body, preserve), 'Array');
      case 'JToken':
        return parseJson(bodyText(body, preserve));
    }
    throw new UnsupportedMember(`method IMessageBody.As<${type.name}>`);
  },
  AsFormUrlEncodedContent: (body: MessageBody, args, site) => {
    const text = bodyText(body, preserveArg(args, site));
    const form = new NameValues(undefined, false);
    for (const pair of text.split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      form.append(decode(eq < 0 ? pair : pair.slice(0, eq)), eq < 0 ? '' : decode(pair.slice(eq + 1)));
    }
    return multiMapView(form);
  },
});

function bodyView(body: MessageBody | undefined): View | null {
  return body ? new View(BODY_TYPE, body) : null;
}

// ---- request / response

const REQUEST_TYPE = viewType('IRequest', {
  Method: (state: GatewayCallState) => state.request.method,
  Url: (state: GatewayCallState) => urlView(state.request.url),
  OriginalUrl: (state: GatewayCallState) => urlView(state.request.originalUrl),
  Headers: (state: GatewayCallState) => multiMapView(state.request.headers),
  Body: (state: GatewayCallState) => bodyView(state.request.body),
  IpAddress: (state: GatewayCallState) => state.request.ipAddress,
  MatchedParameters: (state: GatewayCallState) => new ReadOnlyMap(state.request.matchedParameters),
  Certificate: () => null,
  PrivateEndpointConnection: () => null,
});

const RESPONSE_TYPE = viewType('IResponse', {
  StatusCode: (response: ResponseState) => response.statusCode,
  StatusReason: (response: ResponseState) => response.statusReason,
  Headers: (response: ResponseState) => multiMapView(response.headers),
  Body: (response: ResponseState) => bodyView(response.body),
});

export function responseView(response: ResponseState): unknown {
  return new View(RESPONSE_TYPE, response);
}

// ---- API, operation, product, subscription, user, deployment, last error

const ProductState = enumMembers('ProductState', ['NotPublished', 'Published']);

const API_TYPE = viewType('IApi', {
  Id: (api) => api.id,
  Name: (api) => api.name,
  Path: (api) => api.path,
  ServiceUrl: (api) => (api.serviceUrl ? urlFromString(api.serviceUrl) : null),
  Version: (api) => orNull(api.version),
  Revision: (api) => api.revision ?? '1',
  IsCurrentRevision: (api) => api.isCurrentRevision ?? true,
  Protocols: (api) => api.protocols ?? ['https'],
  SubscriptionKeyParameterNames: (api) => new View(KEY_NAMES_TYPE, api.subscriptionKeyParameterNames ?? { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' }),
});
const KEY_NAMES_TYPE = viewType('SubscriptionKeyParameterNames', { Header: (names) => names.header, Query: (names) => names.query });

const OPERATION_TYPE = viewType('IOperation', {
  Id: (op) => op.id,
  Name: (op) => op.name,
  Method: (op) => op.method,
  UrlTemplate: (op) => op.urlTemplate,
});

const PRODUCT_TYPE = viewType('IProduct', {
  Id: (p) => p.id,
  Name: (p) => p.name,
  State: (p) => (p.state === 'notPublished' ? ProductState.NotPublished : ProductState.Published),
  SubscriptionRequired: (p) => p.subscriptionRequired ?? true,
  ApprovalRequired: (p) => p.approvalRequired ?? false,
  SubscriptionLimit: (p) => orNull(p.subscriptionLimit),
  Groups: () => [],
  Apis: () => [],
});

const SUBSCRIPTION_TYPE = viewType('ISubscription', {
  Id: (s) => s.id,
  Name: (s) => s.name,
  Key: (s) => s.key,
  PrimaryKey: (s) => s.primaryKey,
  SecondaryKey: (s) => s.secondaryKey,
  CreatedDate: (s) => date(s.createdDate) ?? new CsDateTime(0, 0, 'Utc'),
  StartDate: (s) => date(s.startDate),
  EndDate: (s) => date(s.endDate),
});

const GROUP_TYPE = viewType('IGroup', { Id: (g) => g.id, Name: (g) => g.name });
const IDENTITY_TYPE = viewType('IUserIdentity', { Id: (i) => i.id, Provider: (i) => i.provider });

const USER_TYPE = viewType('IUser', {
  Id: (u) => u.id,
  Email: (u) => orNull(u.email),
  FirstName: (u) => orNull(u.firstName),
  LastName: (u) => orNull(u.lastName),
  Note: (u) => orNull(u.note),
  RegistrationDate: (u) => date(u.registrationDate) ?? new CsDateTime(0, 0, 'Utc'),
  Groups: (u) => (u.groups ?? []).map((g: unknown) => new View(GROUP_TYPE, g)),
  Identities: (u) => (u.identities ?? []).map((i: unknown) => new View(IDENTITY_TYPE, i)),
});

const DEPLOYMENT_TYPE = viewType('IDeployment', {
  Region: (d) => d.region,
  ServiceName: (d) => d.serviceName,
  GatewayId: (d) => d.gatewayId,
  Certificates: () => new Map(),
});

const LAST_ERROR_TYPE = viewType('ILastError', {
  Source: (e) => e.source,
  Reason: (e) => e.reason,
  Message: (e) => e.message,
  Scope: (e) => e.scope,
  Section: (e) => e.section,
  Path: (e) => e.path,
  PolicyId: (e) => e.policyId,
});

const optional = (type: CsType, value: unknown) => (value === undefined || value === null ? null : new View(type, value));

const CONTEXT_TYPE = viewType(
  'IProxyRequestContext',
  {
    Api: (s: GatewayCallState) => new View(API_TYPE, s.api),
    Deployment: (s: GatewayCallState) => new View(DEPLOYMENT_TYPE, s.deployment),
    Elapsed: (s: GatewayCallState) => CsTimeSpan.fromMs(s.now().getTime() - s.timestamp.getTime()),
    LastError: (s: GatewayCallState) => optional(LAST_ERROR_TYPE, s.lastError),
    Operation: (s: GatewayCallState) => new View(OPERATION_TYPE, s.operation),
    Product: (s: GatewayCallState) => optional(PRODUCT_TYPE, s.product),
    Request: (s: GatewayCallState) => new View(REQUEST_TYPE, s),
    RequestId: (s: GatewayCallState) => new CsGuid(s.requestId.toLowerCase()),
    Response: (s: GatewayCallState) => optional(RESPONSE_TYPE, s.response),
    Subscription: (s: GatewayCallState) => optional(SUBSCRIPTION_TYPE, s.subscription),
    Timestamp: (s: GatewayCallState) => CsDateTime.fromDate(s.timestamp),
    Tracing: () => false,
    User: (s: GatewayCallState) => optional(USER_TYPE, s.user),
    Variables: (s: GatewayCallState) => new ReadOnlyMap(s.variables),
  },
  {
    Trace: (s: GatewayCallState, [message]) => {
      s.trace?.(String(message));
    },
  },
);

/** The `context` value of one evaluation. */
export function contextView(state: GatewayCallState): unknown {
  return new View(CONTEXT_TYPE, state);
}
