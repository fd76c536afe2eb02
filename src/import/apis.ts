import type { OperationDefinition } from '../repo/model';
import { loadSpecificationFile, typesOfFormat } from '../repo/specifications';
import type { ResourceKind, ResourceRef } from '../resources/types';
import { operationIdOf } from './operations';
import { policyTextOf, RESOLVER_POLICY } from './policies';
import { isObject, join, type Properties, type SourceFolder, type Unconvertible } from './source-folder';

/**
 * The API folders of both tools: `apis/<name>/` is the current revision (apiInformation.json, specification.*,
 * policy.xml, operations/<operation name>/policy.xml, diagnostics/), `apis/<name>;rev=<n>/` a non-current one, and
 * `releases/`, `schemas/` (and apiops-cli's `resolvers/`, `tags/`) sit under the API. The current revision becomes
 * the instance-shaped resources extract lays out; what extract's layout does not write (the API's type, revisions,
 * releases, schemas, resolvers) is kept as additions, written by the import itself.
 */

export type SourceTool = 'azure-apiops' | 'apiops-cli';

export interface ImportedSpecification {
  /** Folder-relative source file. */
  source: string;
  text: string;
  /** The repository's file name for it (in the API or revision folder). */
  fileName: string;
}

export interface ImportedPolicy {
  text: string;
  source: string;
}

export interface ImportedRevision {
  number: string;
  /** The revision's apiInformation.json, and what it says. */
  source: string;
  information: Properties;
  definition: Properties;
  specification?: ImportedSpecification;
  policy?: ImportedPolicy;
  /** By operationId. */
  operationPolicies: Map<string, ImportedPolicy>;
}

export interface ApiAdditions {
  /** api.yaml fields extract's layout does not write: type, revision, revisionDescription, release. */
  fields: Properties;
  revisions: ImportedRevision[];
  schemas: Array<{ id: string; definition: Properties; source: string }>;
  resolvers: Array<{ id: string; definition: Properties; source: string; policy?: ImportedPolicy }>;
}

export interface ApiReadContext {
  add: (ref: ResourceRef, properties: Properties, source: string) => void;
  addPolicy: (ref: ResourceRef, policy: ImportedPolicy) => void;
  validId: (kind: ResourceKind, id: string, dir: string) => boolean;
  tagNames: Map<string, string>;
  specifications: Map<string, ImportedSpecification>;
  additions: Map<string, ApiAdditions>;
  notes: Unconvertible[];
}

const SPECIFICATION = /^specification\.(yaml|yml|json|graphql|wsdl|wadl)$/;
const REVISION = /^(.+);rev=([^/]+)$/;
const API_TYPES = ['http', 'soap', 'graphql', 'websocket'];
const WEBSOCKET_HANDSHAKE = 'onHandshake';
const FILE_NAMES: Record<string, string> = { yaml: 'openapi.yaml', yml: 'openapi.yaml', json: 'openapi.json', wsdl: 'api.wsdl', wadl: 'api.wadl', graphql: 'schema.graphql' };
const GRAPHQL_SCHEMA = 'application/vnd.ms-azure-apim.graphql.schema';
/** Schemas an OpenAPI, Swagger or WSDL import creates: they come with the specification. */
const IMPORTED_SCHEMAS: Record<string, RegExp> = {
  'application/vnd.oai.openapi.components+json': /^openapi\.(yaml|json)$/,
  'application/vnd.ms-azure-apim.swagger.definitions+json': /^openapi\.(yaml|json)$/,
  'application/vnd.ms-azure-apim.xsd+xml': /^api\.wsdl$/,
};
/** The id APIM gives what it generates (the schema a specification's import creates): 24 hexadecimal digits. */
const GENERATED_ID = /^[0-9a-f]{24}$/;
/** What a revision's apiInformation.json says that is the API's own (the same in every revision). */
const REVISION_FIELDS = ['serviceUrl', 'subscriptionRequired', 'protocols'];

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

interface VersionContent {
  specification?: ImportedSpecification;
  operations: OperationDefinition[];
  policy?: ImportedPolicy;
  operationPolicies: Map<string, ImportedPolicy>;
}

/** A folder's specification, policy and operation policies (the part a revision has of its own). */
function readContent(folder: SourceFolder, dir: string, type: string): VersionContent | undefined {
  const content: VersionContent = { operations: [], operationPolicies: new Map() };
  const files = folder.files(dir, SPECIFICATION);
  if (files.length > 1) folder.problem(files[1], `a second specification in ${dir}/ (${files.join(', ')})`);
  const file = files[0];
  if (file) {
    const extension = SPECIFICATION.exec(file.slice(dir.length + 1))![1];
    const specificationText = folder.text(file);
    if (specificationText === undefined) return undefined;
    const loaded = loadSpecificationFile(file, specificationText, { type: type as 'http' });
    const errors = loaded.findings.filter((finding) => finding.severity === 'error');
    for (const finding of errors) folder.problem(file, finding.message, finding);
    if (!loaded.specification || errors.length) return undefined;
    if (!typesOfFormat(loaded.specification.format).includes(type as 'http')) {
      folder.problem(file, `a ${type} API cannot have this specification (a ${loaded.specification.format} document makes ${typesOfFormat(loaded.specification.format).join(' or ')} APIs)`);
      return undefined;
    }
    content.operations = loaded.specification.operations;
    content.specification = { source: file, text: specificationText, fileName: FILE_NAMES[extension] };
  }
  if (type === 'websocket') content.operations = [{ id: WEBSOCKET_HANDSHAKE } as OperationDefinition];
  if (folder.exists(join(dir, 'policy.xml'))) {
    const policyText = policyTextOf(folder, join(dir, 'policy.xml'));
    if (policyText !== undefined) content.policy = { text: policyText, source: join(dir, 'policy.xml') };
  }
  for (const name of folder.folders(join(dir, 'operations'))) {
    const operationDir = join(dir, 'operations', name);
    const informationFile = join(operationDir, 'operationInformation.json');
    const information = folder.exists(informationFile) ? folder.properties(informationFile) : undefined;
    const operationId = operationIdOf(name, content.operations, information);
    if (operationId === undefined) {
      folder.refuse(
        operationDir,
        file || type === 'websocket'
          ? `operation '${name}' is not an operation of ${file ?? `websocket API ${dir}`} (its operationIds: ${content.operations.map((operation) => operation.id).join(', ') || 'none'})`
          : `operation '${name}' of an API without a specification`,
      );
      continue;
    }
    const policyFile = join(operationDir, 'policy.xml');
    if (!folder.exists(policyFile)) continue;
    const policyText = policyTextOf(folder, policyFile);
    if (policyText !== undefined) content.operationPolicies.set(operationId, { text: policyText, source: policyFile });
  }
  return content;
}

/** An API's (or revision's) information file, and its type when apiops can hold it. */
function readInformation(folder: SourceFolder, dir: string): { properties: Properties; source: string; type: string } | undefined {
  const source = join(dir, 'apiInformation.json');
  if (!folder.exists(source)) {
    folder.refuse(dir, 'an API folder without apiInformation.json');
    return undefined;
  }
  const properties = folder.properties(source);
  if (!properties) return undefined;
  const type = String(properties.type ?? properties.apiType ?? 'http').toLowerCase();
  if (!API_TYPES.includes(type)) {
    folder.refuse(dir, `a ${type} API: the repository format holds http, soap, graphql and websocket APIs`);
    return undefined;
  }
  return { properties, source, type };
}

export function readApis(folder: SourceFolder, tool: SourceTool, context: ApiReadContext): void {
  const revisionsOf = new Map<string, string[]>();
  const current: string[] = [];
  for (const name of folder.folders('apis')) {
    const revision = REVISION.exec(name);
    if (revision) revisionsOf.set(revision[1], [...(revisionsOf.get(revision[1]) ?? []), name]);
    else current.push(name);
  }
  for (const [apiId, folders] of revisionsOf) {
    if (!current.includes(apiId)) for (const name of folders) folder.refuse(join('apis', name), `a revision of API '${apiId}', which the folder does not have (apis/${apiId}/ is its current revision)`);
  }
  for (const apiId of current) readApi(folder, tool, apiId, revisionsOf.get(apiId) ?? [], context);
}

function readApi(folder: SourceFolder, tool: SourceTool, apiId: string, revisionFolders: string[], context: ApiReadContext): void {
  const dir = join('apis', apiId);
  if (!context.validId('api', apiId, dir)) return;
  const information = readInformation(folder, dir);
  if (!information) return;
  const { properties, source, type } = information;
  const content = readContent(folder, dir, type);
  if (!content) return;
  const additions: ApiAdditions = { fields: {}, revisions: [], schemas: [], resolvers: [] };
  if (!content.specification && type === 'graphql') content.specification = graphqlFromSchemas(folder, dir);
  readSchemas(folder, tool, dir, content.specification, additions);
  if (tool === 'apiops-cli') readResolvers(folder, dir, additions);

  const { type: _type, apiType: _apiType, apiRevision, isCurrent: _isCurrent, apiRevisionDescription, ...apiProperties } = properties;
  const currentRevision = text(String(apiRevision ?? '')) ?? '1';
  if (type !== 'http') additions.fields.type = type;
  if (currentRevision !== '1') additions.fields.revision = Number.isInteger(Number(currentRevision)) ? Number(currentRevision) : currentRevision;
  if (text(apiRevisionDescription)) additions.fields.revisionDescription = apiRevisionDescription;

  context.add({ kind: 'api', ids: [apiId] }, apiProperties, source);
  if (content.specification) context.specifications.set(apiId, content.specification);
  for (const operation of content.operations) {
    context.add({ kind: 'apiOperation', ids: [apiId, operation.id] }, { displayName: operation.displayName, method: operation.method, urlTemplate: operation.urlTemplate }, content.specification?.source ?? source);
  }
  if (content.policy) context.addPolicy({ kind: 'apiPolicy', ids: [apiId] }, content.policy);
  for (const [operationId, policy] of content.operationPolicies) context.addPolicy({ kind: 'operationPolicy', ids: [apiId, operationId] }, policy);

  for (const diagnosticId of folder.folders(join(dir, 'diagnostics'))) {
    const file = join(dir, 'diagnostics', diagnosticId, 'diagnosticInformation.json');
    if (!folder.exists(file) || !context.validId('apiDiagnostic', diagnosticId, join(dir, 'diagnostics', diagnosticId))) continue;
    const diagnostic = folder.properties(file);
    if (diagnostic) context.add({ kind: 'apiDiagnostic', ids: [apiId, diagnosticId] }, diagnostic, file);
  }
  if (tool === 'apiops-cli') {
    for (const tagId of folder.folders(join(dir, 'tags'))) {
      const file = join(dir, 'tags', tagId, 'tagInformation.json');
      if (!folder.exists(file)) continue;
      const tag = folder.properties(file);
      if (!tag) continue;
      const displayName = text(tag.displayName) ?? context.tagNames.get(tagId) ?? tagId;
      if (!context.tagNames.has(tagId)) context.tagNames.set(tagId, displayName);
      context.add({ kind: 'apiTag', ids: [apiId, tagId] }, { displayName }, file);
    }
  }

  for (const name of revisionFolders) {
    const revision = readRevision(folder, name, apiProperties, currentRevision);
    if (revision) additions.revisions.push(revision);
  }
  readReleases(folder, dir, apiId, currentRevision, additions, context.notes);
  context.additions.set(apiId, additions);
}

function readRevision(folder: SourceFolder, name: string, api: Properties, currentRevision: string): ImportedRevision | undefined {
  const dir = join('apis', name);
  const number = REVISION.exec(name)![2];
  if (!/^[1-9][0-9]{0,2}$/.test(number) || number === currentRevision) {
    folder.refuse(dir, number === currentRevision ? `revision ${number} is the current revision (apis/${REVISION.exec(name)![1]}/) as well` : `revision '${number}' is not a number from 1 to 999`);
    return undefined;
  }
  const information = readInformation(folder, dir);
  if (!information) return undefined;
  const content = readContent(folder, dir, information.type);
  if (!content) return undefined;
  const definition: Properties = {};
  if (text(information.properties.apiRevisionDescription)) definition.description = information.properties.apiRevisionDescription;
  for (const field of REVISION_FIELDS) {
    const value = information.properties[field];
    if (value !== undefined && value !== null && !sameValue(value, api[field])) definition[field] = value;
  }
  const { type: _type, apiType: _apiType, apiRevision: _apiRevision, isCurrent: _isCurrent, apiRevisionDescription: _description, ...rest } = information.properties;
  return { number, source: information.source, information: rest, definition, specification: content.specification, policy: content.policy, operationPolicies: content.operationPolicies };
}

/** The release that made the current revision current is the API's `release`; earlier ones are history. */
function readReleases(folder: SourceFolder, dir: string, apiId: string, currentRevision: string, additions: ApiAdditions, notes: Unconvertible[]): void {
  const releases: Array<{ id: string; notes?: string; source: string; revision: string }> = [];
  for (const releaseId of folder.folders(join(dir, 'releases'))) {
    const source = ['apiReleaseInformation.json', 'releaseInformation.json'].map((file) => join(dir, 'releases', releaseId, file)).find((file) => folder.exists(file));
    if (!source) continue;
    const properties = folder.properties(source);
    if (!properties) continue;
    const revision = /;rev=([^/]+)$/.exec(String(properties.apiId ?? ''))?.[1] ?? currentRevision;
    releases.push({ id: releaseId, notes: text(properties.notes), source, revision });
  }
  const making = releases.filter((release) => release.revision === currentRevision);
  const chosen = making[making.length - 1];
  if (chosen) additions.fields.release = chosen.notes === undefined ? { id: chosen.id } : { id: chosen.id, notes: chosen.notes };
  for (const release of releases.filter((other) => other !== chosen)) {
    notes.push({ file: release.source, reason: `a release of revision ${release.revision} that is not the one making the current revision current: history, left out (publish never removes it)` });
  }
  if (!chosen && currentRevision !== '1') {
    folder.problem(join(dir, 'apiInformation.json'), `API '${apiId}' is at revision ${currentRevision}, but no release in ${dir}/releases/ made it current: the repository format says which revision is current by its release (release: { id, notes })`);
  }
}

/** apiops-cli keeps a synthetic GraphQL API's SDL as its schema `graphql` (the export gives none). */
function graphqlFromSchemas(folder: SourceFolder, dir: string): ImportedSpecification | undefined {
  for (const schemaId of folder.folders(join(dir, 'schemas'))) {
    const source = schemaFile(folder, dir, schemaId);
    const properties = source && folder.properties(source);
    const document = properties && isObject(properties.document) ? properties.document : undefined;
    if (properties && properties.contentType === GRAPHQL_SCHEMA && typeof document?.value === 'string') {
      return { source, text: document.value, fileName: FILE_NAMES.graphql };
    }
  }
  return undefined;
}

function schemaFile(folder: SourceFolder, dir: string, schemaId: string): string | undefined {
  return ['apiSchemaInformation.json', 'schemaInformation.json'].map((file) => join(dir, 'schemas', schemaId, file)).find((file) => folder.exists(file));
}

/** Schemas besides those the specification's import creates (those come with it) are API schema files. */
function readSchemas(folder: SourceFolder, tool: SourceTool, dir: string, specification: ImportedSpecification | undefined, additions: ApiAdditions): void {
  for (const schemaId of folder.folders(join(dir, 'schemas'))) {
    const source = schemaFile(folder, dir, schemaId);
    if (!source) continue;
    const properties = folder.properties(source);
    if (!properties) continue;
    const contentType = text(properties.contentType) ?? text(properties.schemaType) ?? '';
    const graphqlSdl = contentType === GRAPHQL_SCHEMA && specification?.fileName === FILE_NAMES.graphql;
    const createdByImport = IMPORTED_SCHEMAS[contentType]?.test(specification?.fileName ?? '');
    if (graphqlSdl || (createdByImport && GENERATED_ID.test(schemaId))) continue;
    if (createdByImport) {
      // Made by hand under a name of its own: the instance's reads take a schema of this kind for the import's.
      folder.problem(source, `API schema '${schemaId}' (${contentType}) is of the kind the specification's import creates: the repository holds those definitions only in the specification (move them into it)`);
      continue;
    }
    const document = isObject(properties.document) ? properties.document : {};
    const definition: Properties = { contentType };
    if (typeof document.value === 'string') definition.value = document.value;
    else if (isObject(document.components)) definition.components = document.components;
    else if (isObject(document.definitions)) definition.definitions = document.definitions;
    else folder.problem(source, `API schema '${schemaId}' (${contentType || 'no contentType'}) without a document (${tool})`);
    additions.schemas.push({ id: schemaId, definition, source });
  }
}

function readResolvers(folder: SourceFolder, dir: string, additions: ApiAdditions): void {
  for (const resolverId of folder.folders(join(dir, 'resolvers'))) {
    const source = join(dir, 'resolvers', resolverId, 'resolverInformation.json');
    if (!folder.exists(source)) continue;
    const properties = folder.properties(source);
    if (!properties) continue;
    const definition: Properties = { displayName: text(properties.displayName) ?? resolverId, path: text(properties.path) ?? '' };
    if (text(properties.description)) definition.description = properties.description;
    const policyFile = join(dir, 'resolvers', resolverId, 'policy.xml');
    const policyText = folder.exists(policyFile) ? policyTextOf(folder, policyFile, RESOLVER_POLICY) : undefined;
    additions.resolvers.push({ id: resolverId, definition, source, ...(policyText !== undefined ? { policy: { text: policyText, source: policyFile } } : {}) });
  }
}
