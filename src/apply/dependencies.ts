import { attributeValue, elementsNamed, findNamedValueReferences } from '../policy';
import type { DesiredResource, DesiredState } from '../render/desired';
import { kindsInDependencyOrder, resourceType, revisionOf, type ResourceKind, type ResourceRef } from '../resources/types';
import { ancestors, refKey, type PlannedChange } from '../plan/plan';

/**
 * What each change waits for, and which failures make it pointless.
 *
 * Ordering (`after`): a write waits for the writes of its own ancestors (an API's policy for that API only) and of
 * what it names — the fragments, backends and named values its policy names, what a link joins — so each starts as
 * soon as those are done and the requests in flight stay at the limit, rather than waiting for every write of a kind;
 * only references the repository cannot name one by one (the resource table's `references` beyond those) wait for
 * every write of their kind. Named value writes go one at a time; all writes precede all deletes; a delete waits for
 * the deletes of kinds that depend on its kind. Skipping (`requires`) is as precise: a change is skipped only when
 * something it really needs failed.
 */

export interface ChangeDependencies {
  after: Set<string>;
  requires: Set<string>;
}

/** Kinds that depend on `kind` through parent or reference links, transitively. */
function dependentKinds(): Map<ResourceKind, Set<ResourceKind>> {
  const order = kindsInDependencyOrder();
  const dependents = new Map<ResourceKind, Set<ResourceKind>>(order.map((k) => [k, new Set()]));
  for (const kind of [...order].reverse()) {
    const type = resourceType(kind);
    for (const dependency of [...(type.parent ? [type.parent] : []), ...type.references]) {
      const set = dependents.get(dependency)!;
      set.add(kind);
      dependents.get(kind)!.forEach((k) => set.add(k));
    }
  }
  return dependents;
}

function policyReferences(resource: DesiredResource, namedValueIds: Map<string, string>): ResourceRef[] {
  const doc = resource.policy;
  if (!doc) return [];
  const attributeRefs = (element: string, attribute: string, kind: ResourceKind): ResourceRef[] =>
    elementsNamed(doc.root, element).flatMap((e) => {
      const id = attributeValue(e, attribute);
      return id ? [{ kind, ids: [id] }] : [];
    });
  const namedValues = findNamedValueReferences(doc).flatMap((r) => {
    const id = namedValueIds.get(r.name);
    return id ? [{ kind: 'namedValue' as const, ids: [id] }] : [];
  });
  return [
    ...attributeRefs('include-fragment', 'fragment-id', 'policyFragment'),
    ...attributeRefs('set-backend-service', 'backend-id', 'backend'),
    ...namedValues,
  ];
}

/**
 * The kinds of `kind`'s references that requiredRefs names one by one: a link's target; a policy's fragments, backends
 * and named values; the named values anything else names as {{displayName}} (a backend's or a logger's credentials).
 */
function referencesNamed(kind: ResourceKind): Set<ResourceKind> {
  const type = resourceType(kind);
  if (type.link) return new Set([type.references[0]]);
  return new Set(type.policy ? ['policyFragment', 'backend', 'namedValue'] : ['namedValue']);
}

/** The named values a resource that is not a policy names in its properties, as {{displayName}} (case-insensitive, as APIM). */
function namedValuesNamed(resource: DesiredResource, namedValueIds: Map<string, string>): ResourceRef[] {
  const byName = new Map([...namedValueIds].map(([name, id]) => [name.toLowerCase(), id]));
  return [...JSON.stringify(resource.properties).matchAll(/\{\{([^{}]+)\}\}/g)].flatMap(([, name]) => {
    const id = byName.get(name.trim().toLowerCase());
    return id ? [{ kind: 'namedValue' as const, ids: [id] }] : [];
  });
}

function requiredRefs(change: PlannedChange, desired: Map<string, DesiredResource>, namedValueIds: Map<string, string>): ResourceRef[] {
  if (change.action === 'delete') return [];
  const refs = ancestors(change.ref);
  // A link joins its parent to the resource its last id names (a product to an API, an API to a tag).
  const type = resourceType(change.kind);
  if (type.link) refs.push({ kind: type.references[0], ids: [change.ref.ids[change.ref.ids.length - 1]] });
  const resource = desired.get(refKey(change.ref));
  if (!resource) return refs;
  if (type.policy) return [...refs, ...policyReferences(resource, namedValueIds)];
  return type.references.includes('namedValue') ? [...refs, ...namedValuesNamed(resource, namedValueIds)] : refs;
}

/** The API (not revision) id an API-scoped resource belongs to, lower-cased. */
function apiOf(ref: ResourceRef): string | undefined {
  if (!resourceType(ref.kind).keys.includes('apiId') || ref.kind.startsWith('product')) return undefined;
  const apiId = ref.ids[resourceType(ref.kind).keys.indexOf('apiId')];
  return (revisionOf(apiId)?.apiId ?? apiId).toLowerCase();
}

export function changeDependencies(changes: PlannedChange[], desired: DesiredState): Map<PlannedChange, ChangeDependencies> {
  const desiredByKey = new Map(desired.resources.map((r) => [refKey(r.ref), r]));
  const namedValueIds = new Map(
    desired.resources
      .filter((r) => r.ref.kind === 'namedValue' && typeof r.properties.displayName === 'string')
      .map((r) => [r.properties.displayName as string, r.ref.ids[0]]),
  );
  const dependents = dependentKinds();
  const writeKeysByKind = new Map<ResourceKind, string[]>();
  const deletesByKind = new Map<ResourceKind, PlannedChange[]>();
  const addTo = <T>(byKind: Map<ResourceKind, T[]>, kind: ResourceKind, item: T) => (byKind.get(kind) ?? byKind.set(kind, []).get(kind)!).push(item);
  for (const change of changes) {
    if (change.action === 'delete') addTo(deletesByKind, change.kind, change);
    else addTo(writeKeysByKind, change.kind, refKey(change.ref));
  }
  /**
   * The deletes of `kind` that a delete of `deleting` waits for. One carried out by its ancestor's delete settles
   * when that ancestor is gone — which is what to wait for (a fragment is in use until the API whose policy
   * includes it is deleted) — unless that ancestor's delete itself waits for deletes of `deleting` (another API's
   * policy goes with that API: two API deletes must not wait for each other).
   */
  const deleteKeysOf = (kind: ResourceKind, deleting: ResourceKind): string[] =>
    (deletesByKind.get(kind) ?? [])
      .filter(({ deletedWith }) => !deletedWith || (deletedWith.kind !== deleting && !dependents.get(deletedWith.kind)?.has(deleting)))
      .map((change) => refKey(change.ref));
  const allWrites = [...writeKeysByKind.values()].flat();
  const result = new Map<PlannedChange, ChangeDependencies>();
  for (const change of changes) {
    const after = new Set<string>();
    if (change.action === 'delete') {
      allWrites.forEach((k) => after.add(k));
      for (const kind of dependents.get(change.kind) ?? []) deleteKeysOf(kind, change.kind).forEach((k) => after.add(k));
    } else {
      ancestors(change.ref).forEach((a) => after.add(refKey(a)));
      // A named value write may make the service rewrite and re-validate every policy naming it (a displayName
      // change): such writes are serialised, as the service expects, each after the ones before it in the plan.
      if (change.kind === 'namedValue') {
        const earlier = writeKeysByKind.get('namedValue') ?? [];
        earlier.slice(0, earlier.indexOf(refKey(change.ref))).forEach((k) => after.add(k));
      }
      // A release makes a revision current: it comes after every write to the API and its revisions.
      if (change.kind === 'apiRelease') {
        for (const other of changes) if (other !== change && other.action !== 'delete' && other.kind !== 'apiRelease' && apiOf(other.ref) === change.ref.ids[0].toLowerCase()) after.add(refKey(other.ref));
      }
      const named = referencesNamed(change.kind);
      for (const kind of resourceType(change.kind).references.filter((k) => !named.has(k))) (writeKeysByKind.get(kind) ?? []).forEach((k) => after.add(k));
    }
    after.delete(refKey(change.ref));
    const requires = new Set(requiredRefs(change, desiredByKey, namedValueIds).map(refKey));
    requires.forEach((k) => after.add(k));
    result.set(change, { after, requires });
  }
  return result;
}
