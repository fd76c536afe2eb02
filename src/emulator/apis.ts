import * as YAML from 'yaml';
import type { ArmRequest, Behaviour, EmulatorEnv, EntityInput, Prepared, WriteInput } from './engine';
import { conflict, invalidField } from './errors';
import { pathSegments, resolveReference } from './ids';
import { removeLinksTo } from './links';
import { REVISION_NAME } from './revisions';
import { routeOf } from './routes';
import type { Entity, ServiceState } from './store';
import { deriveApimOperation, specOperations, type ImportedParameter, type RequiredQueryParameters } from '../repo/openapi';

/**
 * APIs and their operations: APIM's defaults, the path-uniqueness rule, OpenAPI/Swagger import (operations
 * created from the spec, replaced on re-import) and export (a link to a document served on loopback).
 */

const IMPORT_FORMATS = new Set(['openapi', 'openapi+json', 'openapi-link', 'openapi+json-link', 'swagger-json', 'swagger-link-json']);
const IMPORT_ONLY_PROPERTIES = ['format', 'value', 'wsdlSelector', 'translateRequiredQueryParameters', 'sourceApiId'];
/** What reads derive (a client that PUTs back what it read sends them too): never stored. */
const DERIVED_PROPERTIES = ['apiVersionSet'];
const API_TYPES = ['http', 'soap', 'websocket', 'graphql', 'odata', 'grpc'];
/** Properties of a source API that a clone, new version or revision does not inherit. */
const NOT_INHERITED = ['isCurrent', 'isOnline', 'apiRevision', 'apiRevisionDescription', 'provisioningState'];


interface ImportedOperation {
  name: string;
  properties: Record<string, unknown>;
}

interface ImportedApi {
  displayName?: string;
  description?: string;
  serviceUrl?: string;
  operations: ImportedOperation[];
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function parseSpecText(text: string): Json {
  let spec: unknown;
  try {
    spec = text.trimStart().startsWith('{') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw invalidField('value', `The API specification could not be parsed: ${(error as Error).message}`);
  }
  const object = asObject(spec);
  if (!object.openapi && !object.swagger) throw invalidField('value', 'The API specification is neither OpenAPI 3 nor Swagger 2.0.');
  return object;
}

/** APIM's operation name from an operationId: characters it does not allow in a name become `-`. */
function operationName(operationId: unknown, method: string, path: string): string {
  if (typeof operationId === 'string' && operationId.trim()) return operationId.trim().replace(/[*#&+:<>?/\\\s]+/g, '-');
  return `${method}${path}`.toLowerCase().replace(/[{}]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** An imported parameter as the service stores it (a parameter without a declared type is a string). */
function storedParameter({ name, type, required, description }: ImportedParameter) {
  return { name, type: type ?? 'string', required, values: [] as string[], ...(description ? { description } : {}) };
}

const representations = (contentTypes: string[]) => contentTypes.map((contentType) => ({ contentType }));

/** `translate`: APIM's translateRequiredQueryParameters (see deriveApimOperation, shared with the repository loader). */
function importSpec(spec: Json, translate: RequiredQueryParameters): ImportedApi {
  const info = asObject(spec.info);
  let serviceUrl: string | undefined;
  if (spec.openapi) {
    const servers = Array.isArray(spec.servers) ? spec.servers : [];
    const url = asObject(servers[0]).url;
    if (typeof url === 'string' && /^https?:\/\//.test(url)) serviceUrl = url;
  } else if (typeof spec.host === 'string') {
    const scheme = Array.isArray(spec.schemes) && spec.schemes.includes('https') ? 'https' : String((spec.schemes as string[] | undefined)?.[0] ?? 'https');
    serviceUrl = `${scheme}://${spec.host}${typeof spec.basePath === 'string' ? spec.basePath : ''}`;
  }
  const operations: ImportedOperation[] = specOperations(spec).map((entry) => {
    const name = operationName(entry.operation.operationId, entry.method, entry.path);
    const derived = deriveApimOperation(spec, entry, { requiredQueryParameters: translate, fallbackName: name });
    return {
      name,
      properties: {
        displayName: derived.displayName,
        method: derived.method,
        urlTemplate: derived.urlTemplate,
        templateParameters: derived.templateParameters.map(storedParameter),
        description: derived.description ?? '',
        request: {
          queryParameters: derived.request.queryParameters.map(storedParameter),
          headers: derived.request.headers.map(storedParameter),
          representations: representations(derived.request.contentTypes),
        },
        responses: derived.responses.map((r) => ({ statusCode: r.statusCode, description: r.description, representations: representations(r.contentTypes), headers: [] })),
      },
    };
  });
  return {
    displayName: typeof info.title === 'string' ? info.title : undefined,
    description: typeof info.description === 'string' ? info.description : undefined,
    serviceUrl,
    operations,
  };
}

function normalisedPath(path: unknown): string {
  return String(path ?? '').replace(/^\/+|\/+$/g, '').toLowerCase();
}

/** Two current APIs may share a path only as different versions in the same version set. */
function checkPathUnique(service: ServiceState, name: string, properties: Json): void {
  const path = normalisedPath(properties.path);
  for (const other of service.list('apis')) {
    if (other.name.toLowerCase() === name.toLowerCase() || name.toLowerCase().startsWith(`${other.name.toLowerCase()};rev=`)) continue;
    if (normalisedPath(other.properties.path) !== path) continue;
    const versioned = properties.apiVersionSetId && String(other.properties.apiVersionSetId ?? '').toLowerCase() === String(properties.apiVersionSetId).toLowerCase();
    if (versioned && String(other.properties.apiVersion ?? '') !== String(properties.apiVersion ?? '')) continue;
    throw conflict(`Cannot create API '${name}' with the same path '${String(properties.path)}' as API '${other.name}'.`);
  }
}

function checkUrl(property: string, value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  if (typeof value !== 'string' || !/^(https?|wss?):\/\/[^\s/]+/i.test(value)) throw invalidField(property, `'${String(value)}' is not a valid absolute URL.`);
}

/**
 * A (re-)import as APIM does it: an operation whose name (from its operationId) is still there is updated in place,
 * keeping its policy and tags; the others are removed with what they hold, and the new ones created.
 */
function replaceOperations(request: ArmRequest, apiName: string, operations: ImportedOperation[]): void {
  const service = request.service;
  const collection = `apis/${apiName}/operations`;
  const kept = new Set(operations.map((o) => o.name.toLowerCase()));
  for (const existing of service.list(collection)) {
    if (kept.has(existing.name.toLowerCase())) continue;
    service.delete(collection, existing.name);
    removeLinksTo({ request, route: routeOf('apiOperation'), names: [apiName, existing.name] });
  }
  for (const operation of operations) service.put(collection, operation.name, operation.properties);
}

/** Import formats whose value is a URL, and the inline format of what it points at. */
const LINK_FORMATS: Record<string, string> = { 'openapi-link': 'openapi', 'openapi+json-link': 'openapi+json', 'swagger-link-json': 'swagger-json' };

function importFormat(properties: Json): string | undefined {
  if (properties.format === undefined && properties.value === undefined) return undefined;
  const format = String(properties.format ?? '').toLowerCase();
  if (!IMPORT_FORMATS.has(format)) throw invalidField('format', `'${String(properties.format)}' is not a supported import format; expected one of ${[...IMPORT_FORMATS].join(', ')}.`);
  if (typeof properties.value !== 'string' && !(typeof properties.value === 'object' && properties.value)) throw invalidField('value', "'value' is required with 'format'.");
  return format;
}

async function downloadSpec(properties: Json, env: EmulatorEnv): Promise<Json> {
  const format = importFormat(properties);
  if (!format || !LINK_FORMATS[format]) return properties;
  return { ...properties, format: LINK_FORMATS[format], value: await env.download(String(properties.value)) };
}

function prepareApi({ request, names, properties, existing }: WriteInput): Prepared {
  const name = names[0];
  const stored: Json = { ...properties };
  let imported: ImportedApi | undefined;
  if (importFormat(stored)) {
    const translate = stored.translateRequiredQueryParameters ?? 'template';
    if (translate !== 'template' && translate !== 'query') throw invalidField('translateRequiredQueryParameters', "'translateRequiredQueryParameters' must be 'template' or 'query'.");
    imported = importSpec(parseSpecText(typeof stored.value === 'string' ? stored.value : JSON.stringify(stored.value)), translate);
    stored.displayName ??= imported.displayName;
    if (stored.description === undefined && imported.description !== undefined) stored.description = imported.description;
    if (stored.serviceUrl === undefined && imported.serviceUrl !== undefined) stored.serviceUrl = imported.serviceUrl;
  }
  // A clone, a new version or a revision (`sourceApiId`) starts from the source API and copies its operations.
  let copiedOperations: ImportedOperation[] | undefined;
  if (stored.sourceApiId !== undefined && stored.sourceApiId !== null && !imported) {
    const source = resolveReference(request, 'sourceApiId', stored.sourceApiId, 'apis/{apiId}').entity;
    const inherited = { ...source.properties };
    for (const property of NOT_INHERITED) delete inherited[property];
    Object.assign(stored, { ...inherited, ...stored });
    copiedOperations = request.service.list(`apis/${source.name}/operations`).map((op) => ({ name: op.name, properties: op.properties }));
  }
  for (const property of [...IMPORT_ONLY_PROPERTIES, ...DERIVED_PROPERTIES]) delete stored[property];
  if (stored.type !== undefined && !API_TYPES.includes(String(stored.type))) throw invalidField('type', `'${String(stored.type)}' is not a valid API type; expected one of ${API_TYPES.join(', ')}.`);
  const revision = REVISION_NAME.exec(name);
  // APIM allows an empty path (the API answers at the gateway's root), so only a missing one is refused.
  if (typeof stored.path !== 'string') throw invalidField('path', "'path' is required.");
  if (!stored.displayName) throw invalidField('displayName', "'displayName' is required.");
  checkUrl('serviceUrl', stored.serviceUrl);
  if (stored.apiVersionSetId !== undefined && stored.apiVersionSetId !== null) {
    stored.apiVersionSetId = resolveReference(request, 'apiVersionSetId', stored.apiVersionSetId, 'apiVersionSets/{versionSetId}').fullId;
  }
  if (stored.protocols !== undefined && (!Array.isArray(stored.protocols) || stored.protocols.some((p) => !['http', 'https', 'ws', 'wss'].includes(String(p))))) {
    throw invalidField('protocols', "'protocols' must be a list of http, https, ws, wss.");
  }
  checkPathUnique(request.service, name, stored);
  const withDefaults: Json = {
    // Replacing an API keeps its revision number: only making another revision current changes it.
    apiRevision: existing?.properties.apiRevision ?? '1',
    subscriptionRequired: true,
    protocols: ['https'],
    subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' },
    ...stored,
    ...(revision ? { apiRevision: revision[2] } : {}),
    isCurrent: !revision,
    isOnline: true,
  };
  delete withDefaults.provisioningState;
  const operations = imported?.operations ?? copiedOperations;
  return { properties: withDefaults, afterWrite: operations ? (entity: Entity) => replaceOperations(request, entity.name, operations) : undefined };
}

/** Gateway URL of an API (what an exported spec names as its server). */
function gatewayUrl(request: ArmRequest, api: Entity): string {
  return `https://${request.service.scope.serviceName.toLowerCase()}.azure-api.net/${String(api.properties.path ?? '').replace(/^\/+/, '')}`;
}

interface ExportParameter {
  name: string;
  type?: string;
  required?: boolean;
  description?: string;
}

function exportDocument(request: ArmRequest, api: Entity, swagger: boolean): Json {
  const operations = request.service.list(`apis/${api.name}/operations`);
  const paths: Record<string, Json> = {};
  for (const operation of operations) {
    const p = operation.properties;
    const [path, query = ''] = String(p.urlTemplate ?? '/').split('?');
    const requestProps = asObject(p.request);
    const parameter = (where: string) => (param: ExportParameter) =>
      swagger
        ? { name: param.name, in: where, required: where === 'path' ? true : Boolean(param.required), type: param.type ?? 'string', ...(param.description ? { description: param.description } : {}) }
        : { name: param.name, in: where, required: where === 'path' ? true : Boolean(param.required), schema: { type: param.type ?? 'string' }, ...(param.description ? { description: param.description } : {}) };
    const parameters = [
      ...((p.templateParameters as ExportParameter[] | undefined) ?? []).map((t) => parameter(query.includes(`{${t.name}}`) ? 'query' : 'path')({ ...t, required: true })),
      ...((requestProps.queryParameters as ExportParameter[] | undefined) ?? []).map(parameter('query')),
      ...((requestProps.headers as ExportParameter[] | undefined) ?? []).map(parameter('header')),
    ];
    const responses: Json = {};
    for (const response of (p.responses as Array<{ statusCode: number; description?: string }> | undefined) ?? []) {
      responses[String(response.statusCode)] = { description: response.description ?? '' };
    }
    if (!Object.keys(responses).length) responses['200'] = { description: '' };
    paths[path] ??= {};
    paths[path][String(p.method).toLowerCase()] = {
      summary: p.displayName,
      ...(p.description ? { description: p.description } : {}),
      operationId: operation.name,
      parameters,
      responses,
    };
  }
  const info = { title: api.properties.displayName, ...(api.properties.description ? { description: api.properties.description } : {}), version: String(api.properties.apiVersion ?? '1.0') };
  const url = new URL(gatewayUrl(request, api));
  return swagger
    ? { swagger: '2.0', info, host: url.host, basePath: url.pathname, schemes: ['https'], paths }
    : { openapi: '3.0.1', info, servers: [{ url: url.toString().replace(/\/$/, '') }], paths };
}

/** Export formats of api-version 2024-05-01 (all links), with the format name the response reports. */
const EXPORT_FORMATS: Record<string, { swagger: boolean; json: boolean; resultFormat: string }> = {
  'openapi-link': { swagger: false, json: false, resultFormat: 'openapi-link' },
  'openapi+json-link': { swagger: false, json: true, resultFormat: 'openapi-link' },
  'swagger-link': { swagger: true, json: true, resultFormat: 'swagger-link-json' },
};

function exportApi({ request, env, entity }: EntityInput) {
  if (request.query.get('export') !== 'true') return undefined;
  const format = String(request.query.get('format') ?? '').toLowerCase();
  const shape = EXPORT_FORMATS[format];
  if (!shape) throw invalidField('format', `'${format}' is not a supported export format; expected one of ${Object.keys(EXPORT_FORMATS).join(', ')}.`);
  const document = exportDocument(request, entity, shape.swagger);
  const text = shape.json ? JSON.stringify(document, null, 2) : YAML.stringify(document);
  const link = env.publish(shape.json ? 'application/json' : 'application/yaml', text);
  return { status: 200, body: { id: `${request.servicePath}/apis/${entity.name}`, format: shape.resultFormat, value: { link } } };
}

/**
 * In Azure every revision is addressable as `{apiId};rev={n}`, the current one too: that is the API itself, stored
 * under `{apiId}` with `apiRevision` n (other revisions are stored under their own names), so reads, writes and
 * paths under it (`{apiId};rev={n}/operations`) reach the API. A read of it shows the name as asked, like Azure's
 * example of a revision read.
 */
function currentRevision(service: ServiceState, name: string): { entity: Entity; name: string } | undefined {
  const revision = REVISION_NAME.exec(name);
  const api = revision ? service.get('apis', revision[1]) : undefined;
  if (!revision || !api || String(api.properties.apiRevision) !== revision[2]) return undefined;
  return { entity: api, name: `${api.name};rev=${revision[2]}` };
}

/** Deleting an API deletes its revisions (`{apiId};rev=n`) too. */
function deleteRevisions({ request, entity }: EntityInput): void {
  const prefix = `${entity.name.toLowerCase()};rev=`;
  for (const other of request.service.list('apis')) if (other.name.toLowerCase().startsWith(prefix)) request.service.delete('apis', other.name);
}

/** Azure expands an API's version set on every read: `apiVersionSet` with the set's display name and scheme. */
function presentApi(api: Entity, request: ArmRequest): Json {
  const id = api.properties.apiVersionSetId;
  const setName = typeof id === 'string' ? pathSegments(id)?.pop() : undefined;
  const set = setName ? request.service.get('apiVersionSets', setName) : undefined;
  if (!set) return api.properties;
  const { displayName, description, versioningScheme, versionQueryName, versionHeaderName } = set.properties;
  const details = Object.entries({ id, name: displayName, description, versioningScheme, versionQueryName, versionHeaderName }).filter(([, value]) => value !== undefined);
  return { ...api.properties, apiVersionSet: Object.fromEntries(details) };
}

export function apiBehaviour(): Behaviour {
  return { download: downloadSpec, prepare: prepareApi, get: exportApi, alias: currentRevision, present: presentApi, listed: (api) => api.properties.isCurrent !== false, afterDelete: deleteRevisions };
}

export function operationBehaviour(): Behaviour {
  return {
    prepare({ properties }: WriteInput): Prepared {
      const urlTemplate = String(properties.urlTemplate);
      if (!urlTemplate.startsWith('/')) throw invalidField('urlTemplate', "'urlTemplate' must start with '/'.");
      if (!/^[A-Za-z]+$/.test(String(properties.method))) throw invalidField('method', `'${String(properties.method)}' is not a valid HTTP method.`);
      const templateParameters = Array.isArray(properties.templateParameters) ? (properties.templateParameters as Array<{ name?: string }>) : [];
      const defined = new Set(templateParameters.map((p) => String(p.name).toLowerCase()));
      const used = [...urlTemplate.split('?')[0].matchAll(/\{([^}]+)\}/g)].map((m) => m[1].replace(/^\*/, ''));
      const undefinedParameter = used.find((p) => !defined.has(p.toLowerCase()));
      if (undefinedParameter) throw invalidField('templateParameters', `All template parameters used in the UriTemplate must be defined in the Operation; '${undefinedParameter}' is not.`);
      return { properties: { templateParameters: [], responses: [], ...properties } };
    },
  };
}


