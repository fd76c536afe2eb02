import { randomBytes } from 'node:crypto';
import type { ArmRequest, Behaviour, EmulatorEnv, EntityInput, Prepared, WriteInput } from './engine';
import { conflict, invalidField } from './errors';
import { pathSegments, resolveReference } from './ids';
import { removeLinksTo } from './links';
import { REVISION_NAME } from './revisions';
import { routeOf } from './routes';
import type { Entity, ServiceState } from './store';
import { storePolicy } from './policies';
import { exportSpecification, importFormat, importSpecification, schemaIdFor, type ImportedApi, type ImportedOperation, type ImportedSchema, type StoredSpecification } from './specs';
import type { ImportOptions, SpecificationKind } from './specs/types';

/**
 * APIs and their operations: APIM's defaults, the path-uniqueness rule, OpenAPI/Swagger import (operations
 * created from the spec, replaced on re-import) and export (a link to a document served on loopback).
 */

const IMPORT_ONLY_PROPERTIES = ['format', 'value', 'wsdlSelector', 'translateRequiredQueryParameters', 'sourceApiId', 'apiType'];
/** What reads derive (a client that PUTs back what it read sends them too): never stored. */
const DERIVED_PROPERTIES = ['apiVersionSet'];
const API_TYPES = ['http', 'soap', 'websocket', 'graphql', 'odata', 'grpc'];
/** Properties of a source API that a clone, new version or revision does not inherit. */
const NOT_INHERITED = ['isCurrent', 'isOnline', 'apiRevision', 'apiRevisionDescription', 'provisioningState'];

type Json = Record<string, unknown>;

/** A WebSocket API's one operation, which APIM creates with it: the handshake. */
const WEBSOCKET_HANDSHAKE: ImportedOperation = {
  name: 'onHandshake',
  properties: { displayName: 'onHandshake', method: 'GET', urlTemplate: '/', templateParameters: [], description: '', request: { queryParameters: [], headers: [], representations: [] }, responses: [] },
};

function normalisedPath(path: unknown): string {
  return String(path ?? '').replace(/^\/+|\/+$/g, '').toLowerCase();
}

/** The API a name belongs to: `orders` for `orders` and for each of its revisions `orders;rev=n`. */
const apiOf = (name: string): string => name.toLowerCase().replace(/;rev=.*$/, '');

/** Two APIs may share a path only as revisions of one API, or as different versions in the same version set. */
function checkPathUnique(service: ServiceState, name: string, properties: Json): void {
  const path = normalisedPath(properties.path);
  for (const other of service.list('apis')) {
    if (apiOf(other.name) === apiOf(name)) continue;
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
  for (const operation of operations) {
    service.put(collection, operation.name, operation.properties);
    if (operation.policy) {
      const policy = storePolicy(service, operation.policy, 'rawxml', 'policies');
      service.put(`${collection}/${operation.name}/policies`, 'policy', { value: policy.xml }, { policy });
    }
  }
}

/** The schemas an import creates replace those the previous import of the API created, under the same ids. */
function replaceImportedSchemas(service: ServiceState, apiName: string, schemas: ImportedSchema[], firstId: string): void {
  const collection = `apis/${apiName}/schemas`;
  for (const existing of service.list(collection)) if (existing.hidden?.imported) service.delete(collection, existing.name);
  schemas.forEach((schema, i) => service.put(collection, i === 0 ? firstId : `${firstId}-${i + 1}`, { contentType: schema.contentType, document: schema.document }, { imported: true }));
}

const newSchemaId = (): string => randomBytes(12).toString('hex');

/** The import a write asks for (`format` and `value`), if it asks for one. */
function requestedImport(properties: Json): { kind: SpecificationKind; link: boolean } | undefined {
  if (properties.format === undefined && properties.value === undefined) return undefined;
  const format = importFormat(properties.format);
  if (typeof properties.value !== 'string' && !(typeof properties.value === 'object' && properties.value)) throw invalidField('value', "'value' is required with 'format'.");
  return format;
}

/** A link format's document is fetched first (see EmulatorEnv.download): the import then reads it inline. */
async function downloadSpec(properties: Json, env: EmulatorEnv): Promise<Json> {
  if (!requestedImport(properties)?.link) return properties;
  return { ...properties, value: await env.download(String(properties.value)), [DOWNLOADED]: true };
}

/** Marks properties whose link was downloaded (never stored: import-only properties are dropped). */
const DOWNLOADED = '__downloaded';

function importDocument(request: ArmRequest, name: string, stored: Json, existing: Entity | undefined): { api: ImportedApi; schemaId: string } | undefined {
  const format = requestedImport(stored);
  if (!format) return undefined;
  if (format.link && !stored[DOWNLOADED]) throw invalidField('value', 'The linked document could not be read.');
  const translate = stored.translateRequiredQueryParameters ?? 'template';
  if (translate !== 'template' && translate !== 'query') throw invalidField('translateRequiredQueryParameters', "'translateRequiredQueryParameters' must be 'template' or 'query'.");
  const text = typeof stored.value === 'string' ? stored.value : JSON.stringify(stored.value);
  const previous = request.service.list(`apis/${existing?.name ?? name}/schemas`).find((schema) => schema.hidden?.imported)?.name;
  const schemaId = schemaIdFor(format.kind, previous?.replace(/-\d+$/, ''), newSchemaId);
  const apiType = stored.apiType ?? stored.type;
  const wsdlSelector = stored.wsdlSelector as ImportOptions['wsdlSelector'];
  const api = importSpecification(format.kind, text, { translateRequiredQueryParameters: translate, apiType: typeof apiType === 'string' ? apiType : undefined, wsdlSelector }, schemaId);
  // The policies an import generates are checked now, so that writing them after the API cannot fail.
  for (const operation of api.operations) if (operation.policy) storePolicy(request.service, operation.policy, 'rawxml', 'policies');
  return { api, schemaId };
}

function prepareApi({ request, names, properties, existing }: WriteInput): Prepared {
  const name = names[0];
  const stored: Json = { ...properties };
  const importing = importDocument(request, name, stored, existing);
  const imported = importing?.api;
  if (imported) {
    stored.displayName ??= imported.displayName;
    for (const property of ['description', 'serviceUrl', 'protocols', 'type'] as const) {
      if (stored[property] === undefined && imported[property] !== undefined) stored[property] = imported[property];
    }
  }
  // `apiType` is how a write names the API's type next to an import (`soap`: SOAP pass-through); reads show `type`.
  if (stored.apiType !== undefined && stored.type === undefined) stored.type = stored.apiType;
  // A clone, a new version or a revision (`sourceApiId`) starts from the source API and copies its operations.
  let copiedOperations: ImportedOperation[] | undefined;
  if (stored.sourceApiId !== undefined && stored.sourceApiId !== null && !imported) {
    const source = resolveReference(request, 'sourceApiId', stored.sourceApiId, 'apis/{apiId}').entity;
    const inherited = { ...source.properties };
    for (const property of NOT_INHERITED) delete inherited[property];
    Object.assign(stored, { ...inherited, ...stored });
    copiedOperations = request.service.list(`apis/${source.name}/operations`).map((op) => ({ name: op.name, properties: op.properties }));
  }
  for (const property of [...IMPORT_ONLY_PROPERTIES, ...DERIVED_PROPERTIES, DOWNLOADED]) delete stored[property];
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
  const websocketCreated = !existing && withDefaults.type === 'websocket' ? [WEBSOCKET_HANDSHAKE] : undefined;
  const operations = imported?.operations ?? copiedOperations ?? websocketCreated;
  const hidden = imported ? { specification: { ...imported.specification, translateRequiredQueryParameters: String(properties.translateRequiredQueryParameters ?? 'template') } } : existing?.hidden;
  return {
    properties: withDefaults,
    hidden,
    afterWrite: (entity: Entity) => {
      if (operations) replaceOperations(request, entity.name, operations);
      if (importing) replaceImportedSchemas(request.service, entity.name, importing.api.schemas, importing.schemaId);
    },
  };
}


/** Gateway URL of an API (what an exported spec names as its server). */
function gatewayUrl(request: ArmRequest, api: Entity): string {
  return `https://${request.service.scope.serviceName.toLowerCase()}.azure-api.net/${String(api.properties.path ?? '').replace(/^\/+/, '')}`;
}

/** Export: the document the API was imported from, brought up to date with its operations (see specs/openapi.ts). */
function exportApi({ request, env, entity }: EntityInput) {
  if (request.query.get('export') !== 'true') return undefined;
  const stored = entity.hidden?.specification as (StoredSpecification & { translateRequiredQueryParameters?: string }) | undefined;
  const exported = exportSpecification(String(request.query.get('format') ?? ''), {
    api: entity.properties,
    operations: request.service.list(`apis/${entity.name}/operations`),
    imported: stored && (stored.kind === 'openapi' || stored.kind === 'swagger') ? { text: stored.text, kind: stored.kind } : undefined,
    stored,
    gatewayUrl: gatewayUrl(request, entity),
    translateRequiredQueryParameters: stored?.translateRequiredQueryParameters === 'query' ? 'query' : 'template',
  });
  const link = env.publish(exported.contentType, exported.text);
  return { status: 200, body: { id: `${request.servicePath}/apis/${entity.name}`, format: exported.resultFormat, value: { link } } };
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
  return { download: downloadSpec, prepare: prepareApi, get: exportApi, alias: currentRevision, present: presentApi, listed: (api, request) => api.properties.isCurrent !== false || /\bisCurrent\b/i.test(request.query.get('$filter') ?? ''), afterDelete: deleteRevisions };
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


