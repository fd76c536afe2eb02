import type { IncomingHttpHeaders } from 'node:http';
import { idProblem } from '../resources/ids';
import { ArmError, badRequest, notFound, validationError } from './errors';
import { parseFilter } from './odata';
import { collectionPath, matchRoute, type Route, type RouteMatch, type WriteMethod } from './routes';
import type { Entity, ServiceState } from './store';

/**
 * Generic ARM CRUD over the route table: list with paging, GET/HEAD with ETag, PUT, PATCH and DELETE with If-Match
 * honoured when sent (412 on mismatch) and not required, as Azure behaves (docs/emulator.md), 201/200 on create and
 * update, long-running operations with Azure-AsyncOperation
 * polling. What differs per resource kind lives in a Behaviour (see behaviours.ts).
 */

export const PAGE_SIZE = 100;

export interface ArmRequest {
  method: string;
  service: ServiceState;
  /** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{svc}` as requested. */
  servicePath: string;
  /** Path after servicePath, decoded, split. */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  apiVersion: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a behaviour can reach beyond the request: the emulator's base URL and its helpers. */
export interface EmulatorEnv {
  baseUrl(): string;
  /** Publishes a document at a loopback URL (API export links). */
  publish(contentType: string, body: string): string;
  /** Downloads a document (`*-link` import formats). */
  download(url: string): Promise<string>;
}

export interface WriteInput {
  request: ArmRequest;
  env: EmulatorEnv;
  route: Route;
  /** Names along the path: ancestors, then this entity's name. */
  names: string[];
  properties: Record<string, unknown>;
  existing?: Entity;
}

export interface Prepared {
  properties: Record<string, unknown>;
  hidden?: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** Runs after the entity is stored (an import creating operations). */
  afterWrite?: (entity: Entity) => void;
}

export interface EntityInput {
  request: ArmRequest;
  env: EmulatorEnv;
  route: Route;
  names: string[];
  entity: Entity;
}

export interface Behaviour {
  /**
   * Fetches what `*-link` formats point at, returning the properties with the document inline. The only
   * asynchronous step of a write: validation and the write itself then run without yielding, so concurrent
   * requests cannot interleave between a check and the write it guards.
   */
  download?(properties: Record<string, unknown>, env: EmulatorEnv): Promise<Record<string, unknown>>;
  /** Validates and normalises what a PUT/PATCH stores; throws ArmError to refuse. */
  prepare?(input: WriteInput): Prepared;
  /** Answers a GET of one entity differently (API export); undefined for the ordinary read. */
  get?(input: EntityInput): Reply | undefined;
  /**
   * For a name nothing is stored under: the entity it names all the same (an API's current revision as
   * `{apiId};rev={n}`) and the name a read of it shows. Requests through the name, and to paths under it, act on
   * that entity.
   */
  alias?(service: ServiceState, name: string): { entity: Entity; name: string } | undefined;
  /** Whether a list shows the entity (an API's non-current revisions: only under /revisions, or when its $filter asks about isCurrent). */
  listed?(entity: Entity, request: ArmRequest): boolean;
  /** The `properties` a read returns (secrets removed, formats applied). */
  present?(entity: Entity, request: ArmRequest): Record<string, unknown>;
  beforeDelete?(input: EntityInput): void;
  afterDelete?(input: EntityInput): void;
  actions?: Record<string, (input: EntityInput) => Reply | Promise<Reply>>;
  /** Serves the route entirely (views over other resources, such as classic product–API links). */
  handle?(match: RouteMatch, request: ArmRequest, env: EmulatorEnv): Reply | Promise<Reply>;
}

export type BehaviourTable = Map<string, Behaviour>;

/** Tracks long-running operations so the SDK's poller can follow Azure-AsyncOperation. */
export class OperationRegistry {
  private readonly operations = new Map<string, { status: string; startTime: string; endTime: string }>();
  private counter = 0;

  start(): string {
    this.counter += 1;
    const id = `${Date.now().toString(16)}${this.counter.toString(16).padStart(8, '0')}`;
    const now = new Date().toISOString();
    this.operations.set(id, { status: 'Succeeded', startTime: now, endTime: now });
    if (this.operations.size > 10_000) this.operations.delete(this.operations.keys().next().value as string);
    return id;
  }

  reply(request: ArmRequest, id: string): Reply {
    const operation = this.operations.get(id);
    if (!operation) throw notFound('Operation');
    return { status: 200, body: { id: `${request.servicePath}/tenant/operationResults/${id}`, name: id, ...operation } };
  }
}

/**
 * A name as Azure writes it in a resource id: as it is (`echo-api;rev=3`), with only what would end or split
 * the path segment escaped.
 */
export function idSegment(name: string): string {
  return name.replace(/[%/?#\s]/g, encodeURIComponent);
}

function resourcePath(request: ArmRequest, route: Route, names: string[], encode: (name: string) => string): string {
  const segments = route.template.split('/');
  return `${request.servicePath}/${segments.map((s, i) => (i % 2 === 0 ? s : encode(names[(i - 1) / 2]))).join('/')}`;
}

/** The `id` of an entity in a response body. */
export function resourceId(request: ArmRequest, route: Route, names: string[]): string {
  return resourcePath(request, route, names, idSegment);
}

export function armBody(request: ArmRequest, route: Route, names: string[], entity: Entity, behaviour?: Behaviour): Record<string, unknown> {
  const fullNames = [...names.slice(0, -1), entity.name];
  return {
    id: resourceId(request, route, fullNames),
    type: route.armType,
    name: entity.name,
    properties: behaviour?.present ? behaviour.present(entity, request) : entity.properties,
  };
}

/** An ETag as its header carries it. */
export const quoted = (etag: string): string => `"${etag}"`;

function unquote(tag: string): string {
  return tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/**
 * The ARM spec marks If-Match required on PATCH and DELETE, but Azure runs both without it (an unconditional write):
 * clients such as apiops-cli and `az apim … delete` send none. Only a header that is sent is checked.
 */
function checkIfMatch(request: ArmRequest, existing: Entity | undefined): void {
  const header = request.headers['if-match'];
  if (header === undefined || header === '') return;
  const tags = String(header).split(',').map(unquote);
  if (!existing) {
    // APIM lets `If-Match: *` through on a create (its own examples PUT new entities with it).
    if (tags.includes('*') && request.method === 'PUT') return;
    throw new ArmError(412, 'PreconditionFailed', 'The resource does not exist, so the If-Match precondition cannot be met.');
  }
  if (!tags.includes('*') && !tags.includes(existing.etag)) {
    throw new ArmError(412, 'PreconditionFailed', 'The specified If-Match precondition does not match the entity tag of the resource.');
  }
}

/**
 * `If-None-Match` on a PUT, as ARM's contract for conditional requests has it: `*` makes it a create that fails with
 * 412 when the resource exists; an ETag, one that fails when the resource still has that ETag.
 */
function checkIfNoneMatch(request: ArmRequest, existing: Entity | undefined): void {
  const header = request.headers['if-none-match'];
  if (header === undefined || header === '' || !existing) return;
  const tags = String(header).split(',').map(unquote);
  if (tags.includes('*')) throw new ArmError(412, 'PreconditionFailed', 'The resource already exists, so the If-None-Match precondition cannot be met.');
  if (tags.includes(existing.etag)) throw new ArmError(412, 'PreconditionFailed', 'The specified If-None-Match precondition matches the entity tag of the resource.');
}

/**
 * Refuses a name APIM refuses (../resources/ids), with the answer APIM gives: 400 ValidationError "Invalid identifier".
 * `key` is the path parameter the name fills; a singleton's literal name (`policies/policy`) has none to check.
 */
export function checkName(key: string | undefined, name: string): void {
  const problem = key === undefined ? undefined : idProblem(key, name);
  if (problem) {
    throw new ArmError(400, 'ValidationError', `Invalid identifier '${name}' specified.`, [{ code: 'ValidationError', target: key as string, message: `'${name}' ${problem}.` }]);
  }
}

/** The path parameter an entity's name fills (`apiId`), or undefined for a singleton (`policies/policy`). */
export function nameKey(route: Route): string | undefined {
  const last = route.template.split('/').pop() as string;
  return last.startsWith('{') ? last.slice(1, -1) : undefined;
}

function checkRequired(route: Route, properties: Record<string, unknown>): void {
  const missing = route.requiredProperties.filter((p) => properties[p] === undefined || properties[p] === null || properties[p] === '');
  if (missing.length) {
    throw validationError(missing.map((p) => ({ code: 'ValidationError', target: p, message: `'${p}' is required.` })));
  }
}

/** Every ancestor in the path must exist (404 naming the missing one). */
function checkAncestors(request: ArmRequest, route: Route, names: string[]): void {
  const segments = route.template.split('/');
  const entityCount = Math.floor(segments.length / 2);
  for (let depth = 1; depth < entityCount; depth += 1) {
    const ancestorTemplate = segments.slice(0, depth * 2).join('/');
    const ancestor = matchRoute(ancestorTemplate.split('/').map((s, i) => (i % 2 === 1 ? names[(i - 1) / 2] : s)));
    if (!ancestor) continue;
    const path = collectionPath(ancestor.route, ancestor.names);
    if (!request.service.get(path, names[depth - 1])) throw notFound(ancestor.route.label);
  }
}

function propertiesOf(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  const properties = (body as { properties?: unknown }).properties;
  if (properties === undefined || properties === null) return {};
  if (typeof properties !== 'object' || Array.isArray(properties)) throw badRequest('InvalidRequestContent', "The request content was invalid: 'properties' must be an object.");
  return properties as Record<string, unknown>;
}

function lroHeaders(request: ArmRequest, env: EmulatorEnv, operations: OperationRegistry, route: Route, names: string[], asyncCode: number): Record<string, string> {
  const id = operations.start();
  const base = env.baseUrl();
  const version = `api-version=${encodeURIComponent(request.apiVersion)}`;
  return {
    'Azure-AsyncOperation': `${base}${request.servicePath}/tenant/operationResults/${id}?${version}`,
    Location: `${base}${resourcePath(request, route, names, encodeURIComponent)}?${version}&asyncId=${id}&asyncCode=${asyncCode}`,
    'Retry-After': '0',
  };
}

export function listReply(request: ArmRequest, env: EmulatorEnv, items: Array<Record<string, unknown>>): Reply {
  const top = request.query.get('$top');
  const skip = request.query.get('$skip');
  const pageSize = top === null ? PAGE_SIZE : Number(top);
  const offset = skip === null ? 0 : Number(skip);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw validationError([{ code: 'ValidationError', target: '$top', message: "'$top' must be a positive integer." }]);
  if (!Number.isInteger(offset) || offset < 0) throw validationError([{ code: 'ValidationError', target: '$skip', message: "'$skip' must be a non-negative integer." }]);
  const page = items.slice(offset, offset + pageSize);
  const body: Record<string, unknown> = { value: page, count: items.length };
  if (offset + pageSize < items.length) {
    const next = new URLSearchParams(request.query);
    next.set('$top', String(pageSize));
    next.set('$skip', String(offset + pageSize));
    const path = `${request.servicePath}/${request.segments.map(encodeURIComponent).join('/')}`;
    body.nextLink = `${env.baseUrl()}${path}?${next.toString().replace(/%24/g, '$')}`;
  }
  return { status: 200, body };
}

interface ResolvedMatch {
  match: RouteMatch;
  /** The name a reply shows for the entity when the path named it by an alias. */
  shownName?: string;
}

/** The route match with every name that is an alias (see Behaviour.alias) replaced by the name it stands for. */
function resolveAliases(service: ServiceState, behaviours: BehaviourTable, asked: RouteMatch): ResolvedMatch {
  const template = asked.route.template.split('/');
  const names: string[] = [];
  let shownName: string | undefined;
  asked.names.forEach((name, i) => {
    const alias = behaviours.get(template.slice(0, 2 * i + 2).join('/'))?.alias;
    const collection = template.slice(0, 2 * i + 1).map((segment, j) => (j % 2 === 0 ? segment : names[(j - 1) / 2])).join('/');
    const aliased = alias && !service.get(collection, name) ? alias(service, name) : undefined;
    names.push(aliased?.entity.name ?? name);
    if (i === asked.names.length - 1) shownName = aliased?.name;
  });
  return { match: { ...asked, names }, shownName };
}

export async function handleArm(request: ArmRequest, env: EmulatorEnv, behaviours: BehaviourTable, operations: OperationRegistry): Promise<Reply> {
  const asked = matchRoute(request.segments);
  if (!asked) throw new ArmError(404, 'NotFound', `No route for ${request.method} /${request.segments.join('/')}.`);
  const { match, shownName } = resolveAliases(request.service, behaviours, asked);
  const { route, names, mode } = match;
  const behaviour = behaviours.get(route.template);
  if (behaviour?.handle) return behaviour.handle(match, request, env);
  const method = request.method;

  if (mode === 'collection') {
    if (method !== 'GET') throw new ArmError(405, 'MethodNotAllowed', `${method} is not supported on a collection.`);
    checkAncestors(request, route, [...names, '']);
    const predicate = parseFilter(request.query.get('$filter'));
    const entities = request.service.list(collectionPath(route, names)).filter((e) => (behaviour?.listed?.(e, request) ?? true) && predicate(e));
    return listReply(request, env, entities.map((e) => armBody(request, route, [...names, e.name], e, behaviour)));
  }

  const path = collectionPath(route, names);
  const name = names[names.length - 1];
  const existing = request.service.get(path, name);

  if (mode === 'action') {
    const action = behaviour?.actions?.[match.action as string];
    if (method !== 'POST' || !action) throw new ArmError(404, 'NotFound', `No route for ${method} /${request.segments.join('/')}.`);
    checkAncestors(request, route, names);
    if (!existing) throw notFound(route.label);
    return action({ request, env, route, names, entity: existing });
  }

  switch (method) {
    case 'GET':
    case 'HEAD': {
      checkAncestors(request, route, names);
      if (!existing) throw notFound(route.label);
      const headers = { ETag: quoted(existing.etag) };
      const custom = method === 'GET' ? behaviour?.get?.({ request, env, route, names, entity: existing }) : undefined;
      if (custom) return custom;
      return method === 'HEAD' ? { status: 200, headers } : { status: 200, headers, body: armBody(request, route, names, { ...existing, name: shownName ?? existing.name }, behaviour) };
    }
    case 'PUT':
    case 'PATCH': {
      checkName(nameKey(route), name);
      checkAncestors(request, route, names);
      if (method === 'PATCH' && (route.link || !existing)) {
        if (!existing) throw notFound(route.label);
        throw new ArmError(405, 'MethodNotAllowed', 'PATCH is not supported on this resource.');
      }
      let incoming = propertiesOf(request.body);
      if (behaviour?.download) {
        incoming = await behaviour.download(incoming, env);
        // The service may have changed while downloading: from here to the write nothing awaits.
        checkAncestors(request, route, names);
      }
      const current = request.service.get(path, name);
      if (method === 'PATCH' && !current) throw notFound(route.label);
      checkIfMatch(request, current);
      if (method === 'PUT') checkIfNoneMatch(request, current);
      const properties = method === 'PATCH' ? { ...(current as Entity).properties, ...incoming } : incoming;
      checkRequired(route, properties);
      const prepared = behaviour?.prepare ? behaviour.prepare({ request, env, route, names, properties, existing: current }) : { properties };
      const { entity, created } = request.service.put(path, name, prepared.properties, prepared.hidden, prepared.secrets);
      prepared.afterWrite?.(entity);
      const status = method === 'PUT' && created ? 201 : 200;
      const body = armBody(request, route, names, { ...entity, name: shownName ?? entity.name }, behaviour);
      const headers: Record<string, string> = { ETag: quoted(entity.etag) };
      if (route.longRunning.includes(method as WriteMethod)) {
        Object.assign(headers, lroHeaders(request, env, operations, route, names, status));
        body.properties = { ...(body.properties as Record<string, unknown>), provisioningState: 'InProgress' };
      }
      return { status, headers, body };
    }
    case 'DELETE': {
      checkAncestors(request, route, names);
      if (!existing) return { status: 204 };
      checkIfMatch(request, existing);
      behaviour?.beforeDelete?.({ request, env, route, names, entity: existing });
      request.service.delete(path, name);
      behaviour?.afterDelete?.({ request, env, route, names, entity: existing });
      if (route.longRunning.includes('DELETE')) return { status: 202, headers: lroHeaders(request, env, operations, route, names, 204) };
      return { status: 200 };
    }
    default:
      throw new ArmError(405, 'MethodNotAllowed', `${method} is not supported.`);
  }
}
