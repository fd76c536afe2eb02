import { isWriteStopped, type ApimConnection } from '../azure/client';
import { createResource, deleteResource, failureMessage, failureStatus, patchResource, putResource } from '../azure/write';
import type { DesiredResource, DesiredState } from '../render/desired';
import { displayId, resourceType, revisionOf } from '../resources/types';
import { refKey, waitsForPrune, type Plan, type PlannedChange } from '../plan/plan';
import { adoptTags } from '../plan/tag-adoption';
import { withRevisionSwitches } from '../plan/revisions';
import { changedFields } from '../plan/compare';
import { readResource } from '../azure/read';
import { changeDependencies } from './dependencies';
import { namedValueRenames, resolveConflict, type NamedValueRename } from './conflicts';
import { withKeptCredentials } from './kept-credentials';
import { placeholderSecret } from './placeholders';

/**
 * Applying a plan. Every change starts as soon as what it waits for is done (the connection bounds the requests
 * in flight), so independent work proceeds while a failure only stops what depends on it. Updates and deletes
 * carry If-Match with the ETag the plan saw, creates `If-None-Match: *`: a resource someone changed (or created) since
 * planning fails with 412 and is reported as a conflict — the remedy is to re-run, which re-plans.
 */

export type Outcome = 'applied' | 'failed' | 'skipped' | 'not-pruned';

export interface ChangeOutcome {
  change: PlannedChange;
  outcome: Outcome;
  /** Why it failed or was skipped. */
  reason?: string;
  /** It failed because the resource changed (or was created) since planning (412). */
  conflict?: boolean;
  /**
   * Its write went without a precondition the service is known to honour, so it may have replaced a change made
   * since planning (see carriesPrecondition).
   */
  unguarded?: boolean;
  /** Skipped because publish was interrupted before its writes were sent. */
  interrupted?: boolean;
  /** Something the user should know about an applied change. */
  note?: string;
}

export interface ApplyOptions {
  /** Carry out deletions; without it they are reported as not-pruned. */
  prune: boolean;
  /** Called as each change settles (progress display). */
  onSettled?: (outcome: ChangeOutcome, settled: number, total: number) => void;
  /**
   * Stops the apply (Ctrl-C): the requests already sent finish, no further write is sent, and the changes left are
   * reported as skipped, so the report says what was written.
   */
  signal?: AbortSignal;
}

export interface ApplyResult {
  outcomes: ChangeOutcome[];
  ok: boolean;
}

const IMPORT_FIELDS = ['format', 'value', 'apiType', 'wsdlSelector'];

/**
 * The body of a write. An API write without an import leaves the specification out; a new revision
 * (`orders;rev=2`) is created from its API (`sourceApiId`), as APIM creates revisions.
 */
function bodyFor(change: PlannedChange, desired: DesiredResource | undefined): Record<string, unknown> {
  if (resourceType(change.kind).link) return {};
  if (!desired) throw new Error(`no desired state for ${change.kind} ${change.id}`);
  let body = desired.properties;
  if (change.kind === 'api' && !change.importSpecification) {
    body = Object.fromEntries(Object.entries(body).filter(([key]) => !IMPORT_FIELDS.includes(key)));
  }
  const revision = change.kind === 'api' && change.action === 'create' ? revisionOf(change.ref.ids[0]) : undefined;
  return revision ? { ...body, sourceApiId: `/apis/${revision.apiId}` } : body;
}

const INTERRUPTED_REASON = 'not carried out: publish was interrupted';
const ALREADY_DONE_NOTE = 'already up to date: it changed meanwhile to what the repository has';
const PLACEHOLDER_NOTE = 'created with a random placeholder value: set its valueFromEnv variable and re-publish to set the real one';

/**
 * An update with If-Match on the ETag the plan saw. A 412 that is not someone else's edit (see ./conflicts) completes
 * the update, or finds it already done, rather than failing it.
 */
async function update(
  c: ApimConnection,
  change: PlannedChange,
  desired: DesiredResource,
  body: Record<string, unknown>,
  renames: NamedValueRename[],
): Promise<string | undefined> {
  try {
    await putResource(c, change.ref, body, change.etag);
    return undefined;
  } catch (error) {
    const resolution = failureStatus(error) === 412 ? await resolveConflict(c, change, desired, renames) : undefined;
    if (!resolution) throw error;
    if (!resolution.write) return ALREADY_DONE_NOTE;
    await putResource(c, change.ref, body, resolution.etag);
    return undefined;
  }
}

/**
 * A create with `If-None-Match: *`. A 412 means the resource exists: when it already reads as the repository wants it
 * (a retried create whose first attempt landed), the create is done; otherwise someone created it since planning.
 */
async function create(c: ApimConnection, change: PlannedChange, desired: DesiredResource | undefined, body: Record<string, unknown>): Promise<string | undefined> {
  try {
    await createResource(c, change.ref, body);
    return undefined;
  } catch (error) {
    if (failureStatus(error) !== 412 || !desired) throw error;
    const fresh = await readResource(c, change.ref);
    if (fresh && !changedFields(desired, fresh, desired.source.file).fields.length) return ALREADY_DONE_NOTE;
    if (!fresh || !change.replacesImported) throw error;
    await putResource(c, change.ref, body, fresh.etag);
    return undefined;
  }
}

/**
 * Whether a change's write carries a precondition that keeps it from replacing someone else's change made since
 * planning: If-Match on the planned ETag (updates, deletes), `If-None-Match: *` where the service honours it (creates),
 * or no content of its own to replace (links).
 */
export function carriesPrecondition(c: ApimConnection, change: PlannedChange): boolean {
  if (resourceType(change.kind).link) return true;
  if (change.action === 'create') return c.honoursIfNoneMatch;
  return change.etag !== undefined && change.etag !== '*';
}

/**
 * Carries out one change; resolves to a note for the user, if any. A secret named value whose value is not
 * available here is patched without its value when it exists; a new one cannot be created on Azure without it,
 * but on a local emulator it gets a random placeholder so that the policies naming it can be published.
 */
async function perform(
  c: ApimConnection,
  change: PlannedChange,
  desired: DesiredResource | undefined,
  renames: NamedValueRename[],
): Promise<string | undefined> {
  if (change.action === 'delete') return deleteResource(c, change.ref, change.etag).then(() => undefined);
  const { body, note } = await withKeptCredentials(c, change, bodyFor(change, desired));
  if (desired?.valueUnavailable && change.action === 'update') {
    // A PATCH keeps what it does not name: tags the repository no longer lists are cleared explicitly.
    const { value: _unavailable, ...rest } = body;
    await patchResource(c, change.ref, { ...rest, tags: rest.tags ?? [] }, change.etag ?? '*');
    return undefined;
  }
  if (desired?.valueUnavailable) {
    const value = placeholderSecret(c, 'its secret value is not available here (set the environment variable named by valueFromEnv)');
    return (await create(c, change, undefined, { ...body, value })) ?? PLACEHOLDER_NOTE;
  }
  if (change.action === 'update' && desired) return (await update(c, change, desired, body, renames)) ?? note;
  return (await create(c, change, desired, body)) ?? note;
}

function describeFailure(change: PlannedChange, error: unknown): { reason: string; conflict?: boolean } {
  const status = failureStatus(error);
  if (status === 412 && change.action === 'create') {
    return { reason: 'created on the instance by someone else since it was planned (it exists now, with other content); re-run to re-plan', conflict: true };
  }
  if (status === 412) {
    return { reason: 'changed on the instance since it was planned (ETag mismatch); re-run to re-plan', conflict: true };
  }
  return { reason: failureMessage(error) };
}

/** A change that makes no request: carried out by its API's import or by deleting an ancestor. */
function carrierOf(change: PlannedChange): string | undefined {
  if (change.deletedWith) return refKey(change.deletedWith);
  if (change.viaImport) return refKey({ kind: 'api', ids: [change.ref.ids[0]] });
  return undefined;
}

export async function applyPlan(c: ApimConnection, plan: Plan, repository: DesiredState, options: ApplyOptions): Promise<ApplyResult> {
  const desired = withRevisionSwitches(adoptTags(repository, plan.adoptedTags), plan.revisionSwitches);
  const desiredByKey = new Map(desired.resources.map((r) => [refKey(r.ref), r]));
  const dependencies = changeDependencies(plan.changes, desired);
  const renames = namedValueRenames(plan);
  const settled = new Map<string, Promise<ChangeOutcome>>();
  const outcomes: ChangeOutcome[] = [];
  const total = plan.changes.length;
  options.signal?.addEventListener('abort', () => c.stopWrites(), { once: true });
  const settle = (outcome: ChangeOutcome): ChangeOutcome => {
    outcomes.push(outcome);
    options.onSettled?.(outcome, outcomes.length, total);
    return outcome;
  };

  const run = async (change: PlannedChange): Promise<ChangeOutcome> => {
    const carrier = carrierOf(change);
    if (carrier) {
      const carried = await settled.get(carrier);
      if (!carried) return settle({ change, outcome: change.action === 'delete' && !options.prune ? 'not-pruned' : 'applied' });
      if (carried.outcome === 'applied') return settle({ change, outcome: 'applied' });
      if (carried.outcome === 'not-pruned') return settle({ change, outcome: 'not-pruned' });
      if (carried.interrupted) return settle({ change, outcome: 'skipped', reason: INTERRUPTED_REASON, interrupted: true });
      return settle({ change, outcome: 'skipped', reason: `${carried.change.kind} ${carried.change.id} was not applied` });
    }
    if (!options.prune && waitsForPrune(change)) return settle({ change, outcome: 'not-pruned' });
    const { after, requires } = dependencies.get(change)!;
    const waited = await Promise.all([...after].flatMap((key) => (settled.has(key) ? [settled.get(key)!] : [])));
    if (options.signal?.aborted) return settle({ change, outcome: 'skipped', reason: INTERRUPTED_REASON, interrupted: true });
    const blocker = waited.find((o) => requires.has(refKey(o.change.ref)) && o.outcome !== 'applied');
    if (blocker) {
      return settle({ change, outcome: 'skipped', reason: `${blocker.change.kind} ${displayId(blocker.change.ref)} was not applied` });
    }
    const unguarded = carriesPrecondition(c, change) ? {} : { unguarded: true };
    try {
      const note = await perform(c, change, desiredByKey.get(refKey(change.ref)), renames);
      return settle({ change, outcome: 'applied', ...(note ? { note } : {}), ...unguarded });
    } catch (error) {
      if (isWriteStopped(error)) return settle({ change, outcome: 'skipped', reason: INTERRUPTED_REASON, interrupted: true });
      return settle({ change, outcome: 'failed', ...describeFailure(change, error), ...unguarded });
    }
  };

  // Register every change before any starts, so each finds the promises of what it waits for.
  const pending: Array<() => void> = [];
  for (const change of plan.changes) {
    settled.set(
      refKey(change.ref),
      new Promise<void>((resolve) => pending.push(resolve)).then(() => run(change)),
    );
  }
  pending.forEach((start) => start());
  await Promise.all(settled.values());
  const order = new Map(plan.changes.map((change, i) => [change, i]));
  outcomes.sort((a, b) => order.get(a.change)! - order.get(b.change)!);
  return { outcomes, ok: outcomes.every((o) => o.outcome === 'applied' || o.outcome === 'not-pruned') };
}
