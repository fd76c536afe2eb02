import type { LiveState } from '../azure/live-state';
import type { DesiredResource, DesiredState } from '../render/desired';
import { revisionOf } from '../resources/types';

/**
 * Making another revision current. The repository keeps the current revision (N, its release's) in the API folder
 * and the others in revisions/<n>/; the instance addresses its current revision (L) as the API and the others as
 * `{api};rev={n}`. Until the release is written, L is still the API: so when N differs from L, revision N's content is
 * written to `{api};rev=N` (created from the API when the instance lacks it) and revision L's to the API, and the
 * release, written after them, makes N current. Nothing else changes revisions: no revision is created or removed that
 * the repository does not name (an L the repository has no folder for stays as it is, a non-current revision then,
 * which a later publish with --prune removes).
 */

/**
 * The kinds that belong to one revision of an API, which a release moves with it (the others — tags, diagnostics,
 * releases… — to the API): its specification's operations and schemas, its policies, its GraphQL resolvers.
 */
const REVISION_CONTENT = new Set(['api', 'apiOperation', 'apiPolicy', 'operationPolicy', 'apiSchema', 'graphQLResolver', 'resolverPolicy']);

/** The revision each desired API's release makes current, by API id (an API without a release: '1'). */
function releasedRevisions(desired: DesiredState): (apiId: string) => string {
  const released = new Map<string, string>();
  for (const release of desired.resources) {
    if (release.ref.kind !== 'apiRelease' || released.has(release.ref.ids[0])) continue;
    const target = String(release.properties.apiId ?? '').split('/').pop() ?? '';
    released.set(release.ref.ids[0], revisionOf(target)?.revision ?? '1');
  }
  return (apiId) => released.get(apiId) ?? '1';
}

/** For each API whose current revision changes: the instance's current one, and what to keep of the API (see below). */
export type RevisionSwitches = Record<string, { liveCurrent: string; kept?: Record<string, unknown> }>;

/** The APIs whose release makes another revision current than the instance's. */
export function revisionSwitches(desired: DesiredState, live: LiveState): RevisionSwitches {
  const liveApis = new Map(live.resources.filter((r) => r.ref.kind === 'api').map((r) => [r.ref.ids[0].toLowerCase(), r]));
  const switches: RevisionSwitches = {};
  const releasedRevision = releasedRevisions(desired);
  for (const api of desired.resources.filter((r) => r.ref.kind === 'api' && !revisionOf(r.ref.ids[0]))) {
    const [apiId] = api.ref.ids;
    const liveApi = liveApis.get(apiId.toLowerCase());
    const liveCurrent = String(liveApi?.properties.apiRevision ?? '1');
    if (releasedRevision(apiId) === liveCurrent) continue;
    const hasFolder = desired.resources.some((r) => r.ref.kind === 'api' && r.ref.ids[0].toLowerCase() === `${apiId};rev=${liveCurrent}`.toLowerCase());
    // Without a folder for revision L, the API (revision L until the release) stays as the instance has it.
    const kept = !hasFolder && liveApi ? Object.fromEntries(Object.keys(api.properties).filter((key) => key in liveApi.properties).map((key) => [key, liveApi.properties[key]])) : undefined;
    switches[apiId] = { liveCurrent, ...(kept ? { kept } : {}) };
  }
  return switches;
}

/** The desired state with each switching API's revisions addressed as they are until the release (see above). */
export function withRevisionSwitches(desired: DesiredState, switches: RevisionSwitches | undefined): DesiredState {
  if (!switches || !Object.keys(switches).length) return desired;
  let resources = desired.resources;
  const releasedRevision = releasedRevisions(desired);
  for (const [apiId, { liveCurrent, kept }] of Object.entries(switches)) {
    const api = resources.find((r) => r.ref.kind === 'api' && r.ref.ids[0] === apiId)!;
    const names = new Map([
      [apiId.toLowerCase(), `${apiId};rev=${releasedRevision(apiId)}`],
      [`${apiId};rev=${liveCurrent}`.toLowerCase(), apiId],
    ]);
    const rekeyed = resources.map((resource): DesiredResource => {
      const target = REVISION_CONTENT.has(resource.ref.kind) ? names.get(resource.ref.ids[0].toLowerCase()) : undefined;
      return target === undefined ? resource : { ...resource, ref: { ...resource.ref, ids: [target, ...resource.ref.ids.slice(1)] } };
    });
    // A new API is created as revision N's copy, for revision N to be created from.
    if (!rekeyed.some((r) => r.ref.kind === 'api' && r.ref.ids[0] === apiId)) rekeyed.push({ ...api, properties: kept ?? api.properties });
    resources = rekeyed;
  }
  return { ...desired, resources };
}
