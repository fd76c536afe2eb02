import { invalidField } from './errors';
import type { ArmRequest } from './engine';
import { collectionPath, matchRoute, type RouteMatch } from './routes';
import type { Entity, ServiceState } from './store';

/** Resource ids inside one service: full ARM ids, service-relative ids (`/apis/x`), and their comparison. */

/** The names along a path (`apis/a%3Bb` gives `apis`, `a;b`); undefined when an escape is malformed (`%zz`). */
export function pathSegments(path: string): string[] | undefined {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** `/apis/echo-api` from a full ARM id or a service-relative one; undefined when it names another service. */
export function relativeId(request: ArmRequest, id: string): string | undefined {
  if (!id.startsWith('/subscriptions/')) return id.startsWith('/') ? id : `/${id}`;
  if (!id.toLowerCase().startsWith(request.servicePath.toLowerCase())) return undefined;
  const rest = id.slice(request.servicePath.length);
  return rest === '' || rest.startsWith('/') ? rest : undefined;
}

/** Whether two ids name one entity: ARM ids are case-insensitive, and `a;rev=2` may arrive as `a%3Brev%3D2`. */
export function sameId(request: ArmRequest, a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const left = canonicalId(request, a);
  return left !== undefined && left === canonicalId(request, b);
}

/** The form of an id that sameId compares (service-relative, decoded, lower-cased); undefined for another service's. */
export function canonicalId(request: ArmRequest, id: string): string | undefined {
  const relative = relativeId(request, id);
  return relative === undefined ? undefined : pathSegments(relative)?.join('/').toLowerCase();
}

export interface ResolvedId {
  match: RouteMatch;
  entity: Entity;
  fullId: string;
}

/** Resolves an id property (`apiId`, `scope`…) to an existing entity of the expected route, or 400. */
export function resolveReference(request: ArmRequest, property: string, id: unknown, template: string): ResolvedId {
  const relative = typeof id === 'string' ? relativeId(request, id) : undefined;
  const segments = relative ? pathSegments(relative) : undefined;
  const match = segments ? matchRoute(segments) : undefined;
  if (!relative || !match || match.mode !== 'entity' || match.route.template !== template) {
    throw invalidField(property, `'${String(id)}' is not a valid ${property}.`);
  }
  const entity = request.service.get(collectionPath(match.route, match.names), match.names[match.names.length - 1]);
  if (!entity) throw invalidField(property, `${match.route.label} '${relative}' could not be found.`);
  return { match, entity, fullId: `${request.servicePath}${relative}` };
}

/** Service-relative path of an entity in a stored (lowercased) collection, with each name in its stored case. */
export function displayPath(service: ServiceState, collection: string, entity: Entity): string {
  const segments = collection.split('/');
  const cased: string[] = [];
  for (let i = 0; i < segments.length; i += 1) {
    if (i % 2 === 0) {
      cased.push(segments[i]);
      continue;
    }
    const parent = service.get(cased.slice(0, i).join('/'), segments[i]);
    cased.push(parent?.name ?? segments[i]);
  }
  return `/${[...cased, entity.name].join('/')}`;
}
