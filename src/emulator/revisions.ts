import { listReply, type ArmRequest, type Behaviour, type EmulatorEnv, type Prepared, type Reply, type WriteInput } from './engine';
import { invalidField, notFound } from './errors';
import { pathSegments, relativeId } from './ids';
import type { RouteMatch } from './routes';
import type { Entity, ServiceState } from './store';

/**
 * Revisions and releases. The current revision of an API is stored under the API's own name, the others under
 * `{apiId};rev={n}` (see apis.ts). A release names a revision (`apiId` …/apis/{apiId};rev={n}) and makes it the
 * current one, as APIM does: the two swap places, each with what it holds (operations, policies, schemas…), while
 * the API's releases stay with the API.
 */

/** `{apiId};rev={n}`: revision n of an API. */
export const REVISION_NAME = /^(.+);rev=(\d+)$/i;

/** Collections under an API that belong to the API as a whole rather than to one revision. */
const API_WIDE = new Set(['releases']);

interface Subtree {
  /** Collection path below `apis/{name}/` (lowercase, as stored) and its entities. */
  collections: Array<{ relative: string; entities: Entity[] }>;
}

function subtreeOf(service: ServiceState, apiName: string): Subtree {
  const prefix = `apis/${apiName}/`.toLowerCase();
  const collections: Subtree['collections'] = [];
  for (const pattern of [`apis/${apiName}/*`, `apis/${apiName}/*/*/*`, `apis/${apiName}/*/*/*/*/*`]) {
    for (const { collection, entities } of service.collectionsMatching(pattern)) {
      const relative = collection.slice(prefix.length);
      if (!API_WIDE.has(relative.split('/')[0])) collections.push({ relative, entities });
    }
  }
  return { collections };
}

function restoreSubtree(service: ServiceState, apiName: string, subtree: Subtree): void {
  for (const { relative, entities } of subtree.collections) {
    for (const entity of entities) service.put(`apis/${apiName}/${relative}`, entity.name, entity.properties, entity.hidden, entity.secrets);
  }
}

function clearSubtree(service: ServiceState, apiName: string, subtree: Subtree): void {
  for (const { relative, entities } of subtree.collections) for (const entity of entities) service.delete(`apis/${apiName}/${relative}`, entity.name);
}

/** Makes revision `revision` of API `apiName` current: the current one becomes `{apiName};rev={its number}`. */
export function makeRevisionCurrent(service: ServiceState, apiName: string, revision: string): void {
  const current = service.get('apis', apiName) as Entity;
  const chosenName = `${current.name};rev=${revision}`;
  const chosen = service.get('apis', chosenName);
  if (!chosen || String(current.properties.apiRevision) === revision) return;
  const retiredName = `${current.name};rev=${String(current.properties.apiRevision)}`;
  const currentTree = subtreeOf(service, apiName);
  const chosenTree = subtreeOf(service, chosenName);
  clearSubtree(service, apiName, currentTree);
  service.delete('apis', chosenName);
  service.put('apis', retiredName, { ...current.properties, isCurrent: false }, current.hidden, current.secrets);
  restoreSubtree(service, retiredName, currentTree);
  service.put('apis', current.name, { ...chosen.properties, apiRevision: revision, isCurrent: true }, chosen.hidden, chosen.secrets);
  restoreSubtree(service, current.name, chosenTree);
}

/** The revision number a release's `apiId` names: the API itself (its current revision) or `{apiId};rev={n}`. */
function releasedRevision(request: ArmRequest, apiName: string, apiId: unknown): string {
  const relative = typeof apiId === 'string' ? relativeId(request, apiId) : undefined;
  const segments = relative === undefined ? undefined : pathSegments(relative);
  const invalid = () => invalidField('apiId', `'${String(apiId)}' is not a revision of API '${apiName}'.`);
  if (!segments || segments.length !== 2 || segments[0].toLowerCase() !== 'apis') throw invalid();
  const api = request.service.get('apis', apiName) as Entity;
  const revision = REVISION_NAME.exec(segments[1]);
  if (!revision) {
    if (segments[1].toLowerCase() !== apiName.toLowerCase()) throw invalid();
    return String(api.properties.apiRevision);
  }
  if (revision[1].toLowerCase() !== apiName.toLowerCase()) throw invalid();
  if (String(api.properties.apiRevision) !== revision[2] && !request.service.get('apis', segments[1])) throw invalidField('apiId', `Revision '${revision[2]}' of API '${apiName}' could not be found.`);
  return revision[2];
}

function prepareRelease({ request, names, properties, existing }: WriteInput): Prepared {
  const apiName = names[0];
  const revision = releasedRevision(request, apiName, properties.apiId);
  const now = new Date().toISOString();
  const stored: Record<string, unknown> = {
    ...properties,
    apiId: `${request.servicePath}/apis/${apiName};rev=${revision}`,
    createdDateTime: existing?.properties.createdDateTime ?? now,
    updatedDateTime: now,
  };
  delete stored.provisioningState;
  return { properties: stored, afterWrite: () => makeRevisionCurrent(request.service, apiName, revision) };
}

export function releaseBehaviour(): Behaviour {
  return { prepare: prepareRelease };
}

/** Every revision of an API, current first then by number. */
export function revisionsOf(service: ServiceState, apiName: string): Entity[] {
  const prefix = `${apiName.toLowerCase()};rev=`;
  const others = service.list('apis').filter((api) => api.name.toLowerCase().startsWith(prefix));
  const current = service.get('apis', apiName);
  return [...(current ? [current] : []), ...others.sort((a, b) => Number(a.properties.apiRevision) - Number(b.properties.apiRevision))];
}

/** `apis/{apiId}/revisions`: list only, one ApiRevisionContract per revision. */
export function revisionList(match: RouteMatch, request: ArmRequest, env: EmulatorEnv): Reply {
  const apiName = match.names[0];
  const api = request.service.get('apis', apiName);
  if (!api) throw notFound('Api');
  if (match.mode !== 'collection' || request.method !== 'GET') throw notFound('ApiRevision');
  const items = revisionsOf(request.service, apiName).map((revision) => {
    const number = String(revision.properties.apiRevision);
    const contract: Record<string, unknown> = {
      apiId: `${request.servicePath}/apis/${api.name};rev=${number}`,
      apiRevision: number,
      description: revision.properties.apiRevisionDescription,
      privateUrl: revision.properties.isCurrent === false ? `/${String(api.properties.path ?? '')};rev=${number}` : undefined,
      isOnline: revision.properties.isOnline ?? true,
      isCurrent: revision.properties.isCurrent !== false,
    };
    return Object.fromEntries(Object.entries(contract).filter(([, value]) => value !== undefined));
  });
  return listReply(request, env, items);
}
