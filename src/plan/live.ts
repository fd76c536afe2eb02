import type { ApimConnection } from '../azure/client';
import type { LiveResource, LiveState } from '../azure/live-state';
import { readLiveState, readResources, readSecretValues, type SecretValue } from '../azure/read';
import type { DesiredState } from '../render/desired';
import { RESOURCE_TYPES, resourceType } from '../resources/types';
import { plan, refKey, type Plan, type PlannedChange } from './plan';
import { liveWithin, type SelectedState } from './selection';

/**
 * Planning against a live instance. Collections are listed first (cheap: no-op runs cost only these reads); the
 * resources the plan would then write or delete are read again one by one, which yields the ETag that publish
 * sends as If-Match and the exact stored form (e.g. a fragment in rawxml, where its list gives the xml form), and
 * the plan is recomputed from those reads.
 */

export const MANAGED_KINDS = RESOURCE_TYPES.filter((t) => t.managed).map((t) => t.kind);

interface WithSecretValues {
  live: LiveState;
  /** Every secret value known so far, by named value id, for a later call to reuse. */
  values: Map<string, SecretValue>;
}

/**
 * Secret named values are hidden on GET: fetch the values the repository has locally, to compare them. A secret read
 * again (for its ETag) keeps the value read `earlier` when its ETag is the one listValue answered with: nothing changed
 * in between, so that value is the value of the version publish sends If-Match for, and listValue is not asked twice.
 */
async function withSecretValues(
  c: ApimConnection,
  desired: DesiredState,
  live: LiveState,
  earlier = new Map<string, SecretValue>(),
): Promise<WithSecretValues> {
  const liveByKey = new Map(live.resources.map((r) => [refKey(r.ref), r]));
  const comparable = desired.resources
    .filter((r) => r.ref.kind === 'namedValue' && r.properties.secret === true && typeof r.properties.value === 'string')
    .map((r) => liveByKey.get(refKey(r.ref)))
    .filter((r): r is LiveResource => r?.properties.secret === true && r.properties.value === undefined);
  const unchangedSince = (r: LiveResource) => r.etag !== undefined && earlier.get(r.ref.ids[0])?.etag === r.etag;
  const toRead = comparable.filter((r) => !unchangedSince(r)).map((r) => r.ref.ids[0]);
  const values = new Map([...earlier, ...(toRead.length ? await readSecretValues(c, toRead) : [])]);
  const compared = new Set(comparable.map((r) => r.ref.ids[0]));
  return {
    live: {
      resources: live.resources.map((r) =>
        r.ref.kind === 'namedValue' && compared.has(r.ref.ids[0])
          ? { ...r, properties: { ...r.properties, value: values.get(r.ref.ids[0])!.value } }
          : r,
      ),
    },
    values,
  };
}

function needsFreshRead(change: PlannedChange): boolean {
  return (
    change.action !== 'create' &&
    !change.viaImport &&
    !change.deletedWith &&
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

/** The APIs whose desired state has a release or an API schema: the only ones whose releases and schemas a plan reads. */
function apisWithReleasesOrSchemas(desired: DesiredState): string[] {
  return [...new Set(desired.resources.filter((r) => r.ref.kind === 'apiRelease' || r.ref.kind === 'apiSchema').map((r) => r.ref.ids[0]))];
}

/**
 * What the plan compares with: the whole instance, or (a selection) only the selected APIs' and products' families and
 * the selection's service-level resources, each read by id, so the reads do not grow with the rest of the instance.
 */
async function readLive(c: ApimConnection, desired: DesiredState, selected?: SelectedState): Promise<LiveState> {
  const releasesAndSchemasOf = apisWithReleasesOrSchemas(desired);
  if (!selected) return readLiveState(c, { kinds: MANAGED_KINDS, releasesAndSchemasOf });
  const { apis, products } = selected.selection;
  const families = MANAGED_KINDS.filter((kind) => !SERVICE_LEVEL.has(kind));
  const operationPoliciesOf = selected.prune ? undefined : desired.resources.filter((r) => r.ref.kind === 'operationPolicy').map((r) => [r.ref.ids[0], r.ref.ids[1]] as [string, string]);
  const [read, service] = await Promise.all([readLiveState(c, { kinds: families, apis, products, releasesAndSchemasOf, operationPoliciesOf }), readResources(c, selected.serviceRefs)]);
  return liveWithin(selected, { resources: [...read.resources, ...service.filter((r): r is LiveResource => r !== undefined)] });
}

/** Kinds outside the API and product families, which a selection reads one by one. */
const SERVICE_LEVEL = new Set(['namedValue', 'backend', 'policyFragment', 'tag', 'apiVersionSet', 'group', 'subscription', 'logger', 'diagnostic', 'globalPolicy']);

/** `selected`: plan only the selection (see ./selection); its desired state is `selected.desired`. */
export async function planAgainstLive(c: ApimConnection, desired: DesiredState, selected?: SelectedState): Promise<Plan> {
  const read = await readLive(c, desired, selected);
  const listed = await withSecretValues(c, desired, read);
  const first = plan(desired, listed.live);
  const stale = first.changes.filter(needsFreshRead);
  if (!stale.length) return first;
  const fresh = await readResources(c, stale.map((change) => change.ref));
  const reread = await withSecretValues(c, desired, replaceResources(listed.live, stale, fresh), listed.values);
  return plan(desired, reread.live);
}
