import type { ApimConnection } from './client';
import { isNotFound, listRaw, type RawEntity, type ReadOptions } from './resources';

/**
 * What an instance holds that apiops does not manage (its API-level resources it all manages), so that extract can name it instead of dropping it silently.
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
  { label: 'global schemas', list: (c, o) => c.client.globalSchema.listByService(rg(c), svc(c), o) },
  { label: 'portal revisions', list: (c, o) => c.client.portalRevision.listByService(rg(c), svc(c), o) },
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

async function listOrNone(start: (options: ReadOptions) => Pages): Promise<RawEntity[]> {
  try {
    return await listRaw(start);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

export interface UnmanagedResources {
  /** `gateways`, `certificates`… */
  what: string;
  names: string[];
}

/** The resources of the instance apiops does not manage, per service collection. */
export async function readUnmanaged(c: ApimConnection): Promise<UnmanagedResources[]> {
  const found = SERVICE_COLLECTIONS.map(async (collection) => {
    const entities = await listOrNone((o) => collection.list(c, o));
    return { what: collection.label, names: entities.filter((e) => !collection.builtIn?.(e)).map((e) => e.name ?? '?') };
  });
  return (await Promise.all(found)).filter((entry) => entry.names.length > 0);
}
