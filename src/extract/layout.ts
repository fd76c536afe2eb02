import type { LiveResource, LiveState } from '../azure/live-state';
import type { ResourceKind } from '../resources/types';
import { hasShortenedName, repoPathOf, revisionOf, type ResourceRef } from '../resources/types';
import { GRAPHQL_SCHEMA } from '../render/api-types';
import {
  API_SHAPE,
  API_VERSION_SET_SHAPE,
  DIAGNOSTIC_SHAPE,
  diagnosticDefinition,
  GROUP_SHAPE,
  groupDefinition,
  LOGGER_SHAPE,
  loggerDefinition,
  SUBSCRIPTION_SHAPE,
  subscriptionDefinition,
  versionSetDefinition,
  apiDefinition,
  apiSchemaDefinition,
  API_SCHEMA_SHAPE,
  resolverDefinition,
  RESOLVER_SHAPE,
  revisionDefinition,
  REVISION_SHAPE,
  unrepresentedApiSettings,
  BACKEND_SHAPE,
  backendDefinition,
  NAMED_VALUE_SHAPE,
  namedValueDefinition,
  PRODUCT_SHAPE,
  productDefinition,
  type DefinitionShape,
} from './definitions';
import { apiFolderOf, type ExistingRepository } from './existing';
import type { LiveOperation } from './openapi';
import type { TemplateContext } from '../policy';
import { livePolicy, policyFileText, type PolicyKind } from './policies';
import { specificationMatches } from './specification';
import { freshYaml, mergeYaml } from './yaml-files';

/**
 * Live state → repository files. Pure apart from reading the existing repository: the result is every file's
 * new text, plus the APIs whose specification must still be exported (the only part that needs more requests).
 */

export class LiveIndex {
  private readonly byKind = new Map<ResourceKind, LiveResource[]>();
  /** Child resources by kind, then by their parent's id (the first id). */
  private readonly byParent = new Map<ResourceKind, Map<string, LiveResource[]>>();

  constructor(state: LiveState) {
    const sorted = [...state.resources].sort((a, b) => a.ref.ids.join('/').localeCompare(b.ref.ids.join('/')));
    for (const resource of sorted) {
      const { kind, ids } = resource.ref;
      if (!this.byKind.has(kind)) this.byKind.set(kind, []);
      this.byKind.get(kind)!.push(resource);
      if (ids.length < 2) continue;
      if (!this.byParent.has(kind)) this.byParent.set(kind, new Map());
      const siblings = this.byParent.get(kind)!;
      if (!siblings.has(ids[0])) siblings.set(ids[0], []);
      siblings.get(ids[0])!.push(resource);
    }
  }

  of(kind: ResourceKind): LiveResource[] {
    return this.byKind.get(kind) ?? [];
  }

  /** Resources of `kind` under the parent `parentId` (e.g. the operations of one API). */
  under(kind: ResourceKind, parentId: string): LiveResource[] {
    return this.byParent.get(kind)?.get(parentId) ?? [];
  }

  /** The one resource of a kind whose only id is `id` (a top-level resource or a parent's policy). */
  find(kind: ResourceKind, id: string): LiveResource | undefined {
    return this.of(kind).find((resource) => resource.ref.ids.length === 1 && resource.ref.ids[0] === id);
  }
}

const MASTER_SUBSCRIPTION = 'master';

function specificationKindOf(file: string): PendingKind {
  const extension = /\.([^./]+)$/.exec(file)?.[1]?.toLowerCase();
  return extension === 'wsdl' || extension === 'wadl' ? extension : 'openapi';
}

/**
 * The release that made the API's current revision current (the latest naming it), for api.yaml; the other releases'
 * ids are the API's history.
 */
function currentRelease(api: LiveResource, releases: LiveResource[]): { release?: { id: string; notes?: string }; history: string[] } {
  const current = String(api.properties.apiRevision ?? '1');
  const naming = releases
    .filter((release) => (revisionOf(String(release.properties.apiId ?? '').split('/').pop() ?? '')?.revision ?? current) === current)
    .sort((a, b) => String(b.properties.createdDateTime ?? '').localeCompare(String(a.properties.createdDateTime ?? '')));
  const chosen = naming[0];
  const notes = chosen && typeof chosen.properties.notes === 'string' && chosen.properties.notes ? chosen.properties.notes : undefined;
  return {
    release: chosen && { id: chosen.ref.ids[1], ...(notes === undefined ? {} : { notes }) },
    history: releases.filter((release) => release !== chosen).map((release) => release.ref.ids[1]),
  };
}

/** The name a tag link's file gives the tag: its display name (the repository derives ids from names). */
function tagName(link: LiveResource): string {
  return String(link.properties.displayName ?? link.ref.ids[link.ref.ids.length - 1]);
}

/** What a specification's export asks for: the document kind its file holds, or (a new file) whichever the instance gives. */
export type PendingKind = 'openapi' | 'wsdl' | 'wadl' | 'any';

export interface PendingSpecification {
  apiId: string;
  /** The API's (or revision's) folder. */
  folder: string;
  /** The existing specification file; absent: the export decides (openapi.yaml, api.wsdl, api.wadl). */
  file?: string;
  kind: PendingKind;
  api: Record<string, unknown>;
  operations: LiveOperation[];
}

export interface RepositoryLayout {
  files: Map<string, string>;
  pendingSpecifications: PendingSpecification[];
  warnings: string[];
}

/**
 * `partial`: only part of the instance was read (a selection), so a backend that was not read may still exist
 * and the repository's own definition of it stands.
 */
const ADMINISTRATORS = 'administrators';

export function layoutRepository(live: LiveIndex, existing: ExistingRepository, context: TemplateContext, partial: boolean): RepositoryLayout {
  const files = new Map<string, string>();
  const pendingSpecifications: PendingSpecification[] = [];
  const warnings: string[] = [];

  /** The resource's definition file; one whose name is shortened says the resource's id. */
  const yamlFile = (ref: ResourceRef, definition: object, shape: DefinitionShape): void => {
    const file = repoPathOf(ref) as string;
    const withId = hasShortenedName(ref) ? { id: ref.ids[ref.ids.length - 1], ...definition } : definition;
    const current = existing.read(file);
    if (current === undefined) {
      files.set(file, freshYaml(file, withId, shape));
      return;
    }
    const merged = mergeYaml(file, current, withId, shape, context);
    files.set(file, merged.text);
    warnings.push(...merged.warnings);
  };
  const policyFile = (resource: LiveResource | undefined, kind: PolicyKind = 'scope'): void => {
    const live = resource && livePolicy(resource.properties);
    if (!resource || !live) return;
    const file = repoPathOf(resource.ref) as string;
    const result = policyFileText(file, live, kind, existing.read(file), context);
    files.set(file, result.text);
    if (result.warning) warnings.push(result.warning);
  };

  for (const resource of live.of('namedValue')) {
    const [id] = resource.ref.ids;
    const file = repoPathOf(resource.ref) as string;
    const envVar = existing.yamlField(file, 'valueFromEnv');
    yamlFile(resource.ref, namedValueDefinition(id, resource.properties, typeof envVar === 'string' ? envVar : undefined), NAMED_VALUE_SHAPE);
  }

  const backendUrls = new Map<string, unknown>();
  for (const resource of live.of('backend')) {
    const { definition, withheld } = backendDefinition(resource.properties);
    backendUrls.set(resource.ref.ids[0], definition.url);
    const file = repoPathOf(resource.ref) as string;
    if (withheld.length) {
      warnings.push(
        `${file}: literal credentials not written (${withheld.join(', ')}): marked as kept on the instance, which publish preserves; ` +
          'better keep them in a secret named value and reference it as {{name}}',
      );
    }
    yamlFile(resource.ref, definition, BACKEND_SHAPE);
  }

  const backendUrl = (id: string): unknown =>
    backendUrls.has(id) || !partial ? backendUrls.get(id) : existing.yamlField(repoPathOf({ kind: 'backend', ids: [id] }) as string, 'url');

  for (const resource of live.of('apiVersionSet')) yamlFile(resource.ref, versionSetDefinition(resource.properties), API_VERSION_SET_SHAPE);
  // The system groups are APIM's own: products reference them by id, the repository never defines them.
  for (const resource of live.of('group').filter((group) => group.properties.builtIn !== true)) {
    yamlFile(resource.ref, groupDefinition(resource.properties), GROUP_SHAPE);
  }
  for (const resource of live.of('logger')) {
    const file = repoPathOf(resource.ref) as string;
    const { definition, withheld } = loggerDefinition(resource.properties);
    if (withheld.length) {
      warnings.push(`${file}: literal credentials not written (${withheld.join(', ')}): keep them in a secret named value and write credentials as {{name}}`);
    }
    yamlFile(resource.ref, definition, LOGGER_SHAPE);
  }
  for (const resource of [...live.of('diagnostic'), ...live.of('apiDiagnostic')]) {
    yamlFile(resource.ref, diagnosticDefinition(resource.properties), DIAGNOSTIC_SHAPE);
  }
  // The built-in all-access subscription (`master`) is the service's own.
  for (const resource of live.of('subscription').filter((subscription) => subscription.ref.ids[0] !== MASTER_SUBSCRIPTION)) {
    const file = repoPathOf(resource.ref) as string;
    const keys = { primaryKeyFromEnv: existing.yamlField(file, 'primaryKeyFromEnv'), secondaryKeyFromEnv: existing.yamlField(file, 'secondaryKeyFromEnv') };
    yamlFile(resource.ref, subscriptionDefinition(resource.properties, keys), SUBSCRIPTION_SHAPE);
  }

  for (const resource of live.of('policyFragment')) {
    policyFile(resource, 'fragment');
    // The repository keeps a fragment as its XML alone.
    if (typeof resource.properties.description === 'string' && resource.properties.description) {
      warnings.push(`${repoPathOf(resource.ref)}: its description is not managed by apiops (left out)`);
    }
  }
  for (const resource of live.of('globalPolicy')) policyFile(resource);

  for (const api of live.of('api')) {
    const [apiId] = api.ref.ids;
    const revision = revisionOf(apiId);
    const apiFile = repoPathOf(api.ref) as string;
    const type = (revision ? live.find('api', revision.apiId) : api)?.properties.type;
    const operations: LiveOperation[] = live.under('apiOperation', apiId).map((operation) => ({ id: operation.ref.ids[1], properties: operation.properties }));
    if (type === 'graphql') {
      // A GraphQL API's specification is its SDL, which the instance holds as the API schema `graphql`.
      const sdl = (live.under('apiSchema', apiId).find((schema) => schema.ref.ids[1].toLowerCase() === GRAPHQL_SCHEMA.id)?.properties.document as { value?: unknown } | undefined)?.value;
      const file = existing.specificationFile(apiId) ?? `${apiFolderOf(apiId)}/schema.graphql`;
      if (typeof sdl === 'string') files.set(file, sdl);
    } else if (type !== 'websocket') {
      const currentSpecification = existing.specification(apiId);
      const specificationFile = existing.specificationFile(apiId);
      if (specificationFile && currentSpecification && specificationMatches(currentSpecification, operations)) {
        // As written: the loaded specification's text is what import sends (a YAML Swagger file becomes JSON).
        files.set(specificationFile, existing.read(specificationFile)!);
      } else {
        const kind = specificationFile ? specificationKindOf(specificationFile) : type === 'soap' ? 'wsdl' : 'any';
        pendingSpecifications.push({ apiId, folder: apiFolderOf(apiId), file: specificationFile, kind, api: api.properties, operations });
      }
    }
    policyFile(live.find('apiPolicy', apiId));
    for (const operationPolicy of live.under('operationPolicy', apiId)) policyFile(operationPolicy);
    if (revision) {
      yamlFile(api.ref, revisionDefinition(api.properties, live.find('api', revision.apiId)?.properties), REVISION_SHAPE);
      continue;
    }
    warnings.push(...unrepresentedApiSettings(apiFile, api.properties));
    const tags = live.under('apiTag', apiId).map(tagName);
    const operationTags: Record<string, string[]> = {};
    for (const link of live.under('operationTag', apiId)) (operationTags[link.ref.ids[1]] ??= []).push(tagName(link));
    const { release, history } = currentRelease(api, live.under('apiRelease', apiId));
    if (history.length) warnings.push(`${apiFile}: releases of earlier revisions are history, not kept in the repository (${history.join(', ')})`);
    const definition: Record<string, unknown> = { ...apiDefinition(api.properties, tags, operationTags, release) };
    // An API that names a backend keeps doing so while that backend's url is the API's service url.
    const backend = existing.yamlField(apiFile, 'backend');
    if (typeof backend === 'string' && definition.serviceUrl !== undefined && definition.serviceUrl === backendUrl(backend)) {
      delete definition.serviceUrl;
      definition.backend = backend;
    }
    yamlFile(api.ref, definition, API_SHAPE);
    for (const schema of live.under('apiSchema', apiId)) {
      if (type === 'graphql' && schema.ref.ids[1].toLowerCase() === GRAPHQL_SCHEMA.id) continue;
      yamlFile(schema.ref, apiSchemaDefinition(schema.properties), API_SCHEMA_SHAPE);
    }
    for (const resolver of live.under('graphQLResolver', apiId)) yamlFile(resolver.ref, resolverDefinition(resolver.properties), RESOLVER_SHAPE);
    for (const resolverPolicy of live.under('resolverPolicy', apiId)) policyFile(resolverPolicy, 'resolver');
  }

  for (const product of live.of('product')) {
    const [productId] = product.ref.ids;
    const apis = live.under('productApi', productId).map((link) => link.ref.ids[1]);
    const productFile = repoPathOf(product.ref) as string;
    // APIM links every new product to Administrators itself (and plan leaves that link alone): the repository lists
    // it only where it already did.
    const listed = existing.yamlField(productFile, 'groups');
    const keepsAdministrators = Array.isArray(listed) && listed.some((group) => String(group).toLowerCase() === ADMINISTRATORS);
    const groups = live.under('productGroup', productId).map((link) => link.ref.ids[1]).filter((group) => keepsAdministrators || group.toLowerCase() !== ADMINISTRATORS);
    yamlFile(product.ref, productDefinition(product.properties, apis, groups, live.under('productTag', productId).map(tagName)), PRODUCT_SHAPE);
    policyFile(live.find('productPolicy', productId));
  }

  return { files, pendingSpecifications, warnings };
}
