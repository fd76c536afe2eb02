import type { ApimConnection } from '../azure/client';
import { readResource } from '../azure/read';
import { policiesEquivalent } from '../policy';
import { changedFields, parseLivePolicy } from '../plan/compare';
import type { Plan, PlannedChange } from '../plan/plan';
import type { DesiredResource } from '../render/desired';
import { resourceType } from '../resources/types';

/**
 * A 412 on an update (If-Match on the planned ETag) is not always someone else's edit. The resource may already
 * read as the repository wants it: a retried write whose first attempt did land, or the same change made by hand.
 * And renaming a named value (a new displayName) makes the service rewrite `{{old}}` to `{{new}}` in every policy
 * naming it, which gives those policies new ETags, so the policy updates planned alongside the rename meet a 412
 * of the service's own making. Reading the resource again tells these apart from a real conflict.
 */

export interface NamedValueRename {
  from: string;
  to: string;
}

/** The displayName changes of named values in a plan. */
export function namedValueRenames(plan: Plan): NamedValueRename[] {
  return plan.changes.flatMap((change) => {
    if (change.kind !== 'namedValue' || change.action !== 'update') return [];
    const displayName = change.fields.find((f) => f.field === 'displayName');
    return typeof displayName?.before === 'string' && typeof displayName.after === 'string'
      ? [{ from: displayName.before, to: displayName.after }]
      : [];
  });
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A policy text as the service leaves it after the renames (it matches names case-insensitively, as APIM does). */
function renamedReferences(text: string, renames: NamedValueRename[]): string {
  return renames.reduce((result, { from, to }) => result.replace(new RegExp(`\\{\\{${escapeRegExp(from)}\\}\\}`, 'gi'), `{{${to}}}`), text);
}

export type ConflictResolution = { write: false } | { write: true; etag?: string };

/**
 * After a 412 on an update: `write: false` when the resource already reads as the repository wants it, `write: true`
 * with the fresh ETag when it is a policy that reads as planned but for the service's rewrite after a rename, and
 * undefined when someone else changed it (a real conflict: nothing of theirs is overwritten).
 */
export async function resolveConflict(
  c: ApimConnection,
  change: PlannedChange,
  desired: DesiredResource,
  renames: NamedValueRename[],
): Promise<ConflictResolution | undefined> {
  const fresh = await readResource(c, change.ref);
  if (!fresh) return undefined;
  const label = desired.source.file;
  if (!changedFields(desired, fresh, label).fields.length) return { write: false };
  const planned = change.fields.find((f) => f.field === 'value')?.before;
  if (!renames.length || !resourceType(change.kind).policy || typeof planned !== 'string') return undefined;
  // Both texts come from reads in the same format, so only the rewrite can tell them apart.
  const now = parseLivePolicy(fresh, label);
  const expected = parseLivePolicy({ ...fresh, properties: { ...fresh.properties, value: renamedReferences(planned, renames) } }, label);
  return now && expected && policiesEquivalent(now, expected) ? { write: true, etag: fresh.etag } : undefined;
}
