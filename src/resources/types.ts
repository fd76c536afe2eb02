import { fileNameOf } from './file-names';

/**
 * The resource types apiops knows, as data. One table drives the emulator's routes, the plan's ordering
 * (parents and references first on create, reverse on delete), live-state reading and extract.
 *
 * `armPath` is relative to the service (`/subscriptions/{s}/resourceGroups/{rg}/providers/
 * Microsoft.ApiManagement/service/{svc}/`); `{name}` segments are the resource's keys, in order.
 */

export type ResourceKind =
  | 'namedValue'
  | 'backend'
  | 'policyFragment'
  | 'globalPolicy'
  | 'apiVersionSet'
  | 'api'
  | 'apiOperation'
  | 'apiPolicy'
  | 'operationPolicy'
  | 'group'
  | 'product'
  | 'productApi'
  | 'productGroup'
  | 'productPolicy'
  | 'subscription'
  | 'logger'
  | 'diagnostic'
  | 'apiDiagnostic'
  | 'tag'
  | 'apiTag'
  | 'productTag'
  | 'operationTag'
  | 'apiRelease'
  | 'apiSchema'
  | 'graphQLResolver'
  | 'resolverPolicy';

export interface ResourceType {
  kind: ResourceKind;
  /** Service-relative ARM path template, e.g. `apis/{apiId}/operations/{operationId}`. */
  armPath: string;
  /** Names of the `{…}` segments of armPath, outermost first. */
  keys: string[];
  /** The resource this one lives under (deleted with it). */
  parent?: ResourceKind;
  /** Kinds whose resources this one may name, so they must exist before it is written. */
  references: ResourceKind[];
  /** Where the repository keeps it (same placeholders); absent when the repository does not manage it. */
  repoPath?: string;
  /** Managed by publish/diff/extract. */
  managed: boolean;
  /** A policy document: singleton child named `policy`, body `{ format, value }`. */
  policy?: boolean;
  /** Link resources carry no properties of their own beyond the ids they join. */
  link?: boolean;
  /** Methods that Azure runs as long-running operations (Azure-AsyncOperation polling) for this kind. */
  longRunning?: Array<'PUT' | 'PATCH' | 'DELETE'>;
  /** `properties` fields Azure requires on create (400 ValidationError without them). */
  requiredProperties?: string[];
  /** Secret `properties` fields (sent, hidden on GET): never compared, kept in a plan, printed or written to disk. */
  secretFields?: string[];
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { kind: 'namedValue', armPath: 'namedValues/{namedValueId}', keys: ['namedValueId'], references: [], repoPath: 'named-values/{namedValueId}.yaml', managed: true, longRunning: ['PUT', 'PATCH'], requiredProperties: ['displayName'] },
  { kind: 'backend', armPath: 'backends/{backendId}', keys: ['backendId'], references: ['namedValue'], repoPath: 'backends/{backendId}.yaml', managed: true },
  { kind: 'policyFragment', armPath: 'policyFragments/{policyFragmentId}', keys: ['policyFragmentId'], references: ['namedValue', 'backend'], repoPath: 'policies/fragments/{policyFragmentId}.xml', managed: true, policy: true, longRunning: ['PUT'], requiredProperties: ['value'] },
  { kind: 'globalPolicy', armPath: 'policies/policy', keys: [], references: ['namedValue', 'backend', 'policyFragment'], repoPath: 'policies/global.xml', managed: true, policy: true, requiredProperties: ['value'] },
  { kind: 'apiVersionSet', armPath: 'apiVersionSets/{versionSetId}', keys: ['versionSetId'], references: [], repoPath: 'api-version-sets/{versionSetId}.yaml', managed: true, requiredProperties: ['displayName', 'versioningScheme'] },
  { kind: 'api', armPath: 'apis/{apiId}', keys: ['apiId'], references: ['apiVersionSet', 'backend'], repoPath: 'apis/{apiId}/api.yaml', managed: true, longRunning: ['PUT', 'DELETE'] },
  { kind: 'apiOperation', armPath: 'apis/{apiId}/operations/{operationId}', keys: ['apiId', 'operationId'], parent: 'api', references: [], repoPath: 'apis/{apiId}/openapi.yaml', managed: true, requiredProperties: ['displayName', 'method', 'urlTemplate'] },
  { kind: 'apiPolicy', armPath: 'apis/{apiId}/policies/policy', keys: ['apiId'], parent: 'api', references: ['namedValue', 'backend', 'policyFragment'], repoPath: 'apis/{apiId}/policy.xml', managed: true, policy: true, requiredProperties: ['value'] },
  { kind: 'operationPolicy', armPath: 'apis/{apiId}/operations/{operationId}/policies/policy', keys: ['apiId', 'operationId'], parent: 'apiOperation', references: ['namedValue', 'backend', 'policyFragment'], repoPath: 'apis/{apiId}/operations/{operationId}.xml', managed: true, policy: true, requiredProperties: ['value'] },
  { kind: 'group', armPath: 'groups/{groupId}', keys: ['groupId'], references: [], repoPath: 'groups/{groupId}.yaml', managed: true, requiredProperties: ['displayName'] },
  { kind: 'product', armPath: 'products/{productId}', keys: ['productId'], references: [], repoPath: 'products/{productId}/product.yaml', managed: true, requiredProperties: ['displayName'] },
  { kind: 'productApi', armPath: 'products/{productId}/apis/{apiId}', keys: ['productId', 'apiId'], parent: 'product', references: ['api'], repoPath: 'products/{productId}/product.yaml', managed: true, link: true },
  { kind: 'productGroup', armPath: 'products/{productId}/groups/{groupId}', keys: ['productId', 'groupId'], parent: 'product', references: ['group'], repoPath: 'products/{productId}/product.yaml', managed: true, link: true },
  { kind: 'productPolicy', armPath: 'products/{productId}/policies/policy', keys: ['productId'], parent: 'product', references: ['namedValue', 'backend', 'policyFragment'], repoPath: 'products/{productId}/policy.xml', managed: true, policy: true, requiredProperties: ['value'] },
  { kind: 'subscription', armPath: 'subscriptions/{sid}', keys: ['sid'], references: ['product', 'api'], repoPath: 'subscriptions/{sid}.yaml', managed: true, requiredProperties: ['scope', 'displayName'], secretFields: ['primaryKey', 'secondaryKey'] },
  { kind: 'logger', armPath: 'loggers/{loggerId}', keys: ['loggerId'], references: ['namedValue'], repoPath: 'loggers/{loggerId}.yaml', managed: true, requiredProperties: ['loggerType'] },
  { kind: 'diagnostic', armPath: 'diagnostics/{diagnosticId}', keys: ['diagnosticId'], references: ['logger'], repoPath: 'diagnostics/{diagnosticId}.yaml', managed: true, requiredProperties: ['loggerId'] },
  { kind: 'apiDiagnostic', armPath: 'apis/{apiId}/diagnostics/{diagnosticId}', keys: ['apiId', 'diagnosticId'], parent: 'api', references: ['logger'], repoPath: 'apis/{apiId}/diagnostics/{diagnosticId}.yaml', managed: true, requiredProperties: ['loggerId'] },
  // Tags are named by display name in the `tags` of any API's api.yaml (the id is derived from the name); the
  // repository manages the tags it uses, and prune removes only those no longer linked to anything it does not manage.
  { kind: 'tag', armPath: 'tags/{tagId}', keys: ['tagId'], references: [], repoPath: 'apis/{apiId}/api.yaml', managed: true, requiredProperties: ['displayName'] },
  { kind: 'apiTag', armPath: 'apis/{apiId}/tags/{tagId}', keys: ['apiId', 'tagId'], parent: 'api', references: ['tag'], repoPath: 'apis/{apiId}/api.yaml', managed: true, link: true },
  { kind: 'productTag', armPath: 'products/{productId}/tags/{tagId}', keys: ['productId', 'tagId'], parent: 'product', references: ['tag'], repoPath: 'products/{productId}/product.yaml', managed: true, link: true },
  { kind: 'operationTag', armPath: 'apis/{apiId}/operations/{operationId}/tags/{tagId}', keys: ['apiId', 'operationId', 'tagId'], parent: 'apiOperation', references: ['tag'], repoPath: 'apis/{apiId}/api.yaml', managed: true, link: true },
  // A release makes the revision its `apiId` names the current one. The repository holds the one that made the
  // current revision current (api.yaml's `release`); releases of earlier revisions are history, never deleted.
  { kind: 'apiRelease', armPath: 'apis/{apiId}/releases/{releaseId}', keys: ['apiId', 'releaseId'], parent: 'api', references: [], repoPath: 'apis/{apiId}/api.yaml', managed: true, requiredProperties: ['apiId'] },
  // Schemas a specification import creates come with the specification; these are the others (and a GraphQL API's SDL).
  { kind: 'apiSchema', armPath: 'apis/{apiId}/schemas/{schemaId}', keys: ['apiId', 'schemaId'], parent: 'api', references: [], repoPath: 'apis/{apiId}/api-schemas/{schemaId}.yaml', managed: true, longRunning: ['PUT'], requiredProperties: ['contentType'] },
  { kind: 'graphQLResolver', armPath: 'apis/{apiId}/resolvers/{resolverId}', keys: ['apiId', 'resolverId'], parent: 'api', references: ['apiSchema'], repoPath: 'apis/{apiId}/resolvers/{resolverId}.yaml', managed: true, requiredProperties: ['displayName', 'path'] },
  { kind: 'resolverPolicy', armPath: 'apis/{apiId}/resolvers/{resolverId}/policies/policy', keys: ['apiId', 'resolverId'], parent: 'graphQLResolver', references: ['namedValue', 'backend', 'policyFragment'], repoPath: 'apis/{apiId}/resolvers/{resolverId}.xml', managed: true, policy: true, requiredProperties: ['value'] },
];

/** The links that attach a tag to an API, a product or an operation; a link's last id is the tag's. */
export const TAG_LINK_KINDS: readonly ResourceKind[] = ['apiTag', 'productTag', 'operationTag'];

/** APIM's system groups: every instance has them; a repository references them (products' groups), never defines them. */
export const BUILT_IN_GROUPS: readonly string[] = ['administrators', 'developers', 'guests'];

const BY_KIND = new Map(RESOURCE_TYPES.map((t) => [t.kind, t]));

export function resourceType(kind: ResourceKind): ResourceType {
  const type = BY_KIND.get(kind);
  if (!type) throw new Error(`unknown resource kind ${kind}`);
  return type;
}

/**
 * `{apiId};rev={n}`: a non-current revision of an API. apiops holds it as an `api` resource under that id (with its
 * operations and policies under it as for any API), addressed as APIM addresses it.
 */
export const REVISION_ID = /^(.+);rev=([1-9][0-9]*)$/i;

/** The API a revision id belongs to and its number; undefined for an API's own id. */
export function revisionOf(apiId: string): { apiId: string; revision: string } | undefined {
  const match = REVISION_ID.exec(apiId);
  return match ? { apiId: match[1], revision: match[2] } : undefined;
}

/** A resource's identity: its kind and its key values (as many as the type has keys). */
export interface ResourceRef {
  kind: ResourceKind;
  ids: string[];
}

/**
 * The type a key identifies (whose last key it is; of several, the one with the fewest keys: `api` rather than the
 * `productApi` link), e.g. `api` for `apiId`.
 */
export function ownerOfKey(key: string): ResourceType | undefined {
  const owners = RESOURCE_TYPES.filter((type) => type.keys[type.keys.length - 1] === key);
  return owners.length ? owners.reduce((fewest, type) => (type.keys.length < fewest.keys.length ? type : fewest)) : undefined;
}

/** Human/JSON id of a resource: its keys joined by `/` (`media-orders/get-order`); `global` for the service policy. */
export function displayId(ref: ResourceRef): string {
  return ref.ids.length ? ref.ids.join('/') : 'global';
}

function fillTemplate(template: string, keys: string[], ids: string[]): string {
  if (ids.length !== keys.length) throw new Error(`expected ${keys.length} ids for ${template}, got ${ids.length}`);
  return keys.reduce((path, key, i) => path.replace(`{${key}}`, encodeURIComponent(ids[i])), template);
}

/** Service-relative ARM path of a resource. */
export function armPathOf(ref: ResourceRef): string {
  const type = resourceType(ref.kind);
  return fillTemplate(type.armPath, type.keys, ref.ids);
}

/** A repository path template's segments, each with the key it holds (if any) and what follows the key (`.yaml`). */
function templateSegments(template: string): Array<{ key?: string; prefix: string; suffix: string }> {
  return template.split('/').map((segment) => {
    const placeholder = /^(.*)\{(\w+)\}(.*)$/.exec(segment);
    return placeholder ? { prefix: placeholder[1], key: placeholder[2], suffix: placeholder[3] } : { prefix: segment, suffix: '' };
  });
}

/** A path template (`apis/{apiId}/api.yaml`) filled with ids, each as its file or folder name (see file-names.ts). */
export function fillWithFileNames(template: string, ids: Readonly<Record<string, string>>): string {
  return templateSegments(template)
    .map(({ key, prefix, suffix }) => (key === undefined ? prefix : prefix + fileNameOf(ids[key], suffix).name))
    .join('/');
}

/**
 * Repository path of a resource, when the repository manages it. What belongs to a non-current revision
 * (`orders;rev=2`) is in the revision's folder, `apis/orders/revisions/2/` (its definition is `revision.yaml`).
 */
export function repoPathOf(ref: ResourceRef): string | undefined {
  const type = resourceType(ref.kind);
  if (!type.repoPath) return undefined;
  const ids: Record<string, string> = Object.fromEntries(type.keys.map((key, i) => [key, ref.ids[i]]));
  const revision = ids.apiId === undefined ? undefined : revisionOf(ids.apiId);
  if (!revision) return fillWithFileNames(type.repoPath, ids);
  const apiFolder = fillWithFileNames('apis/{apiId}', { apiId: revision.apiId });
  const inApi = fillWithFileNames(type.repoPath, { ...ids, apiId: revision.apiId }).slice(apiFolder.length);
  return `${apiFolder}/revisions/${revision.revision}${inApi === '/api.yaml' ? '/revision.yaml' : inApi}`;
}

/**
 * Whether the name the resource's own id is kept under is shortened (see file-names.ts), so that its definition file
 * must say its `id:`.
 */
export function hasShortenedName(ref: ResourceRef): boolean {
  const type = resourceType(ref.kind);
  const own = type.keys[type.keys.length - 1];
  const segment = type.repoPath && templateSegments(type.repoPath).find(({ key }) => key === own);
  return segment ? fileNameOf(ref.ids[ref.ids.length - 1], segment.suffix).shortened : false;
}

/**
 * Kinds in dependency order: a kind comes after its parent and after every kind it references.
 * Creates and updates follow this order; deletes follow its reverse.
 */
export function kindsInDependencyOrder(): ResourceKind[] {
  const ordered: ResourceKind[] = [];
  const visiting = new Set<ResourceKind>();
  const visit = (kind: ResourceKind): void => {
    if (ordered.includes(kind)) return;
    if (visiting.has(kind)) throw new Error(`resource type cycle at ${kind}`);
    visiting.add(kind);
    const type = resourceType(kind);
    for (const dep of [...(type.parent ? [type.parent] : []), ...type.references]) visit(dep);
    visiting.delete(kind);
    ordered.push(kind);
  };
  RESOURCE_TYPES.forEach((t) => visit(t.kind));
  return ordered;
}
