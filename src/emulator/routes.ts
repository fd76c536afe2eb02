import { RESOURCE_TYPES, type ResourceKind, type ResourceType } from '../resources/types';

/**
 * The emulator's route table: every ARM collection it serves, as data. Managed kinds come straight from the
 * shared resource table (src/resources/types.ts); the rest are resources apiops only reads or links through.
 * A route's template is service-relative and alternates collection and name segments
 * (`apis/{apiId}/operations/{operationId}`); a singleton's last segment is a literal (`policies/policy`).
 */

export type WriteMethod = 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  template: string;
  /** Name used in messages: "Api not found." */
  label: string;
  armType: string;
  kind?: ResourceKind;
  longRunning: WriteMethod[];
  requiredProperties: string[];
  /** Links have no ETag of their own to match: DELETE needs no If-Match, PATCH does not exist. */
  link: boolean;
  policy: boolean;
  /** Key segment names, outermost first. */
  keys: string[];
}

/** Azure's resource type: the collection segments of the template (`apis/operations`). */
function derivedArmType(template: string): string {
  const collections = template.split('/').filter((_, i) => i % 2 === 0);
  return `Microsoft.ApiManagement/service/${collections.join('/')}`;
}

function keysOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}

const LABELS: Partial<Record<ResourceKind, string>> = {
  namedValue: 'NamedValue',
  backend: 'Backend',
  policyFragment: 'PolicyFragment',
  globalPolicy: 'Policy',
  apiVersionSet: 'ApiVersionSet',
  api: 'Api',
  apiOperation: 'Operation',
  apiPolicy: 'Policy',
  operationPolicy: 'Policy',
  group: 'Group',
  product: 'Product',
  productApi: 'Api',
  productGroup: 'Group',
  productPolicy: 'Policy',
  subscription: 'Subscription',
  logger: 'Logger',
  diagnostic: 'Diagnostic',
  apiDiagnostic: 'Diagnostic',
  tag: 'Tag',
  apiTag: 'Tag',
  productTag: 'Tag',
  operationTag: 'Tag',
  apiRelease: 'ApiRelease',
  apiSchema: 'Schema',
  graphQLResolver: 'Resolver',
  resolverPolicy: 'Policy',
};

const ARM_TYPE_OVERRIDES: Record<string, string> = {
  apiVersionSets: 'Microsoft.ApiManagement/service/api-version-sets',
};

/** A tag assigned to an API, operation or product reads as the tag itself. */
const TAG_TYPE = 'Microsoft.ApiManagement/service/tags';

const KIND_ARM_TYPES: Partial<Record<ResourceKind, string>> = { apiTag: TAG_TYPE, productTag: TAG_TYPE, operationTag: TAG_TYPE };

function fromResourceType(type: ResourceType): Route {
  return {
    template: type.armPath,
    label: LABELS[type.kind] ?? type.kind,
    armType: KIND_ARM_TYPES[type.kind] ?? ARM_TYPE_OVERRIDES[type.armPath.split('/')[0]] ?? derivedArmType(type.armPath),
    kind: type.kind,
    longRunning: type.longRunning ?? [],
    requiredProperties: type.requiredProperties ?? [],
    link: Boolean(type.link),
    policy: Boolean(type.policy),
    keys: type.keys,
  };
}

function extra(template: string, label: string, requiredProperties: string[], link = true, armType = derivedArmType(template)): Route {
  return { template, label, armType, longRunning: [], requiredProperties, link, policy: false, keys: keysOf(template) };
}

/** Routes outside the shared table: link resources and tag assignments (read by extract, joined by publish). */
const EXTRA_ROUTES: Route[] = [
  extra('products/{productId}/apiLinks/{apiLinkId}', 'ProductApiLink', ['apiId']),
  extra('products/{productId}/groupLinks/{groupLinkId}', 'ProductGroupLink', ['groupId']),
  extra('tags/{tagId}/apiLinks/{apiLinkId}', 'TagApiLink', ['apiId']),
  extra('tags/{tagId}/operationLinks/{operationLinkId}', 'TagOperationLink', ['operationId']),
  extra('tags/{tagId}/productLinks/{productLinkId}', 'TagProductLink', ['productId']),
  extra('products/{productId}/subscriptions/{sid}', 'Subscription', []),
  extra('apis/{apiId}/products/{productId}', 'Product', []),
  extra('users/{userId}', 'User', ['email', 'firstName', 'lastName'], false),
  // Held by real instances, not managed by apiops: served so that extract's warning about them can be seen.
  extra('gateways/{gatewayId}', 'Gateway', ['locationData'], false),
  extra('certificates/{certificateId}', 'Certificate', [], false),
  extra('schemas/{schemaId}', 'Schema', ['schemaType'], false),
  // A read-only view: one entry per revision of the API.
  extra('apis/{apiId}/revisions/{revisionId}', 'ApiRevision', []),
  // A read-only view: the tag links of an API's operations, one entry per link (Operation - List By Tags).
  extra('apis/{apiId}/operationsByTags/{tagResourceId}', 'TagResource', []),
];

export const ROUTES: Route[] = [...RESOURCE_TYPES.map(fromResourceType), ...EXTRA_ROUTES];

export interface RouteMatch {
  route: Route;
  /** Key values by key name, decoded. */
  params: Record<string, string>;
  /** Values of the template's name segments in order (keys and literal singleton names). */
  names: string[];
  /** `entity` for `…/{id}`, `collection` for the list path, `action` for `…/{id}/<action>` (POST). */
  mode: 'entity' | 'collection' | 'action';
  action?: string;
}

const SPLIT_ROUTES = ROUTES.map((route) => ({ route, segments: route.template.split('/') }));

function segmentMatches(templateSegment: string, segment: string): boolean {
  return templateSegment.startsWith('{') || templateSegment.toLowerCase() === segment.toLowerCase();
}

/** Matches decoded service-relative path segments to a route. */
export function matchRoute(segments: string[]): RouteMatch | undefined {
  for (const mode of ['entity', 'collection', 'action'] as const) {
    for (const { route, segments: template } of SPLIT_ROUTES) {
      const length = mode === 'entity' ? template.length : mode === 'collection' ? template.length - 1 : template.length + 1;
      if (segments.length !== length) continue;
      const compared = Math.min(template.length, segments.length);
      let ok = true;
      for (let i = 0; i < compared && ok; i += 1) ok = segmentMatches(template[i], segments[i]);
      if (!ok) continue;
      const params: Record<string, string> = {};
      const names: string[] = [];
      for (let i = 1; i < compared; i += 2) {
        if (template[i].startsWith('{')) params[template[i].slice(1, -1)] = segments[i];
        names.push(segments[i]);
      }
      return { route, params, names, mode, action: mode === 'action' ? segments[segments.length - 1] : undefined };
    }
  }
  return undefined;
}

/** Storage path of the collection that holds a route's entities, given the names of its ancestors. */
export function collectionPath(route: Route, names: string[]): string {
  const segments = route.template.split('/');
  const parts: string[] = [];
  for (let i = 0; i < segments.length - 1; i += 1) parts.push(i % 2 === 0 ? segments[i] : names[(i - 1) / 2]);
  return parts.join('/');
}

export function routeOf(kindOrTemplate: string): Route {
  const route = ROUTES.find((r) => r.kind === kindOrTemplate || r.template === kindOrTemplate);
  if (!route) throw new Error(`no emulator route ${kindOrTemplate}`);
  return route;
}
