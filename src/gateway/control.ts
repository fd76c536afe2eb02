/**
 * The control endpoints under `/.apiops/` (design.md, "The gateway emulator"): tokens, subscriptions, clock,
 * backend requests and responses, identity, recent traces. JSON in and out; a bad request gets 400 with `{ "error" }`.
 */
import { SUBSCRIPTION_STATES, type Subscription, type SubscriptionScope, type SubscriptionState } from './subscriptions';
import { defaultStubResponse, traceSecrets, type GatewayServices } from './services';

export interface ControlReply {
  status: number;
  body?: unknown;
}

class BadRequest extends Error {}

type Json = Record<string, unknown>;

function parseJson(text: string): Json {
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BadRequest(`the body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BadRequest('the body must be a JSON object');
  return parsed as Json;
}

export function subscriptionJson(subscription: Subscription): Json {
  return {
    id: subscription.id,
    name: subscription.name,
    scope: subscription.scope,
    state: subscription.state,
    primaryKey: subscription.primaryKey,
    secondaryKey: subscription.secondaryKey,
  };
}

export function handleControl(services: GatewayServices, method: string, path: string, body: string): ControlReply {
  try {
    return route(services, method, path.replace(/\/+$/, ''), body);
  } catch (error) {
    if (error instanceof BadRequest) return { status: 400, body: { error: error.message } };
    throw error;
  }
}

function route(services: GatewayServices, method: string, path: string, body: string): ControlReply {
  const endpoint = path.slice('/.apiops/'.length);
  const methods: Record<string, Record<string, () => ControlReply>> = {
    tokens: { POST: () => issueToken(services, parseJson(body)) },
    subscriptions: {
      GET: () => ({ status: 200, body: services.subscriptions.list().map(subscriptionJson) }),
      POST: () => createSubscription(services, parseJson(body)),
    },
    clock: {
      POST: () => advanceClock(services, parseJson(body)),
      GET: () => ({ status: 200, body: { now: services.clock.now().toISOString() } }),
    },
    'backend-requests': {
      GET: () => ({ status: 200, body: services.backend.requests }),
      DELETE: () => {
        services.backend.requests.length = 0;
        return { status: 204 };
      },
    },
    'backend-response': {
      PUT: () => setBackendResponse(services, parseJson(body)),
      DELETE: () => {
        services.backend.response = defaultStubResponse();
        return { status: 204 };
      },
    },
    identity: { GET: () => ({ status: 200, body: services.tokens.identity }) },
  };
  if (endpoint.startsWith('traces/') && method === 'GET') return traceReply(services, endpoint.slice('traces/'.length));
  const handlers = methods[endpoint];
  if (!handlers) return { status: 404, body: { error: `no control endpoint /.apiops/${endpoint} (there are: ${[...Object.keys(methods), 'traces/{requestId}'].join(', ')})` } };
  const handler = handlers[method];
  if (!handler) return { status: 405, body: { error: `/.apiops/${endpoint} accepts ${Object.keys(handlers).join(', ')}` } };
  return handler();
}

function issueToken(services: GatewayServices, body: Json): ControlReply {
  const { issuer, audience, claims = {}, expiresInSeconds = 3600, trusted = true } = body;
  if (typeof issuer !== 'string' || !issuer) throw new BadRequest('"issuer" must be a non-empty string');
  const audienceOk = typeof audience === 'string' || (Array.isArray(audience) && audience.every((a) => typeof a === 'string'));
  if (!audienceOk) throw new BadRequest('"audience" must be a string or a list of strings');
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new BadRequest('"claims" must be an object');
  if (typeof expiresInSeconds !== 'number' || !Number.isFinite(expiresInSeconds)) throw new BadRequest('"expiresInSeconds" must be a number');
  if (typeof trusted !== 'boolean') throw new BadRequest('"trusted" must be true or false');
  return { status: 200, body: { token: services.tokens.issue({ iss: issuer, aud: audience, ...(claims as Json) }, expiresInSeconds, trusted) } };
}

function createSubscription(services: GatewayServices, body: Json): ControlReply {
  const { repository } = services;
  let scope: SubscriptionScope;
  if (typeof body.product === 'string') {
    if (!repository.products.has(body.product)) throw new BadRequest(`no product '${body.product}' in products/ (products: ${[...repository.products.keys()].join(', ')})`);
    scope = { product: body.product };
  } else if (typeof body.api === 'string') {
    if (!repository.apis.some((api) => api.id === body.api)) throw new BadRequest(`no API '${body.api}' in apis/`);
    scope = { api: body.api };
  } else if (body.allApis === true) {
    scope = { allApis: true };
  } else {
    throw new BadRequest('give one of "product": id, "api": id or "allApis": true');
  }
  const state = body.state ?? 'active';
  if (!SUBSCRIPTION_STATES.includes(state as SubscriptionState)) throw new BadRequest(`"state" must be one of ${SUBSCRIPTION_STATES.join(', ')}`);
  if (body.id !== undefined && (typeof body.id !== 'string' || !/^[A-Za-z0-9._-]{1,80}$/.test(body.id))) throw new BadRequest('"id" must be 1-80 letters, digits, ".", "_" or "-"');
  const subscription = services.subscriptions.add(scope, {
    id: body.id as string | undefined,
    name: typeof body.name === 'string' ? body.name : undefined,
    state: state as SubscriptionState,
    now: services.clock.now(),
  });
  return { status: 201, body: { id: subscription.id, primaryKey: subscription.primaryKey, secondaryKey: subscription.secondaryKey } };
}

function advanceClock(services: GatewayServices, body: Json): ControlReply {
  const seconds = body.advanceSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) throw new BadRequest('"advanceSeconds" must be a number');
  services.clock.advance(seconds);
  return { status: 200, body: { now: services.clock.now().toISOString() } };
}

function setBackendResponse(services: GatewayServices, body: Json): ControlReply {
  const { status = 200, body: responseBody = '', delayMs = 0 } = body;
  // A JSON value as the body is sent as JSON unless the headers say otherwise.
  const headers = body.headers ?? (typeof responseBody === 'string' ? {} : { 'content-type': 'application/json' });
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) throw new BadRequest('"status" must be an HTTP status code');
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || !Object.values(headers).every((v) => typeof v === 'string')) {
    throw new BadRequest('"headers" must be an object of strings');
  }
  if (typeof delayMs !== 'number' || delayMs < 0) throw new BadRequest('"delayMs" must be a non-negative number');
  const text = typeof responseBody === 'string' ? responseBody : JSON.stringify(responseBody);
  services.backend.response = { status, headers: headers as Record<string, string>, body: text, delayMs };
  return { status: 204 };
}

function traceReply(services: GatewayServices, requestId: string): ControlReply {
  const { traces } = services;
  if (!traces) return { status: 404, body: { error: 'this gateway does not record traces' } };
  const trace = traces.present(decodeURIComponent(requestId), traceSecrets(services));
  if (!trace) return { status: 404, body: { error: `no trace of request ${requestId} (the gateway keeps the last ${traces.capacity})` } };
  return { status: 200, body: trace };
}
