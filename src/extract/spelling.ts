import { parseFileName } from '../resources/file-names';
import { ownerOfKey, RESOURCE_TYPES, resourceType, type ResourceKind, type ResourceRef } from '../resources/types';
import type { ExistingRepository } from './existing';

/**
 * APIM ids are case-insensitive: an instance may spell `orders-api` as `Orders-API`, and diff and publish see no
 * difference. Extract writes under the spelling the repository already uses, so its files are updated in place (no
 * rename that would lose their comments and repository-only fields) and the ids its files list keep their spelling;
 * an id the repository does not have keeps the instance's spelling (a fresh extract is the instance as it is).
 *
 * The repository spells ids in the paths of its files (every resource type's `repoPath`), in the lists of what a
 * product links to, and in its specifications' operationIds. Each place yields bindings (`{ apiId: 'orders-api',
 * operationId: 'get-order' }`) that are recorded per key the same way, whatever the resource type.
 */

/** A file's placeholder values (`apiId`, `operationId`…) as the repository spells them. */
type Binding = Record<string, string>;

/**
 * The YAML list in which the file at a link type's `repoPath` names the resources it links to (the link's last
 * key): a product's `apis` and `groups`.
 */
const LINK_LISTS: Partial<Record<ResourceKind, string>> = { productApi: 'apis', productGroup: 'groups' };

/** The keys within which a key's ids are unique: an operation id within its API, an API id within the service. */
function scopeKeysOf(key: string): string[] {
  return ownerOfKey(key)?.keys.slice(0, -1) ?? [];
}

const SCOPE_KEYS = new Map(RESOURCE_TYPES.flatMap((type) => type.keys).map((key) => [key, scopeKeysOf(key)]));

/** Where the spellings of a key's ids are kept: the key and its scope's ids (as one string; undefined when part of the scope is not known). */
function tableName(key: string, binding: Binding): string | undefined {
  const scope = (SCOPE_KEYS.get(key) ?? []).map((scopeKey) => binding[scopeKey]);
  if (scope.some((id) => id === undefined)) return undefined;
  return [key, ...scope.map((id) => id.toLowerCase())].join('\u0000');
}

/** A file's placeholder values as its path spells them (file and folder names) and as the ids they stand for. */
interface PathBinding {
  names: Binding;
  ids: Binding;
}

function fillPath(template: string, names: Binding): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => names[key]);
}

/**
 * The id a name stands for, as the repository loader reads it: a shortened name's id is the `id:` of the definition
 * file of the resource the key identifies (`apis/<name>/api.yaml`); undefined when there is none.
 */
function idOfName(existing: ExistingRepository, key: string, stem: string, suffix: string, names: Binding): string | undefined {
  const parsed = parseFileName(stem + suffix, suffix);
  if (!parsed.shortened) return parsed.id;
  const definition = ownerOfKey(key)?.repoPath;
  const declared = definition?.endsWith('.yaml') ? existing.yamlField(fillPath(definition, { ...names, [key]: stem }), 'id') : undefined;
  return typeof declared === 'string' ? declared : undefined;
}

/** Every existing file that matches a path template (`apis/{apiId}/operations/{operationId}.xml`), with the values of its placeholders. */
function filesMatching(existing: ExistingRepository, template: string): PathBinding[] {
  const segments = template.split('/');
  let matches: Array<{ dir: string } & PathBinding> = [{ dir: '', names: {}, ids: {} }];
  segments.forEach((segment, index) => {
    const want = index === segments.length - 1 ? 'file' : 'directory';
    const placeholder = /^(.*)\{(\w+)\}(.*)$/.exec(segment);
    matches = matches.flatMap(({ dir, names, ids }) =>
      existing
        .list(dir, want)
        .filter((name) => (placeholder ? name.length > placeholder[1].length + placeholder[3].length && name.startsWith(placeholder[1]) && name.endsWith(placeholder[3]) : name === segment))
        .flatMap((name) => {
          const next = dir ? `${dir}/${name}` : name;
          if (!placeholder) return [{ dir: next, names, ids }];
          const [, prefix, key, suffix] = placeholder;
          const stem = name.slice(prefix.length, name.length - suffix.length);
          const id = idOfName(existing, key, stem, suffix, names);
          return id === undefined ? [] : [{ dir: next, names: { ...names, [key]: stem }, ids: { ...ids, [key]: id } }];
        }),
    );
  });
  return matches.map(({ names, ids }) => ({ names, ids }));
}

/** The repository's spellings, most authoritative first (the first spelling recorded for an id is the one used). */
function repositoryBindings(existing: ExistingRepository): Binding[] {
  // The loader requires an operation policy's file name to be its specification's operationId, letter for letter.
  const operations = existing.list('apis', 'directory').flatMap((name) => {
    const apiId = idOfName(existing, 'apiId', name, '', {});
    return apiId === undefined ? [] : existing.operationIdsIn(`apis/${name}`).map((operationId) => ({ apiId, operationId }));
  });
  const paths = RESOURCE_TYPES.flatMap((type) => (type.repoPath ? filesMatching(existing, type.repoPath).map(({ ids }) => ids) : []));
  const listed = RESOURCE_TYPES.flatMap((type) => {
    const list = LINK_LISTS[type.kind];
    if (!list || !type.repoPath) return [];
    const template = type.repoPath;
    const linkedKey = type.keys[type.keys.length - 1];
    return filesMatching(existing, template).flatMap(({ names, ids }) => {
      const entries = existing.yamlField(fillPath(template, names), list);
      return Array.isArray(entries) ? entries.filter((entry): entry is string => typeof entry === 'string').map((entry) => ({ ...ids, [linkedKey]: entry })) : [];
    });
  });
  return [...operations, ...paths, ...listed];
}

export class RepositorySpelling {
  /** By table name (see tableName): lower-cased id → the repository's spelling. */
  private readonly spellings = new Map<string, Map<string, string>>();

  constructor(existing: ExistingRepository) {
    for (const binding of repositoryBindings(existing)) {
      for (const [key, id] of Object.entries(binding)) {
        const name = tableName(key, binding);
        if (name === undefined) continue;
        if (!this.spellings.has(name)) this.spellings.set(name, new Map());
        const table = this.spellings.get(name)!;
        if (!table.has(id.toLowerCase())) table.set(id.toLowerCase(), id);
      }
    }
  }

  /** The resource with each id spelled as the repository spells it (ids it does not have stay as they are). */
  spell(ref: ResourceRef): ResourceRef {
    const keys = resourceType(ref.kind).keys;
    const spelled: Binding = {};
    keys.forEach((key, index) => {
      const id = ref.ids[index];
      const name = tableName(key, spelled);
      spelled[key] = (name !== undefined && this.spellings.get(name)?.get(id.toLowerCase())) || id;
    });
    return { kind: ref.kind, ids: keys.map((key) => spelled[key]) };
  }
}
