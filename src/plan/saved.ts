import { createHash } from 'node:crypto';
import type { DesiredResource, DesiredState } from '../render/desired';
import type { Selection } from './selection';
import { displayId } from '../resources/types';
import { refKey, type Plan, type PlannedChange } from './plan';

/**
 * A saved plan (`diff --out plan.json`, applied by `publish --plan plan.json`), Terraform-style: the plan itself, the
 * target it was read from, and a content hash of every rendered resource. The plan carries the ETags it saw, so
 * publishing it can tell when the repository or the instance changed since it was reviewed and refuse, rather than
 * apply something nobody looked at. Plain data: it holds no secret value (a secret named value's hash leaves its value out,
 * see resourceHash).
 */

export const SAVED_PLAN_KIND = 'apiops-plan';

export interface SavedPlan {
  kind: typeof SAVED_PLAN_KIND;
  formatVersion: 1;
  /** The apiops version that made it. */
  apiopsVersion: string;
  environment: string;
  /** The target's label (service and resource group, or the emulator's folder). */
  target: string;
  /** sha256 of each rendered resource, by `kind id`. */
  repository: Record<string, string>;
  /** Made with `--api` / `--product`: the selection, which `publish --plan` plans and checks again. */
  selection?: Selection;
  plan: Plan;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hash of what publish would send for a resource. A secret's value is left out: a hash of it on disk could be
 * guessed offline. Its value comes from the pipeline's environment when publishing, as always.
 */
function resourceHash(resource: DesiredResource): string {
  const { value, ...rest } = resource.properties;
  const hashed = resource.properties.secret === true ? { ...rest, valueUnavailable: resource.valueUnavailable } : resource.properties;
  return createHash('sha256').update(stableJson({ ref: resource.ref, properties: hashed })).digest('hex');
}

function resourceName(resource: { ref: DesiredResource['ref'] }): string {
  return `${resource.ref.kind} ${displayId(resource.ref)}`;
}

export function repositoryHashes(desired: DesiredState): Record<string, string> {
  return Object.fromEntries(desired.resources.map((r) => [resourceName(r), resourceHash(r)]));
}

export function savedPlan(plan: Plan, desired: DesiredState, target: string, apiopsVersion: string, selection?: Selection): SavedPlan {
  return { kind: SAVED_PLAN_KIND, formatVersion: 1, apiopsVersion, environment: plan.environment, target, repository: repositoryHashes(desired), ...(selection ? { selection } : {}), plan };
}

/** The resources (`kind id`) whose rendered form differs from the plan's, or that were added or removed since. */
export function repositoryChangedSince(saved: SavedPlan, desired: DesiredState): string[] {
  const now = repositoryHashes(desired);
  const names = new Set([...Object.keys(saved.repository), ...Object.keys(now)]);
  return [...names].filter((name) => saved.repository[name] !== now[name]).sort();
}

/** What a change would do, with the ETag it would write against: equal for the same change on an unchanged resource. */
function changeSignature(change: PlannedChange): string {
  const { action, etag, fields, policyDiff, importSpecification, viaImport, deletedWith, droppedFromList } = change;
  return stableJson({ action, etag, fields, policyDiff, importSpecification, viaImport, deletedWith, droppedFromList });
}

/**
 * The resources on which a plan made now (`fresh`) differs from the saved one: a resource someone edited since (its
 * ETag moved, or it needs another change), created or deleted, or brought in line by hand.
 */
export function instanceChangedSince(saved: Plan, fresh: Plan): string[] {
  const signatures = (p: Plan) => new Map(p.changes.map((c) => [refKey(c.ref), { name: resourceName(c), signature: changeSignature(c) }]));
  const [before, now] = [signatures(saved), signatures(fresh)];
  const changed = new Set<string>();
  for (const key of new Set([...before.keys(), ...now.keys()])) {
    const [a, b] = [before.get(key), now.get(key)];
    if (a?.signature !== b?.signature) changed.add((a ?? b)!.name);
  }
  return [...changed].sort();
}

/** Checks that `value` (parsed from a plan file) is a saved plan this version can apply; returns why not. */
export function savedPlanProblem(value: unknown): string | undefined {
  const saved = value as Partial<SavedPlan> | null;
  if (!saved || typeof saved !== 'object' || saved.kind !== SAVED_PLAN_KIND) return 'not an apiops plan (made by `apiops diff --out FILE`)';
  if (saved.formatVersion !== 1) return `plan format version ${String(saved.formatVersion)} is not one this apiops reads (1)`;
  const plan = saved.plan as Partial<Plan> | undefined;
  if (typeof saved.environment !== 'string' || typeof saved.target !== 'string' || !saved.repository || !plan || !Array.isArray(plan.changes)) {
    return 'the plan file is incomplete';
  }
  return undefined;
}
