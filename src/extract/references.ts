import type { LiveResource } from '../azure/live-state';
import type { PolicyDocument } from '../policy/ast';
import { attributeValue, elementsNamed, findNamedValueReferences } from '../policy';
import { repoPathOf, type ResourceKind } from '../resources/types';
import { livePolicy, parseLivePolicy } from './policies';

/**
 * What a selective extraction needs besides the selected APIs and products: the named values, backends and
 * fragments their policies use (fragments and backends may use more named values), so the extracted part
 * validates on its own.
 */

/** Names are kept lowercased: APIM resolves references to named values, backends and fragments case-insensitively. */
export interface References {
  /** Named values by displayName, as policies name them. */
  namedValues: Set<string>;
  backends: Set<string>;
  fragments: Set<string>;
}

function emptyReferences(): References {
  return { namedValues: new Set(), backends: new Set(), fragments: new Set() };
}

function collectPolicyReferences(document: PolicyDocument, into: References): void {
  for (const reference of findNamedValueReferences(document)) into.namedValues.add(reference.name.toLowerCase());
  for (const element of elementsNamed(document.root, 'include-fragment')) {
    const id = attributeValue(element, 'fragment-id');
    if (id) into.fragments.add(id.toLowerCase());
  }
  for (const element of elementsNamed(document.root, 'set-backend-service')) {
    const id = attributeValue(element, 'backend-id');
    if (id && !id.startsWith('@')) into.backends.add(id.toLowerCase());
  }
}

function collectLivePolicy(resource: LiveResource, fragment: boolean, into: References): void {
  const live = livePolicy(resource.properties);
  if (!live) return;
  const document = parseLivePolicy(live, repoPathOf(resource.ref) ?? '', fragment ? 'fragment' : resource.ref.kind === 'resolverPolicy' ? 'resolver' : 'scope');
  if (document) collectPolicyReferences(document, into);
}

const REFERENCE_IN_TEXT = /\{\{([A-Za-z0-9._-]+)\}\}/g;

/** Named values a backend's url or credentials name. */
function collectBackend(resource: LiveResource, into: References): void {
  for (const match of JSON.stringify(resource.properties).matchAll(REFERENCE_IN_TEXT)) into.namedValues.add(match[1].toLowerCase());
}

/** What the selected policies name directly. */
export function policyReferences(policies: LiveResource[]): References {
  const references = emptyReferences();
  for (const policy of policies) collectLivePolicy(policy, false, references);
  return references;
}

/**
 * The service-level kinds worth reading for these references: fragments may lead to backends and named values,
 * backends to named values; nothing referenced, nothing to read.
 */
export function referencedKinds(references: References): ResourceKind[] {
  if (references.fragments.size) return ['policyFragment', 'backend', 'namedValue'];
  if (references.backends.size) return ['backend', 'namedValue'];
  return references.namedValues.size ? ['namedValue'] : [];
}

/**
 * The service-level resources the references reach, following fragments and backends. `service` holds every live
 * resource of the kinds referencedKinds asked for. (The references are extended as fragments are followed.)
 */
export function selectReferenced(references: References, service: LiveResource[]): LiveResource[] {
  const ofKind = (kind: ResourceKind) => service.filter((resource) => resource.ref.kind === kind);
  const fragments = new Map<string, LiveResource>();
  // Fragments can name further fragments and backends: follow until nothing new appears.
  for (let grew = true; grew; ) {
    grew = false;
    for (const fragment of ofKind('policyFragment')) {
      const id = fragment.ref.ids[0].toLowerCase();
      if (references.fragments.has(id) && !fragments.has(id)) {
        fragments.set(id, fragment);
        collectLivePolicy(fragment, true, references);
        grew = true;
      }
    }
  }
  const backends = ofKind('backend').filter((backend) => references.backends.has(backend.ref.ids[0].toLowerCase()));
  for (const backend of backends) collectBackend(backend, references);
  const namedValues = ofKind('namedValue').filter((namedValue) => {
    const displayName = namedValue.properties.displayName;
    return references.namedValues.has((typeof displayName === 'string' ? displayName : namedValue.ref.ids[0]).toLowerCase());
  });
  return [...namedValues, ...backends, ...fragments.values()];
}
