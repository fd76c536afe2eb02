import type { ApimConnection } from '../azure/client';
import { exportOpenApi, exportXmlSpecification } from '../azure/export';
import type { LiveResource } from '../azure/live-state';
import { importSourceOf, readLiveState, type ImportSource } from '../azure/read';
import { readUnmanaged } from '../azure/unmanaged';
import { UserError } from '../diagnostics';
import { idProblemOf } from '../repo/ids';
import { ownerOfKey, RESOURCE_TYPES, resourceType, revisionOf, type ResourceKind } from '../resources/types';
import { ExistingRepository } from './existing';
import { layoutRepository, LiveIndex, type PendingSpecification } from './layout';
import type { TemplateContext } from '../policy';
import { policyReferences, referencedKinds, selectReferenced } from './references';
import { scaffoldFiles, type ScaffoldSource } from './scaffold';
import { RepositorySpelling } from './spelling';
import { referencedId } from './definitions';
import { extractedSpecification } from './specification';
import { writeRepository, type WriteOutcome } from './write';

/**
 * `apiops extract`: the live instance → repository files. Reads what was selected (everything by default),
 * lays it out as repository files (keeping existing files that already say the same), exports the specifications
 * that changed, writes only what differs and, within what was read, removes files of resources the instance no
 * longer has.
 */

export interface ExtractOptions {
  connection: ApimConnection;
  /** Absolute path of the repository to write (created when missing). */
  outDir: string;
  /** Renders existing policy templates, to tell whether they already say what the instance has. */
  template: TemplateContext;
  /** Select APIs and/or products by id; without either, the whole instance is extracted. */
  apis?: string[];
  products?: string[];
  /** When given, an output directory without apiops.config.yaml / schemas gets them. */
  scaffold?: ScaffoldSource;
  onProgress?: (progress: ExtractProgress) => void;
}

/** `read`: `done` counts the requests made so far (the total is not known ahead); others: items done of `total`. */
export interface ExtractProgress {
  phase: 'read' | 'export' | 'write';
  done: number;
  total: number;
}

const READ_PROGRESS_INTERVAL_MS = 200;

/**
 * A request to the instance failed (reading it, or exporting a specification), as opposed to the repository's files
 * failing to be read or written: the caller names the instance (a bare "connect ECONNREFUSED" does not say which).
 */
export class InstanceReadError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'InstanceReadError';
  }
}

/** `request`, its failure an InstanceReadError. */
async function fromInstance<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    throw new InstanceReadError(error);
  }
}

export interface ExtractResult extends WriteOutcome {
  warnings: string[];
  extracted: { apis: number; products: number; namedValues: number; backends: number; fragments: number; globalPolicy: boolean };
}

const API_KINDS: ResourceKind[] = ['api', 'apiOperation', 'apiPolicy', 'operationPolicy', 'apiTag', 'operationTag', 'apiDiagnostic', 'apiRelease', 'apiSchema', 'graphQLResolver', 'resolverPolicy'];
const PRODUCT_KINDS: ResourceKind[] = ['product', 'productApi', 'productGroup', 'productPolicy', 'productTag'];

/**
 * The selected ids as the instance spells them (APIM ids are case-insensitive: `--api ORDERS` is `orders`), and
 * those it does not have.
 */
function resolveIds(kind: 'api' | 'product', wanted: string[] | undefined, found: LiveResource[]): { ids?: string[]; absent: string[] } {
  if (!wanted) return { absent: [] };
  const byLowerCase = new Map(found.filter((resource) => resource.ref.kind === kind).map((resource) => [resource.ref.ids[0].toLowerCase(), resource.ref.ids[0]]));
  const resolved = wanted.map((id) => byLowerCase.get(id.toLowerCase()));
  return { ids: [...new Set(resolved.filter((id): id is string => id !== undefined))], absent: wanted.filter((_, i) => resolved[i] === undefined) };
}

interface Selection {
  apis?: string[];
  products?: string[];
}

/**
 * A selection read: the selected APIs and products, then the APIs the selected products hold (a product file lists
 * them, and a repository must define every API it lists), then only the service-level kinds their policies lead to
 * (named values, backends, fragments). Returns the selection as read (the products' APIs added to `apis`), whose
 * stale files are removed.
 */
async function readSelection(connection: ApimConnection, selection: Selection): Promise<Required<InstanceRead>> {
  const kinds = [...(selection.apis ? API_KINDS : []), ...(selection.products ? PRODUCT_KINDS : [])];
  const first = await fromInstance(readLiveState(connection, { kinds, apis: selection.apis, products: selection.products }));
  const selected = first.resources;
  const importedSchemas = [...(first.importedSchemas ?? [])];
  const { ids: apis, absent: absentApis } = resolveIds('api', selection.apis, selected);
  const { ids: products, absent: absentProducts } = resolveIds('product', selection.products, selected);
  const absent = [...absentApis.map((id) => `API '${id}'`), ...absentProducts.map((id) => `product '${id}'`)];
  if (absent.length) throw new UserError(`not found on the instance: ${absent.join(', ')}`);
  const productApis = [...new Set(selected.filter((resource) => resource.ref.kind === 'productApi').map((link) => link.ref.ids[1]))];
  const more = productApis.filter((id) => !apis?.includes(id)).sort();
  if (more.length) {
    const ofProducts = await fromInstance(readLiveState(connection, { kinds: API_KINDS, apis: more }));
    selected.push(...ofProducts.resources);
    importedSchemas.push(...(ofProducts.importedSchemas ?? []));
  }
  const definitions = await readReferencedDefinitions(connection, selected);
  const references = policyReferences(selected.filter((resource) => resourceType(resource.ref.kind).policy));
  for (const logger of definitions.filter((resource) => resource.ref.kind === 'logger')) {
    for (const name of namedValuesIn(logger.properties)) references.namedValues.add(name);
  }
  const serviceKinds = referencedKinds(references);
  const service = serviceKinds.length ? (await fromInstance(readLiveState(connection, { kinds: serviceKinds }))).resources : [];
  const read = { apis: apis || more.length ? [...(apis ?? []), ...more] : undefined, products };
  return { resources: [...selected, ...definitions, ...selectReferenced(references, service)], importedSchemas, read };
}

/** `{{name}}` references in a resource's properties (a logger's credentials), lowercased as policy references are. */
function namedValuesIn(properties: Record<string, unknown>): string[] {
  return [...JSON.stringify(properties).matchAll(/\{\{([A-Za-z0-9._-]+)\}\}/g)].map((match) => match[1].toLowerCase());
}

/**
 * The service-level resources the selected definitions name: APIs' version sets, products' custom groups and API
 * diagnostics' loggers, so that the extracted part validates on its own.
 */
async function readReferencedDefinitions(connection: ApimConnection, selected: LiveResource[]): Promise<LiveResource[]> {
  const wanted = new Map<ResourceKind, Set<string>>([['apiVersionSet', new Set()], ['group', new Set()], ['logger', new Set()]]);
  for (const resource of selected) {
    const { kind, ids } = resource.ref;
    if (kind === 'api') wanted.get('apiVersionSet')!.add(referencedId(resource.properties.apiVersionSetId, 'apiVersionSets')?.toLowerCase() ?? '');
    if (kind === 'productGroup') wanted.get('group')!.add(ids[1].toLowerCase());
    if (kind === 'apiDiagnostic') wanted.get('logger')!.add(referencedId(resource.properties.loggerId, 'loggers')?.toLowerCase() ?? '');
  }
  const kinds = [...wanted].filter(([, names]) => [...names].some(Boolean)).map(([kind]) => kind);
  if (!kinds.length) return [];
  const found = (await fromInstance(readLiveState(connection, { kinds }))).resources;
  return found.filter((resource) => wanted.get(resource.ref.kind)?.has(resource.ref.ids[0].toLowerCase()));
}

/** The live resources, and what was read when a selection was given (undefined: the whole instance). */
interface InstanceRead {
  resources: LiveResource[];
  /** The schemas the APIs' imports created (see LiveState.importedSchemas). */
  importedSchemas?: LiveResource[];
  read?: Selection;
}

async function readInstance(connection: ApimConnection, selection: Selection | undefined): Promise<InstanceRead> {
  if (!selection) {
    const kinds = RESOURCE_TYPES.filter((type) => type.managed).map((type) => type.kind);
    return fromInstance(readLiveState(connection, { kinds }));
  }
  return readSelection(connection, selection);
}

/**
 * The resources whose ids APIM allows; each id it would refuse is named in a warning and its resources left out. An
 * id becomes a file name: one such as `../apiops.config` is never written, under any name.
 */
function withValidIds(resources: LiveResource[], warnings: string[]): LiveResource[] {
  const refused = new Set<string>();
  const valid = resources.filter((resource) => {
    const problems = resourceType(resource.ref.kind).keys.flatMap((key, index) => {
      const owner = ownerOfKey(key);
      const problem = owner && idProblemOf(owner.kind, resource.ref.ids[index]);
      return problem ? [problem] : [];
    });
    problems.forEach((problem) => refused.add(problem));
    return !problems.length;
  });
  for (const problem of refused) warnings.push(`not extracted: ${problem}`);
  return valid;
}

/** What was read, with every id as the repository spells it (see RepositorySpelling). */
function spelledInstance(instance: InstanceRead, spelling: RepositorySpelling): { live: LiveIndex; read?: Selection } {
  const spellIds = (kind: 'api' | 'product', ids: string[] | undefined) => ids?.map((id) => spelling.spell({ kind, ids: [id] }).ids[0]);
  const { resources, read } = instance;
  return {
    live: new LiveIndex({ resources: resources.map((resource) => ({ ...resource, ref: spelling.spell(resource.ref) })) }),
    read: read && { apis: spellIds('api', read.apis), products: spellIds('product', read.products) },
  };
}

/** The kinds of document each API's import came from, by lowercased API id, as its imported schemas name them. */
type ImportSources = Map<string, Set<ImportSource>>;

function importSourcesOf(importedSchemas: LiveResource[]): ImportSources {
  const sources: ImportSources = new Map();
  for (const schema of importedSchemas) {
    const source = importSourceOf(schema);
    const apiId = schema.ref.ids[0].toLowerCase();
    if (source) sources.set(apiId, (sources.get(apiId) ?? new Set()).add(source));
  }
  return sources;
}

/**
 * The XML documents an http API without a specification file is asked for, each of which only an API imported from
 * one can give. Its imported schemas name the document it was imported from (a WSDL's XSD, WADL grammars, OpenAPI
 * components, Swagger definitions): one from OpenAPI or Swagger is asked for neither, one with XSD only for a WSDL, one
 * with WADL grammars only for a WADL. Without any (a WSDL without types and a WADL without grammars create none, and a
 * revision's schemas are not read) nothing tells, so both are asked for.
 */
function xmlExportsWorthTrying(sources: Set<ImportSource> | undefined): Array<'wsdl' | 'wadl'> {
  if (!sources?.size) return ['wsdl', 'wadl'];
  return (['wsdl', 'wadl'] as const).filter((kind) => sources.has(kind));
}

/**
 * The export of one specification: the document the API was imported from. A WSDL or WADL file is the document as
 * exported; an API whose repository has no file yet is asked for the XML documents it may have been imported from
 * (see xmlExportsWorthTrying), and else for OpenAPI.
 */
async function exportSpecification(options: ExtractOptions, specification: PendingSpecification, sources: ImportSources, warnings: string[]): Promise<[string, string] | undefined> {
  const tried: string[] = [];
  const xmlKinds = specification.kind === 'any' ? xmlExportsWorthTrying(sources.get(specification.apiId.toLowerCase())) : specification.kind === 'openapi' ? [] : [specification.kind];
  for (const kind of xmlKinds) {
    const exported = await fromInstance(exportXmlSpecification(options.connection, specification.apiId, kind));
    if (exported.ok) return [specification.file ?? `${specification.folder}/api.${kind}`, exported.text];
    tried.push(`${kind.toUpperCase()}: ${exported.reason}`);
  }
  if (specification.kind === 'wsdl' || specification.kind === 'wadl') {
    warnings.push(`${specification.file ?? specification.folder}: not written, the instance did not export the API's ${specification.kind.toUpperCase()} (${tried.join('; ')})`);
    return undefined;
  }
  const file = specification.file ?? `${specification.folder}/openapi.yaml`;
  const exported = await fromInstance(exportOpenApi(options.connection, specification.apiId));
  const { text, warning } = extractedSpecification(file, exported, specification.api, specification.operations);
  if (warning) warnings.push(warning);
  return [file, text];
}

async function exportSpecifications(options: ExtractOptions, pending: PendingSpecification[], sources: ImportSources, warnings: string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let done = 0;
  options.onProgress?.({ phase: 'export', done, total: pending.length });
  await Promise.all(
    pending.map(async (specification) => {
      const file = await exportSpecification(options, specification, sources, warnings);
      if (file) files.set(...file);
      options.onProgress?.({ phase: 'export', done: ++done, total: pending.length });
    }),
  );
  return files;
}

const LISTED_NAMES = 5;

/** One warning per kind of resource the instance holds that apiops does not manage: extract never drops anything silently. */
async function unmanagedWarnings(connection: ApimConnection): Promise<string[]> {
  const unmanaged = await fromInstance(readUnmanaged(connection));
  return unmanaged.map(({ what, names }) => {
    const shown = names.slice(0, LISTED_NAMES).join(', ') + (names.length > LISTED_NAMES ? `, and ${names.length - LISTED_NAMES} more` : '');
    return `${what}: ${names.length} not managed by apiops, left out of the repository (${shown})`;
  });
}

/** The definition file of the folder a file is in: `apis/<id>/…` → `apis/<id>/api.yaml`. */
const FOLDER_DEFINITIONS: Array<[RegExp, string]> = [
  [/^apis\/[^/]+\/revisions\/[^/]+\//, 'revision.yaml'],
  [/^apis\/[^/]+\//, 'api.yaml'],
  [/^products\/[^/]+\//, 'product.yaml'],
];

/**
 * Files of resources that were read but that the instance no longer has. A file scoped to other environments
 * (`environments:` in it, or in the api.yaml, revision.yaml or product.yaml of its folder) is not this instance's to have.
 */
function staleFiles(existing: ExistingRepository, selection: Selection | undefined, files: Map<string, string>, env: string): string[] {
  const candidates = selection
    ? [...(selection.apis ?? []).flatMap((id) => existing.apiFiles(id)), ...(selection.products ?? []).flatMap((id) => existing.productFiles(id))]
    : existing.allManagedFiles();
  const scopedOut = (file: string): boolean => {
    const definitions = [file, ...FOLDER_DEFINITIONS.flatMap(([folder, name]) => folder.exec(file)?.[0].concat(name) ?? [])];
    return definitions.some((definition) => {
      const scope = definition.endsWith('.yaml') ? existing.yamlField(definition, 'environments') : undefined;
      return Array.isArray(scope) && !scope.includes(env);
    });
  };
  return [...new Set(candidates)].filter((file) => !files.has(file) && !scopedOut(file));
}

/** A selection's ids, each once however it is spelled; undefined when none are given. */
function selectedIds(ids: string[] | undefined): string[] | undefined {
  if (!ids?.length) return undefined;
  return [...new Map(ids.map((id) => [id.toLowerCase(), id])).values()];
}

export async function extractInstance(options: ExtractOptions): Promise<ExtractResult> {
  const apis = selectedIds(options.apis);
  const products = selectedIds(options.products);
  const selection = apis || products ? { apis, products } : undefined;
  const reportRead = (): void => options.onProgress?.({ phase: 'read', done: options.connection.requests.total, total: 0 });
  reportRead();
  const ticker = options.onProgress ? setInterval(reportRead, READ_PROGRESS_INTERVAL_MS) : undefined;
  let instance: InstanceRead;
  try {
    instance = await readInstance(options.connection, selection);
  } finally {
    clearInterval(ticker);
  }
  reportRead();

  const warnings: string[] = [];
  const existing = new ExistingRepository(options.outDir);
  const { live, read } = spelledInstance({ ...instance, resources: withValidIds(instance.resources, warnings) }, new RepositorySpelling(existing));
  const layout = layoutRepository(live, existing, options.template, selection !== undefined);
  warnings.push(...layout.warnings);
  if (!selection) warnings.push(...(await unmanagedWarnings(options.connection)));
  const specifications = await exportSpecifications(options, layout.pendingSpecifications, importSourcesOf(instance.importedSchemas ?? []), warnings);
  const files = new Map([...layout.files, ...specifications, ...(options.scaffold ? scaffoldFiles(existing, options.scaffold) : [])]);

  options.onProgress?.({ phase: 'write', done: 0, total: files.size });
  const outcome = writeRepository(options.outDir, files, staleFiles(existing, read, files, options.template.env));
  options.onProgress?.({ phase: 'write', done: files.size, total: files.size });
  return {
    ...outcome,
    warnings: warnings.sort(),
    extracted: {
      apis: live.of('api').filter((api) => !revisionOf(api.ref.ids[0])).length,
      products: live.of('product').length,
      namedValues: live.of('namedValue').length,
      backends: live.of('backend').length,
      fragments: live.of('policyFragment').length,
      globalPolicy: live.of('globalPolicy').length > 0,
    },
  };
}
