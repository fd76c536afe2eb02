import type { LiveResource } from '../azure/live-state';
import { referencedId } from '../extract/definitions';
import { idProblemOf } from '../repo/ids';
import { BUILT_IN_GROUPS, repoPathOf, type ResourceKind, type ResourceRef } from '../resources/types';
import { readApis, type ApiAdditions, type ImportedPolicy, type ImportedSpecification, type SourceTool } from './apis';
import { parsesAsPolicy, policyTextOf } from './policies';
import { isObject, join, SourceFolder, type Properties, type Unconvertible } from './source-folder';

/**
 * The artifact folders of Microsoft's Azure/apiops (extractor/publisher) and of apiops-cli, read into the instance's
 * own shape: the ARM `properties` of each resource, as extract reads them from a live instance, so the same layout
 * turns them into repository files. The two tools share most of their layout; where they differ is data below.
 */

export type { SourceTool };
export const SOURCE_TOOLS: readonly SourceTool[] = ['azure-apiops', 'apiops-cli'];

interface ToolLayout {
  /** Top-level folder of each kind that is one information file per resource. */
  definitions: Array<{ kind: ResourceKind; folder: string; file: string }>;
  policyFragments: string;
  /**
   * How links are kept: Azure/apiops has a folder per link (`products/p/apis/a/productApiInformation.json`,
   * `tags/t/apis/a/tagApiInformation.json`); apiops-cli lists them (`products/p/apis.json`) and keeps an API's tags
   * under the API (`apis/a/tags/t/tagInformation.json`).
   */
  links: 'folders' | 'lists';
}

/** The one-file-per-resource kinds: the same in both tools but for two folder names. */
function definitions(namedValues: string, versionSets: string): ToolLayout['definitions'] {
  return [
    { kind: 'namedValue', folder: namedValues, file: 'namedValueInformation.json' },
    { kind: 'backend', folder: 'backends', file: 'backendInformation.json' },
    { kind: 'apiVersionSet', folder: versionSets, file: 'versionSetInformation.json' },
    { kind: 'group', folder: 'groups', file: 'groupInformation.json' },
    { kind: 'subscription', folder: 'subscriptions', file: 'subscriptionInformation.json' },
    { kind: 'logger', folder: 'loggers', file: 'loggerInformation.json' },
    { kind: 'diagnostic', folder: 'diagnostics', file: 'diagnosticInformation.json' },
  ];
}

const LAYOUTS: Record<SourceTool, ToolLayout> = {
  'azure-apiops': { definitions: definitions('named values', 'version sets'), policyFragments: 'policy fragments', links: 'folders' },
  'apiops-cli': { definitions: definitions('namedValues', 'versionSets'), policyFragments: 'policyFragments', links: 'lists' },
};

/**
 * What apiops does not convert (yet), by the folder (or file) that holds it: a leftover file under a matching path is
 * named through that path, once.
 */
const NOT_HELD: Array<[RegExp, string]> = [
  [/^apis\/[^/]+\/tagDescriptions\/[^/]+/, 'an API tag description: the repository format does not hold tag descriptions'],
  [/^(apis|products)\/[^/]+\/wiki\.md$/, 'a wiki page: the repository format does not hold wikis'],
  [/^gateways\/[^/]+/, 'a self-hosted gateway and its API links: apiops does not manage gateways'],
  [/^workspaces\/[^/]+/, 'a workspace: apiops does not manage workspaces'],
  [/^schemas\/[^/]+/, 'a global schema: the repository format does not hold schemas'],
  [/^policyRestrictions\/[^/]+/, 'a policy restriction: apiops does not manage policy restrictions'],
  [/^documentations\/[^/]+/, 'a documentation page: apiops does not manage documentations'],
];

export interface ImportedService {
  resources: LiveResource[];
  /** Policy texts as written in the source, by the repository path they go to. */
  policyTexts: Map<string, string>;
  specifications: Map<string, ImportedSpecification>;
  /** The source file of each resource's repository file (to name the source in the layout's messages). */
  sourceOf: Map<string, string>;
  /** The source file each resource was read from. */
  sourceOfResource: Map<LiveResource, string>;
  /** What extract's layout does not write, per API id. */
  additions: Map<string, ApiAdditions>;
  /** Descriptive things left out, each with its file. */
  notes: Unconvertible[];
}

const RAW_XML: Properties = { format: 'rawxml' };

export function readArtifacts(folder: SourceFolder, tool: SourceTool): ImportedService {
  const layout = LAYOUTS[tool];
  const service: ImportedService = { resources: [], policyTexts: new Map(), specifications: new Map(), sourceOf: new Map(), sourceOfResource: new Map(), additions: new Map(), notes: [] };

  const add = (ref: ResourceRef, properties: Properties, source: string): void => {
    const resource = { ref, properties };
    service.resources.push(resource);
    service.sourceOfResource.set(resource, source);
    const repoPath = repoPathOf(ref);
    if (repoPath && !service.sourceOf.has(repoPath)) service.sourceOf.set(repoPath, source);
  };
  /** A folder name as an id, when APIM accepts it (a refused one is recorded and its folder left unconverted). */
  const validId = (kind: ResourceKind, id: string, dir: string): boolean => {
    const problem = idProblemOf(kind, id);
    if (problem) folder.refuse(dir, problem);
    return !problem;
  };
  const addPolicy = (ref: ResourceRef, { text, source }: ImportedPolicy): void => {
    add(ref, { ...RAW_XML, value: text }, source);
    service.policyTexts.set(repoPathOf(ref)!, text);
  };
  const policy = (ref: ResourceRef, file: string): void => {
    const text = policyTextOf(folder, file);
    if (text !== undefined) addPolicy(ref, { text, source: file });
  };

  if (folder.exists('policy.xml')) policy({ kind: 'globalPolicy', ids: [] }, 'policy.xml');

  for (const { kind, folder: collection, file } of layout.definitions) {
    for (const id of folder.folders(collection)) {
      const dir = join(collection, id);
      const source = join(dir, file);
      if (!folder.exists(source) || !validId(kind, id, dir)) continue;
      const properties = folder.properties(source);
      if (!properties) continue;
      if (kind === 'group' && isBuiltInGroup(id, properties)) continue;
      add({ kind, ids: [id] }, properties, source);
    }
  }

  for (const id of folder.folders(layout.policyFragments)) {
    const dir = join(layout.policyFragments, id);
    if (!validId('policyFragment', id, dir)) continue;
    const information = join(dir, 'policyFragmentInformation.json');
    const properties = folder.exists(information) ? folder.properties(information) ?? {} : {};
    const file = join(dir, 'policy.xml');
    const text = folder.exists(file) ? folder.text(file) : typeof properties.value === 'string' ? properties.value : undefined;
    if (text === undefined) {
      folder.problem(information, 'a policy fragment without its XML (policy.xml or properties.value)');
      continue;
    }
    const ref: ResourceRef = { kind: 'policyFragment', ids: [id] };
    // apiops-cli keeps the XML as the instance returned it (properties.format says which form); a policy.xml is raw.
    const form = folder.exists(file) || properties.format === 'rawxml' ? 'rawxml' : 'xml';
    if (!parsesAsPolicy(folder, folder.exists(file) ? file : information, text, { fragment: true, form })) continue;
    add(ref, { ...properties, format: form, value: text }, folder.exists(information) ? information : file);
    service.policyTexts.set(repoPathOf(ref)!, text);
  }

  const tagNames = readTags(folder);

  readApis(folder, tool, { add, addPolicy, validId, tagNames, specifications: service.specifications, additions: service.additions, notes: service.notes });

  for (const productId of folder.folders('products')) {
    const dir = join('products', productId);
    const source = join(dir, 'productInformation.json');
    if (!validId('product', productId, dir)) continue;
    const properties = folder.properties(source);
    if (!properties) continue;
    add({ kind: 'product', ids: [productId] }, properties, source);
    if (folder.exists(join(dir, 'policy.xml'))) policy({ kind: 'productPolicy', ids: [productId] }, join(dir, 'policy.xml'));
    for (const [collection, kind] of [['apis', 'productApi'], ['groups', 'productGroup']] as const) {
      for (const linked of links(folder, layout, dir, collection)) add({ kind, ids: [productId, linked.id] }, {}, linked.source);
    }
    if (layout.links === 'lists') {
      for (const linked of links(folder, layout, dir, 'tags')) add({ kind: 'productTag', ids: [productId, linked.id] }, { displayName: tagNames.get(linked.id) ?? linked.id }, linked.source);
    }
  }

  if (layout.links === 'folders') {
    for (const tagId of folder.folders('tags')) {
      for (const [collection, kind] of [['apis', 'apiTag'], ['products', 'productTag']] as const) {
        for (const linked of links(folder, layout, join('tags', tagId), collection)) {
          add({ kind, ids: [linked.id, tagId] as [string, string] }, { displayName: tagNames.get(tagId) ?? tagId }, linked.source);
        }
      }
    }
  }

  checkTagsLinked(folder, service, tagNames);
  checkLinksResolve(folder, service);
  return service;
}

/** A link (or reference) to an API, product or group the folder does not have cannot be said by the repository. */
function checkLinksResolve(folder: SourceFolder, service: ImportedService): void {
  const ids = (kind: ResourceKind): Set<string> => new Set(service.resources.filter((resource) => resource.ref.kind === kind).map((resource) => resource.ref.ids[0].toLowerCase()));
  const apis = ids('api');
  const groups = new Set([...ids('group'), ...BUILT_IN_GROUPS]);
  const targets: Partial<Record<ResourceKind, [number, Set<string>, string]>> = {
    productApi: [1, apis, 'API'],
    apiTag: [0, apis, 'API'],
    productGroup: [1, groups, 'group'],
  };
  service.resources = service.resources.filter((resource) => {
    const target = targets[resource.ref.kind];
    if (!target) return true;
    const [index, known, what] = target;
    const id = resource.ref.ids[index];
    if (known.has(id.toLowerCase())) return true;
    folder.problem(service.sourceOfResource.get(resource) ?? '', `links ${what} '${id}', which the folder does not have (or does not convert)`);
    return false;
  });
  // References by id inside definitions: `/loggers/x`, `/apiVersionSets/x`, a subscription's `/products/x` or `/apis/x`.
  const references: Array<[ResourceKind[], string, string, ResourceKind]> = [
    [['diagnostic', 'apiDiagnostic'], 'loggerId', 'loggers', 'logger'],
    [['api'], 'apiVersionSetId', 'apiVersionSets', 'apiVersionSet'],
    [['subscription'], 'scope', 'products', 'product'],
    [['subscription'], 'scope', 'apis', 'api'],
  ];
  for (const [kinds, field, collection, kind] of references) {
    const known = ids(kind);
    for (const resource of service.resources.filter((candidate) => kinds.includes(candidate.ref.kind))) {
      const id = referencedId(resource.properties[field], collection);
      // A diagnostic sends to its logger: without one APIM refuses it, and the repository format requires it.
      if (id === undefined && field === 'loggerId') folder.problem(service.sourceOfResource.get(resource) ?? '', 'a diagnostic without loggerId: it names no logger to send to');
      if (id !== undefined && !known.has(id.toLowerCase())) {
        folder.problem(service.sourceOfResource.get(resource) ?? '', `${field} names ${kind} '${id}', which the folder does not have (or does not convert)`);
      }
    }
  }
}

/** Every file no converter read, named (by the folder that holds what apiops does not convert, where one does). */
export function refuseUnread(folder: SourceFolder, tool: SourceTool): void {
  for (const file of folder.remaining()) {
    if (!folder.remaining().includes(file)) continue;
    const [matched, reason] = NOT_HELD.map(([pattern, why]) => [pattern.exec(file)?.[0], why] as const).find(([held]) => held) ?? [file, `not a file of the ${tool} layout that apiops knows`];
    folder.refuse(matched!, reason);
  }
}

/** APIM's system groups (administrators, developers, guests) exist on every instance; the repository never defines them. */
function isBuiltInGroup(id: string, properties: Properties): boolean {
  return properties.builtIn === true || properties.type === 'system' || BUILT_IN_GROUPS.includes(id.toLowerCase());
}

type Add = (ref: ResourceRef, properties: Properties, source: string) => void;

/** Tag definitions: their display names, which the repository names tags by (a tag is kept through its links). */
function readTags(folder: SourceFolder): Map<string, string> {
  const names = new Map<string, string>();
  for (const tagId of folder.folders('tags')) {
    const source = join('tags', tagId, 'tagInformation.json');
    if (!folder.exists(source)) continue;
    const properties = folder.properties(source);
    if (!properties) continue;
    names.set(tagId, typeof properties.displayName === 'string' && properties.displayName ? properties.displayName : tagId);
  }
  return names;
}

/** The repository keeps a tag only through what it is linked to: a tag linked to nothing cannot be said. */
function checkTagsLinked(folder: SourceFolder, service: ImportedService, tagNames: Map<string, string>): void {
  const linked = new Set(service.resources.filter((resource) => ['apiTag', 'productTag', 'operationTag'].includes(resource.ref.kind)).map((resource) => resource.ref.ids[resource.ref.ids.length - 1]));
  for (const tagId of tagNames.keys()) {
    if (!linked.has(tagId)) folder.problem(join('tags', tagId, 'tagInformation.json'), `tag '${tagId}' is linked to no API or product: the repository format holds tags only through their links`);
  }
}

/** The ids a product (or tag) links to, each with the file that says so. */
function links(folder: SourceFolder, layout: ToolLayout, dir: string, collection: 'apis' | 'groups' | 'tags' | 'products'): Array<{ id: string; source: string }> {
  if (layout.links === 'folders') {
    const file = LINK_FILES[`${dir.split('/')[0]}/${collection}`];
    return folder
      .folders(join(dir, collection))
      .map((id) => ({ id, source: join(dir, collection, id, file) }))
      .filter(({ source }) => folder.exists(source) && folder.json(source) !== undefined);
  }
  const source = join(dir, `${collection}.json`);
  if (!folder.exists(source)) return [];
  const list = folder.json(source);
  if (!Array.isArray(list)) {
    if (list !== undefined) folder.problem(source, 'expected a JSON list of { "name": … }');
    return [];
  }
  return list.flatMap((entry, index) => {
    if (isObject(entry) && typeof entry.name === 'string' && entry.name) {
      if (entry.scope === 'workspace') {
        folder.problem(source, `entry ${index + 1} ('${entry.name}') is a workspace link: apiops does not manage workspaces`);
        return [];
      }
      return [{ id: entry.name, source }];
    }
    folder.problem(source, `entry ${index + 1} is not { "name": … }`);
    return [];
  });
}

const LINK_FILES: Record<string, string> = {
  'products/apis': 'productApiInformation.json',
  'products/groups': 'productGroupInformation.json',
  'tags/apis': 'tagApiInformation.json',
  'tags/products': 'tagProductInformation.json',
};
