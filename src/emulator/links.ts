import { armBody, idSegment, quoted, resourceId, listReply, type ArmRequest, type Behaviour, type BehaviourTable, type EmulatorEnv, type EntityInput, type Prepared, type Reply, type WriteInput } from './engine';
import { notFound } from './errors';
import { canonicalId, pathSegments, relativeId, resolveReference } from './ids';
import { matchRoute, routeOf, type RouteMatch } from './routes';
import type { ServiceState } from './store';

/**
 * Links between resources. Each relation is stored once, as link entities under the holder
 * (`products/{p}/apiLinks/{link}` with `properties.apiId`); the classic paths (`products/{p}/apis/{a}`,
 * `apis/{a}/tags/{t}`…) are views over the same links, so both APIs see the same state.
 */

interface Relation {
  /** Holder entity route, e.g. `products/{productId}`. */
  holder: string;
  /** Link collection under the holder, e.g. `apiLinks`. */
  links: string;
  /** Linked entity route, e.g. `apis/{apiId}`. */
  member: string;
  idProperty: string;
}

const RELATIONS: Relation[] = [
  { holder: 'products/{productId}', links: 'apiLinks', member: 'apis/{apiId}', idProperty: 'apiId' },
  { holder: 'products/{productId}', links: 'groupLinks', member: 'groups/{groupId}', idProperty: 'groupId' },
  { holder: 'tags/{tagId}', links: 'apiLinks', member: 'apis/{apiId}', idProperty: 'apiId' },
  { holder: 'tags/{tagId}', links: 'operationLinks', member: 'apis/{apiId}/operations/{operationId}', idProperty: 'operationId' },
  { holder: 'tags/{tagId}', links: 'productLinks', member: 'products/{productId}', idProperty: 'productId' },
];

const linkTemplate = (r: Relation): string => `${r.holder}/${r.links}/{linkId}`;

function pathOf(template: string, names: string[]): string {
  let i = 0;
  return template.replace(/\{\w+\}/g, () => names[i++]);
}

function holderCollection(r: Relation): string {
  return r.holder.split('/')[0];
}

function linkCollection(r: Relation, holderName: string): string {
  return `${holderCollection(r)}/${holderName}/${r.links}`;
}

function memberId(request: ArmRequest, r: Relation, memberNames: string[]): string {
  return `${request.servicePath}/${pathOf(r.member, memberNames.map(idSegment))}`;
}

function linkBehaviour(r: Relation): Behaviour {
  return {
    prepare({ request, properties }: WriteInput): Prepared {
      const resolved = resolveReference(request, r.idProperty, properties[r.idProperty], r.member);
      return { properties: { ...properties, [r.idProperty]: resolved.fullId } };
    },
  };
}

/** A classic path presented as a view over a relation's links. */
interface ClassicView {
  template: string;
  relation: Relation;
  /** Positions of the holder's and the member's names among the path's names. */
  holderAt: number;
  memberAt: number[];
  shows: 'holder' | 'member';
  /** Only listed (the products that hold an API). */
  readOnly?: boolean;
}

const CLASSIC_VIEWS: ClassicView[] = [
  { template: 'products/{productId}/apis/{apiId}', relation: RELATIONS[0], holderAt: 0, memberAt: [1], shows: 'member' },
  { template: 'products/{productId}/groups/{groupId}', relation: RELATIONS[1], holderAt: 0, memberAt: [1], shows: 'member' },
  { template: 'apis/{apiId}/tags/{tagId}', relation: RELATIONS[2], holderAt: 1, memberAt: [0], shows: 'holder' },
  { template: 'apis/{apiId}/operations/{operationId}/tags/{tagId}', relation: RELATIONS[3], holderAt: 2, memberAt: [0, 1], shows: 'holder' },
  { template: 'products/{productId}/tags/{tagId}', relation: RELATIONS[4], holderAt: 1, memberAt: [0], shows: 'holder' },
  { template: 'apis/{apiId}/products/{productId}', relation: RELATIONS[0], holderAt: 1, memberAt: [0], shows: 'holder', readOnly: true },
];

function findLinks(request: ArmRequest, r: Relation, holderName: string | undefined, memberNames: string[] | undefined) {
  const service = request.service;
  const holders = holderName !== undefined ? [holderName] : service.list(holderCollection(r)).map((e) => e.name);
  const found: Array<{ holder: string; link: string; memberId: string }> = [];
  const wanted = memberNames && canonicalId(request, memberId(request, r, memberNames));
  for (const holder of holders) {
    for (const link of service.list(linkCollection(r, holder))) {
      const id = String(link.properties[r.idProperty]);
      if (memberNames && (wanted === undefined || canonicalId(request, id) !== wanted)) continue;
      found.push({ holder, link: link.name, memberId: id });
    }
  }
  return found;
}

function namesOfId(request: ArmRequest, id: string): string[] {
  const relative = relativeId(request, id) ?? '';
  const segments = pathSegments(relative);
  return (segments && matchRoute(segments)?.names) ?? [];
}

function entityAt(service: ServiceState, template: string, names: string[]) {
  const segments = pathOf(template, names).split('/');
  return service.get(segments.slice(0, -1).join('/'), segments[segments.length - 1]);
}

function classicHandler(view: ClassicView) {
  const r = view.relation;
  const shownTemplate = view.shows === 'holder' ? r.holder : r.member;
  const shownRoute = routeOf(shownTemplate);
  const viewRoute = routeOf(view.template);
  return (match: RouteMatch, request: ArmRequest, env: EmulatorEnv, behaviours: BehaviourTable): Reply => {
    const { names, mode } = match;
    const service = request.service;
    // Azure names a tag assignment, and a product holding an API, by the tag's or product's own id; a new product
    // link answers with the API's or group's own id, while listing a product's links names them under the product.
    const ownId = view.shows === 'holder' || request.method === 'PUT';
    const present = (shownNames: string[], pathNames: string[]) => {
      const entity = entityAt(service, shownTemplate, shownNames);
      if (!entity) return undefined;
      const body = armBody(request, viewRoute, pathNames, entity, behaviours.get(shownTemplate));
      if (ownId) body.id = resourceId(request, shownRoute, [...shownNames.slice(0, -1), entity.name]);
      return body;
    };
    const known = (i: number) => i < names.length;
    const holderName = known(view.holderAt) ? names[view.holderAt] : undefined;
    const memberNames = view.memberAt.every(known) ? view.memberAt.map((i) => names[i]) : undefined;
    // The path's owner (first names) must exist.
    const ownerTemplate = view.shows === 'member' ? r.holder : r.member;
    const ownerNames = view.shows === 'member' ? [names[view.holderAt]] : view.memberAt.map((i) => names[i]);
    if (!entityAt(service, ownerTemplate, ownerNames)) throw notFound(routeOf(ownerTemplate).label);

    if (mode === 'collection') {
      if (request.method !== 'GET') throw notFound(viewRoute.label);
      const items = findLinks(request, r, holderName, memberNames).flatMap((l) => {
        const shownNames = view.shows === 'holder' ? [l.holder] : namesOfId(request, l.memberId);
        const pathNames = [...names, shownNames[shownNames.length - 1]];
        const body = present(shownNames, pathNames);
        return body ? [body] : [];
      });
      return listReply(request, env, items);
    }
    if (mode !== 'entity' || view.readOnly) throw notFound(viewRoute.label);
    const shownNames = view.shows === 'holder' ? [holderName as string] : (memberNames as string[]);
    const shown = entityAt(service, shownTemplate, shownNames);
    const links = findLinks(request, r, holderName, memberNames);
    switch (request.method) {
      case 'GET':
      case 'HEAD': {
        if (!links.length || !shown) throw notFound(viewRoute.label);
        // APIM answers a link check with 204, a tag-assignment check with the tag's ETag.
        if (request.method === 'HEAD') return view.shows === 'member' ? { status: 204 } : { status: 200, headers: { ETag: quoted(shown.etag) } };
        return { status: 200, headers: { ETag: quoted(shown.etag) }, body: present(shownNames, names) };
      }
      case 'PUT': {
        if (!shown) throw notFound(shownRoute.label);
        // Its members exist, so their names already passed APIM's rules; the link's own name is ours.
        const linkName = (memberNames as string[]).join('-');
        if (links.length) return { status: 200, body: present(shownNames, names) };
        service.put(linkCollection(r, holderName as string), linkName, { [r.idProperty]: memberId(request, r, memberNames as string[]) });
        return { status: 201, body: present(shownNames, names) };
      }
      case 'DELETE': {
        if (!links.length) return { status: 204 };
        for (const link of links) service.delete(linkCollection(r, link.holder), link.link);
        return { status: 200 };
      }
      default:
        throw notFound(viewRoute.label);
    }
  };
}

/** Deleting an API, operation, group or product removes the links that point at it, as APIM does. */
export function removeLinksTo({ request, route, names }: Pick<EntityInput, 'request' | 'route' | 'names'>): void {
  for (const r of RELATIONS) {
    if (r.member !== route.template) continue;
    for (const link of findLinks(request, r, undefined, names)) request.service.delete(linkCollection(r, link.holder), link.link);
  }
}

/**
 * `apis/{apiId}/operationsByTags`: list only. One TagResourceContract per tag link of the API's operations (and, with
 * `includeNotTaggedOperations=true`, one without a tag per operation that has none), as Azure answers it: the tag's
 * and the operation's ids, and their display names as `name`.
 */
function operationsByTags(match: RouteMatch, request: ArmRequest, env: EmulatorEnv): Reply {
  const service = request.service;
  const api = service.get('apis', match.names[0]);
  if (!api) throw notFound('Api');
  if (match.mode !== 'collection' || request.method !== 'GET') throw notFound('TagResource');
  const operationsPath = `apis/${api.name}/operations`;
  const operationOf = (name: string) => {
    const operation = service.get(operationsPath, name);
    if (!operation) return undefined;
    const { displayName, method, urlTemplate, description } = operation.properties;
    return { id: `${request.servicePath}/${operationsPath}/${idSegment(operation.name)}`, name: displayName, apiName: api.properties.displayName, method, urlTemplate, description };
  };
  const tagged = new Set<string>();
  const items = findLinks(request, RELATIONS[3], undefined, undefined).flatMap(({ holder, memberId }) => {
    const [apiName, operationName] = namesOfId(request, memberId);
    const tag = service.get('tags', holder);
    const operation = apiName?.toLowerCase() === api.name.toLowerCase() && operationName !== undefined ? operationOf(operationName) : undefined;
    if (!tag || !operation) return [];
    tagged.add(operationName.toLowerCase());
    return [{ tag: { id: `${request.servicePath}/tags/${idSegment(tag.name)}`, name: tag.properties.displayName }, operation }];
  });
  if (request.query.get('includeNotTaggedOperations') === 'true') {
    for (const operation of service.list(operationsPath)) if (!tagged.has(operation.name.toLowerCase())) items.push({ operation: operationOf(operation.name)! } as (typeof items)[number]);
  }
  return listReply(request, env, items);
}

export function addLinkBehaviours(behaviours: BehaviourTable): void {
  behaviours.set('apis/{apiId}/operationsByTags/{tagResourceId}', { handle: operationsByTags });
  for (const r of RELATIONS) behaviours.set(linkTemplate(r).replace('{linkId}', `{${r.links.replace(/s$/, '')}Id}`), linkBehaviour(r));
  for (const view of CLASSIC_VIEWS) {
    const handler = classicHandler(view);
    behaviours.set(view.template, { handle: (match, request, env) => handler(match, request, env, behaviours) });
  }
}
