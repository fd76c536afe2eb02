import type { ApimConnection } from '../azure/client';
import type { LiveResource, LiveState } from '../azure/live-state';
import { readLiveState, readResources, readSecretValues } from '../azure/read';
import type { DesiredState } from '../render/desired';
import { RESOURCE_TYPES, resourceType } from '../resources/types';
import { plan, refKey, type Plan, type PlannedChange } from './plan';

/**
 * Planning against a live instance. Collections are listed first (cheap: no-op runs cost only these reads); the
 * resources the plan would then write or delete are read again one by one, which yields the ETag that publish
 * sends as If-Match and the exact stored form (e.g. a fragment in rawxml, where its list gives the xml form), and
 * the plan is recomputed from those reads.
 */

export const MANAGED_KINDS = RESOURCE_TYPES.filter((t) => t.managed).map((t) => t.kind);

/** Secret named values are hidden on GET: fetch the values the repository has locally, to compare them. */
async function withSecretValues(c: ApimConnection, desired: DesiredState, live: LiveState): Promise<LiveState> {
  const liveByKey = new Map(live.resources.map((r) => [refKey(r.ref), r]));
  const comparable = desired.resources
    .filter((r) => r.ref.kind === 'namedValue' && r.properties.secret === true && typeof r.properties.value === 'string')
    .map((r) => r.ref.ids[0])
    .filter((id) => {
      const current = liveByKey.get(refKey({ kind: 'namedValue', ids: [id] }));
      return current?.properties.secret === true && current.properties.value === undefined;
    });
  if (!comparable.length) return live;
  const values = await readSecretValues(c, comparable);
  return {
    resources: live.resources.map((r) =>
      r.ref.kind === 'namedValue' && values.has(r.ref.ids[0])
        ? { ...r, properties: { ...r.properties, value: values.get(r.ref.ids[0]) } }
        : r,
    ),
  };
}

function needsFreshRead(change: PlannedChange): boolean {
  return (
    change.action !== 'create' &&
    !change.viaImport &&
    !change.deletedWith &&
    !change.afterImport &&
    !resourceType(change.kind).link &&
    change.etag === undefined
  );
}

function replaceResources(live: LiveState, stale: PlannedChange[], fresh: Array<LiveResource | undefined>): LiveState {
  const staleKeys = new Set(stale.map((c) => refKey(c.ref)));
  return {
    resources: [
      ...live.resources.filter((r) => !staleKeys.has(refKey(r.ref))),
      ...fresh.filter((r): r is LiveResource => r !== undefined),
    ],
  };
}

export async function planAgainstLive(c: ApimConnection, desired: DesiredState): Promise<Plan> {
  const listed = await withSecretValues(c, desired, await readLiveState(c, { kinds: MANAGED_KINDS }));
  const first = plan(desired, listed);
  const stale = first.changes.filter(needsFreshRead);
  if (!stale.length) return first;
  const fresh = await readResources(c, stale.map((change) => change.ref));
  return plan(desired, await withSecretValues(c, desired, replaceResources(listed, stale, fresh)));
}
