import type { SourcePos } from '../diagnostics';
import type { DesiredResource, DesiredState } from '../render/desired';
import type { LiveResource, LiveState } from '../azure/live-state';
import { BUILT_IN_GROUPS, TAG_LINK_KINDS, displayId, kindsInDependencyOrder, resourceType, revisionOf, type ResourceKind, type ResourceRef } from '../resources/types';
import { isLinkFormat } from '../render/api-types';
import { changedFields, comparePolicies, createdFields, type FieldChange } from './compare';
import { adoptTags, tagAdoptions, type TagAdoptions } from './tag-adoption';
import { revisionSwitches, withRevisionSwitches, type RevisionSwitches } from './revisions';

/**
 * Stage 3b: the plan — desired state vs live state, as plain serializable data. It never holds a secret value
 * (publish takes the bodies from the desired state when it applies the plan).
 */

export type ChangeAction = 'create' | 'update' | 'delete';

export interface PlannedChange {
  action: ChangeAction;
  ref: ResourceRef;
  kind: ResourceKind;
  /** displayId of ref. */
  id: string;
  fields: FieldChange[];
  /** Policy kinds: unified diff of the canonical policy text. */
  policyDiff?: string;
  /** The ETag the plan saw; publish writes with If-Match on it. */
  etag?: string;
  /** api: the write imports the specification, which creates/replaces/removes the API's operations. */
  importSpecification?: boolean;
  /** apiOperation: carried out by its API's specification import, not by a request of its own. */
  viaImport?: boolean;
  /** Removed by deleting this ancestor (no request of its own). */
  deletedWith?: ResourceRef;
  /**
   * delete: a link dropped from a list the repository still defines (a product's `apis`/`groups`/`tags`, an API's
   * `tags`/`operationTags`), even when what it joins was deleted from the repository too. Such a list is the
   * repository's statement of the whole membership (who has access), so every publish removes the link; only what the
   * repository dropped altogether waits for --prune.
   */
  droppedFromList?: boolean;
  /** Where the repository defines it (creates and updates). */
  source?: SourcePos;
  /**
   * create: the API's import makes one too (a SOAP-to-REST operation's policy), so the write replaces the one the
   * import made rather than requiring that none exists.
   */
  replacesImported?: boolean;
}

export interface Plan {
  formatVersion: 1;
  environment: string;
  /** Creates and updates in dependency order, then deletes in reverse dependency order. */
  changes: PlannedChange[];
  /** Resources present on both sides with nothing to change. */
  unchanged: number;
  /** Tags the plan writes under a live tag's id rather than the one derived from their name (see ./tag-adoption). */
  adoptedTags?: TagAdoptions;
  /** APIs whose release makes another revision current, and how their revisions are addressed until then (./revisions). */
  revisionSwitches?: RevisionSwitches;
}

export interface PlanSummary {
  create: number;
  update: number;
  /** Deletions this run carries out. */
  delete: number;
  /** Deletions listed that only publish --prune carries out (the resource stays). */
  kept: number;
  unchanged: number;
}

/** The pseudo-field an API update names when its operations differ from its specification's. */
export const SPECIFICATION_FIELD = 'specification';

const ADMINISTRATORS = 'administrators';

/** APIM's own resources, never deleted unless the repository names them (keyed by the key that names them). */
const BUILT_IN_IDS: Record<string, { kind: ResourceKind; ids: string[] }> = {
  apiId: { kind: 'api', ids: ['echo-api'] },
  productId: { kind: 'product', ids: ['starter', 'unlimited'] },
  groupId: { kind: 'group', ids: [...BUILT_IN_GROUPS] },
  sid: { kind: 'subscription', ids: ['master'] },
};

/** Identity of a resource for matching desired with live: APIM resource ids are case-insensitive. */
export function refKey(ref: ResourceRef): string {
  return `${ref.kind}:${ref.ids.join('\u0000').toLowerCase()}`;
}

function namedIds(ref: ResourceRef): string[] {
  const keys = resourceType(ref.kind).keys;
  return keys.flatMap((key, i) => (BUILT_IN_IDS[key] ? [`${BUILT_IN_IDS[key].kind}:${ref.ids[i]}`] : []));
}

function isUnnamedBuiltIn(ref: ResourceRef, named: Set<string>): boolean {
  // Every instance has a service-wide policy (APIM's default one at first); without policies/global.xml the
  // repository does not manage it, rather than asking for it to be removed.
  if (ref.kind === 'globalPolicy') return true;
  const type = resourceType(ref.kind);
  const isUnnamed = (key: string, i: number): boolean => {
    const builtIn = BUILT_IN_IDS[key];
    return Boolean(builtIn?.ids.includes(ref.ids[i]) && !named.has(`${builtIn.kind}:${ref.ids[i]}`));
  };
  // A link's last id names what it joins, not the link: a managed product's link to the built-in developers group
  // is the repository's to remove. Only the Administrators link is the service's own: APIM adds it to every new
  // product, so it is left alone unless the repository names that group.
  if (!type.link) return type.keys.some(isUnnamed);
  const target = type.keys.length - 1;
  if (type.keys.slice(0, target).some(isUnnamed)) return true;
  return ref.kind === 'productGroup' && ref.ids[target] === ADMINISTRATORS && !named.has(`group:${ADMINISTRATORS}`);
}

/** The ref of the resource `ref` lives under (its parent kind takes the leading ids; a revision lives under its API). */
function parentRef(ref: ResourceRef): ResourceRef | undefined {
  const revision = ref.kind === 'api' ? revisionOf(ref.ids[0]) : undefined;
  if (revision) return { kind: 'api', ids: [revision.apiId] };
  const parent = resourceType(ref.kind).parent;
  return parent ? { kind: parent, ids: ref.ids.slice(0, resourceType(parent).keys.length) } : undefined;
}

/** Parent, grandparent, … of a resource. */
export function ancestors(ref: ResourceRef): ResourceRef[] {
  const chain: ResourceRef[] = [];
  for (let parent = parentRef(ref); parent; parent = parentRef(parent)) chain.push(parent);
  return chain;
}

function makeChange(action: ChangeAction, ref: ResourceRef, extra: Partial<PlannedChange> = {}): PlannedChange {
  return { action, ref, kind: ref.kind, id: displayId(ref), fields: [], ...extra };
}

function sortChanges(changes: PlannedChange[]): PlannedChange[] {
  const order = new Map(kindsInDependencyOrder().map((kind, i) => [kind, i]));
  const rank = (c: PlannedChange) => order.get(c.kind) ?? 0;
  const byId = (a: PlannedChange, b: PlannedChange) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const writes = changes.filter((c) => c.action !== 'delete').sort((a, b) => rank(a) - rank(b) || byId(a, b));
  const deletes = changes.filter((c) => c.action === 'delete').sort((a, b) => rank(b) - rank(a) || byId(a, b));
  return [...writes, ...deletes];
}

function labelOf(ref: ResourceRef, source?: SourcePos): string {
  return source?.file ?? `live:${ref.kind}/${displayId(ref)}`;
}

function planDesired(desired: DesiredResource, live: LiveResource | undefined): PlannedChange | undefined {
  const { ref, source } = desired;
  const label = labelOf(ref, source);
  if (!live) {
    const policyDiff = resourceType(ref.kind).policy ? comparePolicies(desired, undefined, label).diff : undefined;
    return makeChange('create', ref, { fields: createdFields(desired), policyDiff, source });
  }
  const { fields, policyDiff } = changedFields(desired, live, label);
  return fields.length ? makeChange('update', ref, { fields, policyDiff, etag: live.etag, source }) : undefined;
}

/**
 * APIs whose desired body carries a specification to import, and of those the ones whose operations the repository
 * manages: not a linked specification's (the repository does not hold the document that says them).
 */
function apisWithSpecification(desired: DesiredState): { importing: Set<string>; operationsManaged: Set<string> } {
  const importing = desired.resources.filter((r) => r.ref.kind === 'api' && typeof r.properties.value === 'string');
  return {
    importing: new Set(importing.map((r) => r.ref.ids[0])),
    operationsManaged: new Set(importing.filter((r) => !isLinkFormat(r.properties.format)).map((r) => r.ref.ids[0])),
  };
}

/**
 * Live resources the repository no longer has, within the managed kinds, minus APIM's built-ins the repository
 * does not name. A resource whose parent is deleted too is marked `deletedWith` it; an operation the next
 * specification import removes is marked `viaImport`.
 */
function planDeletes(desired: DesiredState, live: LiveState, desiredKeys: Set<string>, specApis: Set<string>): PlannedChange[] {
  const named = new Set(desired.resources.flatMap((r) => namedIds(r.ref)));
  const soapToRest = new Set(desired.resources.filter((r) => r.ref.kind === 'api' && isSoapToRest(r.properties)).map((r) => r.ref.ids[0].toLowerCase()));
  const deletedKeys = new Set<string>();
  const orphans = live.resources.filter((r) => {
    const type = resourceType(r.ref.kind);
    if (!type.managed || desiredKeys.has(refKey(r.ref)) || isUnnamedBuiltIn(r.ref, named)) return false;
    // The system groups are referenced by name (a product's groups), never defined: the repository cannot delete them.
    if (r.ref.kind === 'group' && r.properties.builtIn === true) return false;
    // Releases are the API's history: the repository holds the one that made its current revision current.
    if (r.ref.kind === 'apiRelease') return false;
    // A SOAP-to-REST import gives each operation the policy that builds its SOAP envelope: the import's, not the repository's.
    if (r.ref.kind === 'operationPolicy' && soapToRest.has(r.ref.ids[0].toLowerCase())) return false;
    if (r.ref.kind === 'apiOperation' && desiredKeys.has(refKey({ kind: 'api', ids: [r.ref.ids[0]] }))) {
      return specApis.has(r.ref.ids[0]);
    }
    return true;
  });
  // A tag goes as the repository drops its last link to it. Deleting a tag removes every link to it, so one that a
  // kept link names stays; and a tag no API links is not one the repository could name (extract cannot write it).
  const orphanKeys = new Set(orphans.map((r) => refKey(r.ref)));
  const tagLinks = live.resources.filter((r) => TAG_LINK_KINDS.includes(r.ref.kind));
  const tagOf = (ref: ResourceRef) => ref.ids[ref.ids.length - 1];
  const linkedTags = (dropped: boolean) => new Set(tagLinks.filter((r) => orphanKeys.has(refKey(r.ref)) === dropped).map((r) => tagOf(r.ref)));
  const [droppedTags, keptTags] = [linkedTags(true), linkedTags(false)];
  const deletable = orphans.filter((r) => r.ref.kind !== 'tag' || (droppedTags.has(r.ref.ids[0]) && !keptTags.has(r.ref.ids[0])));
  deletable.forEach((r) => deletedKeys.add(refKey(r.ref)));
  const deletes = deletable.map((r) => {
    const deletedWith = ancestors(r.ref)
      .reverse()
      .find((a) => deletedKeys.has(refKey(a)));
    const viaImport = !deletedWith && r.ref.kind === 'apiOperation';
    const droppedFromList = !deletedWith && isDroppedFromList(r.ref, desiredKeys);
    return makeChange('delete', r.ref, {
      etag: r.etag,
      deletedWith,
      viaImport: viaImport || undefined,
      droppedFromList: droppedFromList || undefined,
    });
  });
  // A tag exists for the tag lists that name it: when the last of them drops it, the tag goes in the same run
  // (left behind unlinked, no later plan could tell it from a tag made by hand).
  const tagLinkDeletes = deletes.filter((c) => TAG_LINK_KINDS.includes(c.kind));
  for (const tag of deletes.filter((c) => c.kind === 'tag')) {
    const links = tagLinkDeletes.filter((c) => tagOf(c.ref) === tag.ref.ids[0]);
    if (links.every((c) => c.droppedFromList)) tag.droppedFromList = true;
  }
  return deletes;
}

/** Operation policies the API's SOAP-to-REST import creates before the repository's own is written. */
function markImportedPolicies(changes: PlannedChange[], desired: DesiredState): void {
  const soapToRest = new Set(desired.resources.filter((r) => r.ref.kind === 'api' && isSoapToRest(r.properties)).map((r) => r.ref.ids[0].toLowerCase()));
  for (const change of changes) if (change.kind === 'operationPolicy' && change.action === 'create' && soapToRest.has(change.ref.ids[0].toLowerCase())) change.replacesImported = true;
}

/** An API body importing a WSDL as REST operations. */
function isSoapToRest(properties: Record<string, unknown>): boolean {
  return String(properties.format).startsWith('wsdl') && properties.apiType === 'http';
}

/**
 * A link whose parent the repository still defines: the parent's list is the whole membership, so a link it no longer
 * names goes, whether or not what it joins stays (an API deleted from the repository and dropped from a product's
 * `apis` loses that product's access at once; only the API itself waits for --prune).
 */
function isDroppedFromList(ref: ResourceRef, desiredKeys: Set<string>): boolean {
  const parent = parentRef(ref);
  return Boolean(resourceType(ref.kind).link && parent && desiredKeys.has(refKey(parent)));
}

/**
 * Operation changes are carried out by importing the API's specification: mark that API's write as an import
 * (a new API always imports its specification), or add an update of the API when nothing else about it changed.
 * Returns the added updates (APIs that were counted unchanged).
 */
function attachSpecificationImports(changes: PlannedChange[], live: Map<string, LiveResource>, specApis: Set<string>): PlannedChange[] {
  const pending = new Set(changes.filter((c) => c.kind === 'apiOperation' && !c.deletedWith).map((c) => c.ref.ids[0]));
  for (const change of changes) {
    if (change.kind === 'apiOperation' && !change.deletedWith) change.viaImport = true;
    if (change.kind !== 'api' || change.action === 'delete') continue;
    const apiId = change.ref.ids[0];
    if (specApis.has(apiId) && (change.action === 'create' || pending.has(apiId))) change.importSpecification = true;
    if (change.action === 'update' && pending.has(apiId)) change.fields.push({ field: SPECIFICATION_FIELD });
    pending.delete(apiId);
  }
  return [...pending].map((apiId) => {
    const ref: ResourceRef = { kind: 'api', ids: [apiId] };
    return makeChange('update', ref, {
      fields: [{ field: SPECIFICATION_FIELD }],
      etag: live.get(refKey(ref))?.etag,
      importSpecification: true,
    });
  });
}

export function plan(repository: DesiredState, live: LiveState): Plan {
  const adoptedTags = tagAdoptions(repository, live);
  const switches = revisionSwitches(repository, live);
  const desired = withRevisionSwitches(adoptTags(repository, adoptedTags), switches);
  const liveByKey = new Map(live.resources.map((r) => [refKey(r.ref), r]));
  const desiredKeys = new Set(desired.resources.map((r) => refKey(r.ref)));
  const specApis = apisWithSpecification(desired);
  const changes: PlannedChange[] = [];
  let unchanged = 0;
  for (const resource of desired.resources) {
    const change = planDesired(resource, liveByKey.get(refKey(resource.ref)));
    if (change) changes.push(change);
    else unchanged += 1;
  }
  changes.push(...planDeletes(desired, live, desiredKeys, specApis.operationsManaged));
  markImportedPolicies(changes, desired);
  const apiImports = attachSpecificationImports(changes, liveByKey, specApis.importing);
  return {
    formatVersion: 1,
    environment: desired.environment,
    changes: sortChanges([...changes, ...apiImports]),
    unchanged: unchanged - apiImports.length,
    ...(Object.keys(adoptedTags).length ? { adoptedTags } : {}),
    ...(Object.keys(switches).length ? { revisionSwitches: switches } : {}),
  };
}

/**
 * A delete that only publish --prune carries out: what the repository dropped altogether (and what goes with it), not
 * a link dropped from its list nor an operation its API's specification import removes.
 */
export function waitsForPrune(change: PlannedChange): boolean {
  return change.action === 'delete' && !change.droppedFromList && !change.viaImport;
}

/** The plan's counts for a run with or without --prune (diff counts as publish without it). */
export function summarize(p: Plan, prune: boolean): PlanSummary {
  const count = (action: ChangeAction) => p.changes.filter((c) => c.action === action).length;
  const kept = prune ? 0 : p.changes.filter(waitsForPrune).length;
  return { create: count('create'), update: count('update'), delete: count('delete') - kept, kept, unchanged: p.unchanged };
}
