import type { ApimConnection } from './client';
import type { LiveResource, LiveState, ReadSelection } from './live-state';
import { kindAccess, nonCurrentRevisions, operationLinksOfTag, operationTagsOfApi, revisionsOfApi, type RawEntity } from './resources';
import { resourceType, revisionOf, type ResourceKind, type ResourceRef } from '../resources/types';

/**
 * Reading the live instance. Collections are listed (one request per page) rather than fetched item by item;
 * policies, which ARM does not list across parents, cost one GET per parent (with format=rawxml, so expressions
 * come back as written). A selection of APIs or products is fetched by id, so its cost does not grow with the
 * number of other APIs or products on the instance.
 */

const API_SCOPED: ResourceKind[] = ['api', 'apiOperation', 'apiPolicy', 'operationPolicy', 'apiTag', 'operationTag', 'apiDiagnostic', 'apiRelease', 'apiSchema', 'graphQLResolver', 'resolverPolicy'];

/** The kind of document a specification import reads. */
export type ImportSource = 'openapi' | 'wsdl' | 'wadl' | 'graphql';

/**
 * The media types of the API schemas a specification import creates, with the kind of document each comes from (ARM's
 * SchemaContractProperties.contentType: Swagger definitions, OpenAPI components, WSDL's XSD, WADL grammars, GraphQL
 * SDL). They come with the specification, so they are not read as resources of their own — except a GraphQL API's
 * SDL (its schema `graphql`), which is how a repository gives a GraphQL API its specification.
 */
export const IMPORTED_SCHEMA_SOURCES: Readonly<Record<string, ImportSource>> = {
  'application/vnd.oai.openapi.components+json': 'openapi',
  'application/vnd.ms-azure-apim.swagger.definitions+json': 'openapi',
  'application/vnd.ms-azure-apim.xsd+xml': 'wsdl',
  'application/vnd.ms-azure-apim.wadl.grammars+xml': 'wadl',
  'application/vnd.ms-azure-apim.graphql.schema': 'graphql',
};

/** The kind of document an API schema's import came from; undefined for a schema of the repository's own. */
export function importSourceOf(schema: LiveResource): ImportSource | undefined {
  return Object.hasOwn(IMPORTED_SCHEMA_SOURCES, String(schema.properties.contentType)) ? IMPORTED_SCHEMA_SOURCES[String(schema.properties.contentType)] : undefined;
}

function isRepositorySchema(schema: LiveResource, api: LiveResource): boolean {
  if (api.properties.type === 'graphql' && schema.ref.ids[1].toLowerCase() === 'graphql') return true;
  return importSourceOf(schema) === undefined;
}
const PRODUCT_SCOPED: ResourceKind[] = ['product', 'productApi', 'productGroup', 'productPolicy', 'productTag'];
const SERVICE_WIDE: ResourceKind[] = ['namedValue', 'backend', 'policyFragment', 'tag', 'apiVersionSet', 'group', 'subscription', 'logger', 'diagnostic'];

/** Non-current API revisions (`id;rev=2`) belong to their API, not to the set of APIs apiops manages. */
function isRevision(name: string): boolean {
  return name.includes(';rev=');
}

function fromRaw(kind: ResourceKind, parentIds: string[], entity: RawEntity): LiveResource {
  return { ref: { kind, ids: [...parentIds, entity.name ?? ''] }, properties: entity.properties ?? {} };
}

async function listKind(c: ApimConnection, kind: ResourceKind, parentIds: string[] = []): Promise<LiveResource[]> {
  const entities = await kindAccess(kind).list!(c, parentIds);
  return entities.filter((e) => e.name && !isRevision(e.name)).map((e) => fromRaw(kind, parentIds, e));
}

/**
 * One resource by id, with its ETag; undefined when it does not exist. APIM ids are case-insensitive: the ref
 * returned names the resource as the instance does (`orders` when asked for `ORDERS`). A policy's own name is
 * always `policy`, so its ref stays as asked.
 */
export async function readResource(c: ApimConnection, ref: ResourceRef): Promise<LiveResource | undefined> {
  const read = await kindAccess(ref.kind).get(c, ref.ids);
  if (!read) return undefined;
  const ids = read.name && !resourceType(ref.kind).policy ? [...ref.ids.slice(0, -1), read.name] : ref.ids;
  return { ref: { kind: ref.kind, ids }, properties: read.properties, etag: read.etag };
}

/** Several resources by id, concurrently (the connection bounds the requests in flight). */
export async function readResources(c: ApimConnection, refs: ResourceRef[]): Promise<Array<LiveResource | undefined>> {
  return Promise.all(refs.map((ref) => readResource(c, ref)));
}

/**
 * The parents of a scoped family: the selected ids fetched one by one, or the whole collection listed.
 * Returns the parent resources found (used as resources when their own kind is selected).
 */
async function readParents(
  c: ApimConnection,
  kind: 'api' | 'product',
  selected: string[] | undefined,
): Promise<LiveResource[]> {
  if (!selected) return listKind(c, kind);
  const found = await readResources(c, selected.map((id) => ({ kind, ids: [id] })));
  return found.filter((r): r is LiveResource => r !== undefined);
}

async function readPolicies(c: ApimConnection, kind: ResourceKind, parents: string[][]): Promise<LiveResource[]> {
  const found = await readResources(c, parents.map((ids) => ({ kind, ids })));
  return found.filter((r): r is LiveResource => r !== undefined);
}

/**
 * The non-current revisions (`orders;rev=2`) of the APIs read, as API resources: for the whole instance one list of
 * them; for selected APIs each one's revision list, then each revision.
 */
async function readRevisions(c: ApimConnection, apis: LiveResource[], selected: boolean): Promise<LiveResource[]> {
  if (selected) {
    const perApi = await Promise.all(
      apis.map(async (api) => {
        const entries = (await revisionsOfApi(c, api.ref.ids[0])) as Array<Record<string, unknown>>;
        const numbers = entries.filter((entry) => entry.isCurrent === false).map((entry) => String(entry.apiRevision));
        return readResources(c, numbers.map((n) => ({ kind: 'api', ids: [`${api.ref.ids[0]};rev=${n}`] })));
      }),
    );
    return perApi.flat().filter((r): r is LiveResource => r !== undefined);
  }
  const names = new Map(apis.map((api) => [api.ref.ids[0].toLowerCase(), api.ref.ids[0]]));
  const listed = await nonCurrentRevisions(c);
  return listed.flatMap((entity) => {
    const revision = entity.name === undefined ? undefined : revisionOf(entity.name);
    const apiId = revision && names.get(revision.apiId.toLowerCase());
    if (!revision || apiId === undefined || entity.properties?.isCurrent !== false) return [];
    return [{ ref: { kind: 'api' as const, ids: [`${apiId};rev=${revision.revision}`] }, properties: entity.properties }];
  });
}

async function readApiFamily(c: ApimConnection, kinds: Set<ResourceKind>, selection: ReadSelection): Promise<LiveState> {
  const { apis, releasesAndSchemasOf, operationPoliciesOf } = selection;
  if (!API_SCOPED.some((k) => kinds.has(k))) return { resources: [] };
  const policiesWanted = operationPoliciesOf && new Set(operationPoliciesOf.map((ids) => ids.join('/').toLowerCase()));
  const policyWanted = (operation: LiveResource) => !policiesWanted || policiesWanted.has(operation.ref.ids.join('/').toLowerCase());
  const currentApis = await readParents(c, 'api', apis);
  const revisions = kinds.has('api') ? await readRevisions(c, currentApis, apis !== undefined) : [];
  const extras = releasesAndSchemasOf && new Set(releasesAndSchemasOf.map((id) => id.toLowerCase()));
  const needOperations = kinds.has('apiOperation') || kinds.has('operationPolicy');
  // Each API's reads go on their own: its operations' policies and tags are asked for as soon as its operations are
  // listed, not once every API's operations are, so the requests in flight never wait on the slowest API. A revision
  // holds operations and policies of its own; tags, diagnostics, releases, schemas and resolvers are the API's.
  const perApi = await Promise.all(
    [...currentApis, ...revisions].map(async (api) => {
      const { ids } = api.ref;
      const ofApi = !isRevision(ids[0]);
      const withExtras = ofApi && (!extras || extras.has(ids[0].toLowerCase()));
      const operationsAndChildren = async (): Promise<LiveResource[][]> => {
        const operations = await listKind(c, 'apiOperation', ids);
        const [policies, tags] = await Promise.all([
          kinds.has('operationPolicy') ? readPolicies(c, 'operationPolicy', operations.filter(policyWanted).map((o) => o.ref.ids)) : [],
          kinds.has('operationTag') && ofApi && !apis ? Promise.all(operations.map((o) => listKind(c, 'operationTag', o.ref.ids))).then((l) => l.flat()) : [],
        ]);
        return [kinds.has('apiOperation') ? operations : [], policies, tags];
      };
      const resolversAndPolicies = async (): Promise<LiveResource[]> => {
        const resolvers = await listKind(c, 'graphQLResolver', ids);
        const policies = kinds.has('resolverPolicy') ? await readPolicies(c, 'resolverPolicy', resolvers.map((r) => r.ref.ids)) : [];
        return [...(kinds.has('graphQLResolver') ? resolvers : []), ...policies];
      };
      // A selected API's operation tags come in one list for the API (see operationTagsOfApi), not one per operation.
      const [[operations, operationPolicies, operationTags], apiPolicies, tagLinks, diagnostics, releases, schemas, resolvers, operationTagsOfSelected] = await Promise.all([
        needOperations || kinds.has('operationTag') ? operationsAndChildren() : [[], [], []],
        kinds.has('apiPolicy') ? readPolicies(c, 'apiPolicy', [ids]) : [],
        kinds.has('apiTag') && ofApi ? listKind(c, 'apiTag', ids) : [],
        kinds.has('apiDiagnostic') && ofApi ? listKind(c, 'apiDiagnostic', ids) : [],
        kinds.has('apiRelease') && withExtras ? listKind(c, 'apiRelease', ids) : [],
        kinds.has('apiSchema') && withExtras ? listKind(c, 'apiSchema', ids) : [],
        (kinds.has('graphQLResolver') || kinds.has('resolverPolicy')) && ofApi && api.properties.type === 'graphql' ? resolversAndPolicies() : [],
        kinds.has('operationTag') && ofApi && apis ? readOperationTagsOfApi(c, ids[0]) : [],
      ]);
      const repositorySchemas = schemas.filter((schema) => isRepositorySchema(schema, api));
      const importedSchemas = schemas.filter((schema) => !repositorySchemas.includes(schema));
      return { operations, apiPolicies, operationPolicies, tagLinks, operationTags: [...operationTags, ...operationTagsOfSelected], diagnostics, releases, schemas: repositorySchemas, importedSchemas, resolvers };
    }),
  );
  const all = (part: keyof (typeof perApi)[number]) => perApi.flatMap((api) => api[part]);
  const resources = [
    ...(kinds.has('api') ? [...currentApis, ...revisions] : []),
    ...all('operations'),
    ...all('apiPolicies'),
    ...all('operationPolicies'),
    ...all('tagLinks'),
    ...all('operationTags'),
    ...all('diagnostics'),
    ...all('releases'),
    ...all('schemas'),
    ...all('resolvers'),
  ];
  return { resources, importedSchemas: all('importedSchemas') };
}

async function readProductFamily(c: ApimConnection, kinds: Set<ResourceKind>, products?: string[]): Promise<LiveResource[]> {
  if (!PRODUCT_SCOPED.some((k) => kinds.has(k))) return [];
  const productResources = await readParents(c, 'product', products);
  const productIds = productResources.map((r) => r.ref.ids);
  const links = (kind: ResourceKind) =>
    kinds.has(kind) ? Promise.all(productIds.map((ids) => listKind(c, kind, ids))).then((l) => l.flat()) : [];
  const [apiLinks, groupLinks, tagLinks, policies] = await Promise.all([
    links('productApi'),
    links('productGroup'),
    links('productTag'),
    kinds.has('productPolicy') ? readPolicies(c, 'productPolicy', productIds) : [],
  ]);
  return [...(kinds.has('product') ? productResources : []), ...apiLinks, ...groupLinks, ...tagLinks, ...policies];
}

/**
 * The live resources of the selected kinds. `selection.apis` narrows the API family (api, apiOperation, apiPolicy,
 * operationPolicy, apiTag) to those APIs and `selection.products` the product family (product, productApi, productGroup,
 * productPolicy) to those products; service-wide kinds (named values, backends, fragments, tags, version sets, groups,
 * subscriptions, loggers, diagnostics, global policy) are read
 * whole when selected. Ids that do not exist are skipped.
 */
export async function readLiveState(c: ApimConnection, selection: ReadSelection): Promise<LiveState> {
  const kinds = new Set(selection.kinds);
  // Operation tag links of a whole read come from the tags' side; a selection's from its own operations.
  const operationTagsByTag = kinds.has('operationTag') && !selection.apis;
  const tags = kinds.has('tag') || operationTagsByTag ? listKind(c, 'tag') : Promise.resolve([]);
  const apiFamily = readApiFamily(c, operationTagsByTag ? new Set([...kinds].filter((k) => k !== 'operationTag')) : kinds, selection);
  const parts = await Promise.all([
    ...SERVICE_WIDE.filter((k) => kinds.has(k) && k !== 'tag').map((k) => listKind(c, k)),
    kinds.has('tag') ? tags : [],
    operationTagsByTag ? tags.then((listed) => readOperationTagLinks(c, listed)) : [],
    kinds.has('globalPolicy') ? readPolicies(c, 'globalPolicy', [[]]) : [],
    apiFamily.then((family) => family.resources),
    readProductFamily(c, kinds, selection.products),
  ]);
  return { resources: parts.flat(), importedSchemas: (await apiFamily).importedSchemas };
}

/** `/subscriptions/…/apis/orders/operations/get` or `/apis/orders/operations/get` → the ids after `collection`. */
function idsAfter(reference: unknown, pattern: RegExp): string[] | undefined {
  const match = typeof reference === 'string' ? pattern.exec(reference) : null;
  return match ? match.slice(1).map(decodeURIComponent) : undefined;
}

/**
 * Every operation's tag links, read from each tag's side (see operationLinksOfTag) as operationTag resources carrying
 * the tag's displayName.
 */
async function readOperationTagLinks(c: ApimConnection, tags: LiveResource[]): Promise<LiveResource[]> {
  const perTag = await Promise.all(
    tags.map(async (tag) => {
      const [tagId] = tag.ref.ids;
      const links = await operationLinksOfTag(c, tagId);
      return links
        .map((link) => idsAfter(link.properties?.operationId, /\/apis\/([^/]+)\/operations\/([^/]+)$/i))
        .filter((ids): ids is string[] => ids !== undefined && !isRevision(ids[0]))
        .map((ids): LiveResource => ({ ref: { kind: 'operationTag', ids: [...ids, tagId] }, properties: { displayName: tag.properties.displayName } }));
    }),
  );
  return perTag.flat();
}

async function readOperationTagsOfApi(c: ApimConnection, apiId: string): Promise<LiveResource[]> {
  const links = await operationTagsOfApi(c, apiId);
  return links.map((link): LiveResource => ({ ref: { kind: 'operationTag', ids: [apiId, link.operationId, link.tagId] }, properties: { displayName: link.displayName } }));
}

/** A secret named value's value, with the ETag listValue answered with: the version of the resource it is the value of. */
export interface SecretValue {
  value: string;
  etag?: string;
}

/**
 * The values of secret named values (hidden on GET), by id, through listValue. Only for secrets whose value the
 * caller has locally, to compare them; the values stay in memory.
 */
export async function readSecretValues(c: ApimConnection, namedValueIds: string[]): Promise<Map<string, SecretValue>> {
  const values = await Promise.all(
    namedValueIds.map(async (id) => {
      const result = await c.client.namedValue.listValue(c.scope.resourceGroup, c.scope.serviceName, id);
      return [id, { value: result.value ?? '', etag: result.eTag }] as const;
    }),
  );
  return new Map(values);
}
