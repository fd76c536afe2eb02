import { UserError } from '../diagnostics';
import type { LiveResource, LiveState } from '../azure/live-state';
import { attributeValue, elementsNamed, findNamedValueReferences, namedValueNamesIn } from '../policy/query';
import type { DesiredResource, DesiredState, RenderedRepository } from '../render/desired';
import { resourceType, revisionOf, type ResourceKind, type ResourceRef } from '../resources/types';
import { refKey } from './plan';
import { didYouMean } from '../suggest';

/**
 * `diff` / `publish` `--api ID… --product ID…`: only part of the repository is planned and applied. The selection is
 * the selected APIs (with their revisions, operations, policies, tag links, diagnostics, schemas, resolvers and
 * release) and products (with their policy, group and tag links, and their links to selected APIs), plus what these
 * use: the named values, backends and fragments their policies reach (fragments followed), version sets, custom
 * groups, loggers, tags, and subscriptions scoped to them. A product's links to APIs outside the selection are left as
 * the instance has them, neither created nor removed: nothing outside the selection is ever written or deleted.
 *
 * `--changed-since REF` (./changed-since) selects the same way, with two additions: service-level resources selected
 * by themselves (a changed named value, backend, fragment, global policy…), and products whose every link is theirs,
 * so that an API added to or dropped from a changed product's list is linked or unlinked.
 */

export interface Selection {
  apis: string[];
  products: string[];
  /**
   * Service-level resources selected by themselves, with what they use; one the repository no longer has is read from
   * the instance by id, so that the plan shows its deletion.
   */
  resources?: ResourceRef[];
  /** Every link of the selected products is in the selection, not only those to selected APIs. */
  allProductLinks?: boolean;
}

/** The selected part of the desired state, and how to read and filter the live state to match it. */
export interface SelectedState {
  desired: DesiredState;
  selection: Selection;
  /** The service-level resources of the selection (named values, backends, fragments, …): read one by one by id. */
  serviceRefs: ResourceRef[];
  /** Whether a live resource read for the selection's APIs and products belongs to it (a product's link to an API outside it does not). */
  includesLive(resource: LiveResource): boolean;
  /**
   * Whether what only --prune would delete is read too: a live operation policy the repository lacks. Without it, the
   * operation policies read are those the repository has, so the reads grow with the selection's own policies only.
   */
  prune: boolean;
}

const SERVICE_KINDS: ResourceKind[] = ['namedValue', 'backend', 'policyFragment', 'apiVersionSet', 'group', 'logger', 'tag', 'subscription'];

/** The selection's ids as the repository spells them; an id the repository does not define is a UserError. */
export function resolveSelection(rendered: RenderedRepository, apis: string[] = [], products: string[] = []): Selection {
  const resolve = (label: string, folder: string, wanted: string[], defined: string[]): string[] => {
    const byLowerCase = new Map(defined.map((id) => [id.toLowerCase(), id]));
    return wanted.map((id) => {
      const found = byLowerCase.get(id.toLowerCase());
      if (found === undefined) throw new UserError(`${label} '${id}' is not in the repository (${folder})${didYouMean(id, defined)}`);
      return found;
    });
  };
  return {
    apis: [...new Set(resolve('--api', 'apis/', apis, rendered.model.apis.map((api) => api.id)))],
    products: [...new Set(resolve('--product', 'products/', products, rendered.model.products.map((product) => product.id)))],
  };
}

export function selectDesired(rendered: RenderedRepository, selection: Selection, prune: boolean): SelectedState {
  const { resources } = rendered.desired;
  const apis = new Set(selection.apis.map((id) => id.toLowerCase()));
  const products = new Set(selection.products.map((id) => id.toLowerCase()));
  const apiOf = (ref: ResourceRef) => (revisionOf(ref.ids[0])?.apiId ?? ref.ids[0]).toLowerCase();
  const linksOwned = (ref: ResourceRef): boolean => selection.allProductLinks === true || apis.has(ref.ids[1].toLowerCase());
  const inFamilies = (ref: ResourceRef): boolean => {
    if (ref.kind === 'productApi') return products.has(ref.ids[0].toLowerCase()) && linksOwned(ref);
    if (ref.kind === 'product' || resourceType(ref.kind).parent === 'product') return products.has(ref.ids[0].toLowerCase());
    if (ref.kind === 'api' || isApiScoped(ref.kind)) return apis.has(apiOf(ref));
    return false;
  };
  const named = new Set((selection.resources ?? []).map(refKey));
  const selected = resources.filter((resource) => inFamilies(resource.ref));
  const namedResources = resources.filter((resource) => named.has(refKey(resource.ref)));
  const uses = new Uses(rendered);
  for (const resource of [...selected, ...namedResources]) uses.collect(resource);
  for (const subscription of resources.filter((r) => r.ref.kind === 'subscription')) {
    const scope = /^\/(apis|products)\/([^/]+)$/.exec(String(subscription.properties.scope ?? ''));
    if (scope && (scope[1] === 'apis' ? apis : products).has(scope[2].toLowerCase())) uses.add('subscription', subscription.ref.ids[0]);
  }
  const service = uses.resolve(resources);
  service.forEach((resource) => uses.collect(resource));
  const used = uses.resolve(resources).filter((resource) => !named.has(refKey(resource.ref)));
  const serviceResources = [...namedResources, ...used];
  const defined = new Set(resources.map((resource) => refKey(resource.ref)));
  const removed = (selection.resources ?? []).filter((ref) => !defined.has(refKey(ref)));
  return {
    desired: { environment: rendered.desired.environment, resources: [...serviceResources, ...selected] },
    selection,
    serviceRefs: [...serviceResources.map((resource) => resource.ref), ...removed],
    includesLive: ({ ref }) => ref.kind !== 'productApi' || apis.has(ref.ids[1].toLowerCase()) || (selection.allProductLinks === true && products.has(ref.ids[0].toLowerCase())),
    prune,
  };
}

/** The live state with only what belongs to the selection. */
export function liveWithin(selected: SelectedState, live: LiveState): LiveState {
  return { resources: live.resources.filter((resource) => selected.includesLive(resource)) };
}

function isApiScoped(kind: ResourceKind): boolean {
  for (let parent = resourceType(kind).parent; parent; parent = resourceType(parent).parent) if (parent === 'api') return true;
  return false;
}

/** The service-level resources a set of resources uses, by kind and lowercased id (named values by displayName). */
class Uses {
  private readonly ids = new Map<ResourceKind, Set<string>>(SERVICE_KINDS.map((kind) => [kind, new Set<string>()]));
  private readonly namedValueNames = new Set<string>();
  private readonly backendsOfApis: Map<string, string>;

  constructor(rendered: RenderedRepository) {
    this.backendsOfApis = new Map(rendered.model.apis.flatMap((api) => (api.definition.data.backend ? [[api.id.toLowerCase(), api.definition.data.backend]] : [])));
  }

  add(kind: ResourceKind, id: string): void {
    this.ids.get(kind)!.add(id.toLowerCase());
  }

  collect(resource: DesiredResource): void {
    const { ref, properties, policy } = resource;
    if (policy) {
      for (const reference of findNamedValueReferences(policy)) this.namedValueNames.add(reference.name.toLowerCase());
      for (const element of elementsNamed(policy.root, 'include-fragment')) this.addNamed('policyFragment', attributeValue(element, 'fragment-id'));
      for (const element of elementsNamed(policy.root, 'set-backend-service')) this.addNamed('backend', attributeValue(element, 'backend-id'));
    } else {
      // `{{name}}` in YAML-defined properties: a backend's url or credentials, a logger's credentials.
      for (const name of namedValueNamesIn(JSON.stringify(properties))) this.namedValueNames.add(name.toLowerCase());
    }
    if (ref.kind === 'api') {
      this.addNamed('apiVersionSet', idAfter(properties.apiVersionSetId, 'apiVersionSets'));
      this.addNamed('backend', this.backendsOfApis.get(ref.ids[0].toLowerCase()));
    }
    if (ref.kind === 'diagnostic' || ref.kind === 'apiDiagnostic') this.addNamed('logger', idAfter(properties.loggerId, 'loggers'));
    if (ref.kind === 'productGroup') this.add('group', ref.ids[1]);
    const type = resourceType(ref.kind);
    if (type.link && type.references.includes('tag')) this.add('tag', ref.ids[ref.ids.length - 1]);
  }

  /** The repository's resources these uses name, fragments followed (a fragment may include others). */
  resolve(resources: DesiredResource[]): DesiredResource[] {
    for (let grew = true; grew; ) {
      grew = false;
      for (const fragment of resources.filter((r) => r.ref.kind === 'policyFragment' && this.has(r))) {
        const before = this.size();
        this.collect(fragment);
        if (this.size() > before) grew = true;
      }
    }
    return resources.filter((resource) => SERVICE_KINDS.includes(resource.ref.kind) && this.has(resource));
  }

  private has(resource: DesiredResource): boolean {
    const { kind, ids } = resource.ref;
    if (kind === 'namedValue') return this.namedValueNames.has(String(resource.properties.displayName ?? ids[0]).toLowerCase());
    return this.ids.get(kind)?.has(ids[0].toLowerCase()) ?? false;
  }

  private size(): number {
    return [...this.ids.values()].reduce((total, set) => total + set.size, this.namedValueNames.size);
  }

  private addNamed(kind: ResourceKind, id: string | undefined): void {
    // A policy expression choosing the backend at run time names none for sure.
    if (id && !id.startsWith('@')) this.add(kind, id.trim());
  }
}

/** `/apiVersionSets/v` (or a full ARM id ending so) → `v`. */
function idAfter(reference: unknown, collection: string): string | undefined {
  const match = typeof reference === 'string' ? new RegExp(`/${collection}/([^/]+)$`, 'i').exec(reference) : null;
  return match ? decodeURIComponent(match[1]) : undefined;
}
