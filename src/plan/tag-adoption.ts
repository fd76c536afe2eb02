import type { LiveState } from '../azure/live-state';
import type { DesiredResource, DesiredState } from '../render/desired';
import { TAG_LINK_KINDS } from '../resources/types';

/**
 * The repository names tags by display name and derives their ids (src/render/tag-id.ts), but a tag made by hand in
 * APIM has whatever id its author chose. Planning adopts such a tag: a desired tag whose derived id the instance does
 * not use for that name takes the id of the live tag with the same display name (case-insensitive, as APIM compares
 * names), so the plan neither creates a second tag nor moves the API links. The adoption is plain data (derived id →
 * live id), recorded in the plan so that applying it writes to the same ids.
 */

export type TagAdoptions = Record<string, string>;

const nameKey = (name: unknown): string | undefined => (typeof name === 'string' ? name.toLowerCase() : undefined);

export function tagAdoptions(desired: DesiredState, live: LiveState): TagAdoptions {
  const liveTags = live.resources.filter((r) => r.ref.kind === 'tag');
  const liveNames = new Map(liveTags.map((r) => [r.ref.ids[0], nameKey(r.properties.displayName)]));
  const wanted = desired.resources.filter((r) => r.ref.kind === 'tag').map((r) => ({ id: r.ref.ids[0], name: r.properties.displayName }));
  // A live tag with the derived id and the same name is the repository's own; others are adopted at most once.
  const claimed = new Set(wanted.filter(({ id, name }) => liveNames.get(id) === nameKey(name)).map(({ id }) => id));
  const adopted = new Map<string, string>();
  for (const { id, name } of wanted) {
    if (claimed.has(id) || nameKey(name) === undefined) continue;
    const candidates = liveTags
      .filter((r) => liveNames.get(r.ref.ids[0]) === nameKey(name) && !claimed.has(r.ref.ids[0]))
      .sort((a, b) => Number(b.properties.displayName === name) - Number(a.properties.displayName === name) || a.ref.ids[0].localeCompare(b.ref.ids[0]));
    if (!candidates.length) continue;
    adopted.set(id, candidates[0].ref.ids[0]);
    claimed.add(candidates[0].ref.ids[0]);
  }
  // A tag that keeps its derived id (no live tag has its name) cannot share it with a tag adopted under that id: the
  // adoption gives way (that tag is then renamed in place, as without adoption).
  for (let changed = true; changed; ) {
    changed = false;
    const taken = new Map([...adopted].map(([from, to]) => [to, from]));
    for (const { id } of wanted) {
      const rival = taken.get(id);
      if (!adopted.has(id) && rival !== undefined) {
        adopted.delete(rival);
        changed = true;
      }
    }
  }
  return Object.fromEntries([...adopted].sort(([a], [b]) => a.localeCompare(b)));
}

/** The desired state with adopted tags (and their links) under the live tags' ids. */
export function adoptTags(desired: DesiredState, adoptions: TagAdoptions | undefined): DesiredState {
  if (!adoptions || !Object.keys(adoptions).length) return desired;
  const renamed = (resource: DesiredResource): DesiredResource => {
    const { kind, ids } = resource.ref;
    const tagIndex = kind === 'tag' ? 0 : TAG_LINK_KINDS.includes(kind) ? ids.length - 1 : -1;
    const adopted = tagIndex >= 0 ? adoptions[ids[tagIndex]] : undefined;
    return adopted === undefined ? resource : { ...resource, ref: { kind, ids: ids.map((id, i) => (i === tagIndex ? adopted : id)) } };
  };
  return { ...desired, resources: desired.resources.map(renamed) };
}
