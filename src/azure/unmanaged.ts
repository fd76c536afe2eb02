import type { ApimConnection } from './client';
import { isNotFound, listRaw, type RawEntity, type ReadOptions } from './resources';

/**
 * What an instance holds that apiops does not manage, so that extract can name it instead of dropping it silently.
 * Each entry lists one collection through the SDK; a collection the service does not have (404: a tier without
 * gateways, an emulator without the feature) counts as empty.
 */

type Pages = { byPage(): AsyncIterable<unknown> };

interface ServiceCollection {
  /** Plural label, as the warning says it. */
  label: string;
  list: (c: ApimConnection, options: ReadOptions) => Pages;
  /** Entities APIM creates itself on every instance, not someone's configuration. */
  builtIn?: (entity: RawEntity) => boolean;
}

const rg = (c: ApimConnection): string => c.scope.resourceGroup;
const svc = (c: ApimConnection): string => c.scope.serviceName;

const SERVICE_COLLECTIONS: ServiceCollection[] = [
  { label: 'gateways', list: (c, o) => c.client.gateway.listByService(rg(c), svc(c), o), builtIn: (e) => e.name === 'managed' },
  { label: 'workspaces', list: (c, o) => c.client.workspace.listByService(rg(c), svc(c), o) },
  { label: 'certificates', list: (c, o) => c.client.certificate.listByService(rg(c), svc(c), o) },
  { label: 'identity providers', list: (c, o) => c.client.identityProvider.listByService(rg(c), svc(c), o) },
  { label: 'OAuth 2.0 authorization servers', list: (c, o) => c.client.authorizationServer.listByService(rg(c), svc(c), o) },
  { label: 'OpenID Connect providers', list: (c, o) => c.client.openIdConnectProvider.listByService(rg(c), svc(c), o) },
  { label: 'external caches', list: (c, o) => c.client.cache.listByService(rg(c), svc(c), o) },
  { label: 'credential manager authorization providers', list: (c, o) => c.client.authorizationProvider.listByService(rg(c), svc(c), o) },
  { label: 'policy restrictions', list: (c, o) => c.client.policyRestriction.listByService(rg(c), svc(c), o) },
  { label: 'documentations', list: (c, o) => c.client.documentation.listByService(rg(c), svc(c), o) },
  // User 1 is the administrator every instance has.
  { label: 'users', list: (c, o) => c.client.user.listByService(rg(c), svc(c), o), builtIn: (e) => e.name === '1' },
];

/** Import-generated API schemas (from an OpenAPI, Swagger, WSDL or GraphQL document): re-created by publishing the specification. */
const IMPORTED_SCHEMA_TYPES = [
  'application/vnd.oai.openapi.components+json',
  'application/vnd.ms-azure-apim.swagger.definitions+json',
  'application/vnd.ms-azure-apim.xsd+xml',
  'application/vnd.ms-azure-apim.graphql.schema',
];

interface ApiCollection {
  label: string;
  list: (c: ApimConnection, apiId: string, options: ReadOptions) => Pages;
  /** Entries that the repository does hold in another form. */
  represented?: (entity: RawEntity) => boolean;
}

const API_COLLECTIONS: ApiCollection[] = [
  {
    label: 'non-current revisions',
    list: (c, apiId, o) => c.client.apiRevision.listByService(rg(c), svc(c), apiId, o),
    represented: (e) => fieldsOf(e).isCurrent === true,
  },
  { label: 'releases', list: (c, apiId, o) => c.client.apiRelease.listByService(rg(c), svc(c), apiId, o) },
  {
    label: 'schemas',
    list: (c, apiId, o) => c.client.apiSchema.listByApi(rg(c), svc(c), apiId, o),
    represented: (e) => IMPORTED_SCHEMA_TYPES.includes(String(fieldsOf(e).contentType ?? '')),
  },
  { label: 'GraphQL resolvers', list: (c, apiId, o) => c.client.graphQLApiResolver.listByApi(rg(c), svc(c), apiId, o) },
];

async function listOrNone(start: (options: ReadOptions) => Pages): Promise<RawEntity[]> {
  try {
    return await listRaw(start);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

export interface UnmanagedResources {
  /** `gateways`, or `apis/orders: releases`. */
  what: string;
  names: string[];
}

/** Fields of an entry: under `properties`, or at the top for the few contracts that are not ARM resources (revisions). */
function fieldsOf(entity: RawEntity): Record<string, unknown> {
  return entity.properties ?? (entity as Record<string, unknown>);
}

/** A revision entry names its API as `orders;rev=2`; other entries by their own name. */
function nameOf(entity: RawEntity): string {
  const apiId = fieldsOf(entity).apiId;
  return typeof apiId === 'string' && apiId.includes(';rev=') ? apiId.slice(apiId.lastIndexOf('/') + 1) : (entity.name ?? '?');
}

/** The resources of the instance apiops does not manage: service collections, and per API (`apiIds`) its sub-collections. */
export async function readUnmanaged(c: ApimConnection, apiIds: string[]): Promise<UnmanagedResources[]> {
  const service = SERVICE_COLLECTIONS.map(async (collection) => {
    const found = await listOrNone((o) => collection.list(c, o));
    return { what: collection.label, names: found.filter((e) => !collection.builtIn?.(e)).map(nameOf) };
  });
  const perApi = apiIds.flatMap((apiId) =>
    API_COLLECTIONS.map(async (collection) => {
      const found = await listOrNone((o) => collection.list(c, apiId, o));
      return { what: `apis/${apiId}: ${collection.label}`, names: found.filter((e) => !collection.represented?.(e)).map(nameOf) };
    }),
  );
  return (await Promise.all([...service, ...perApi])).filter((entry) => entry.names.length > 0);
}
