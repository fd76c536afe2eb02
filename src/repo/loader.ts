import * as fs from 'fs';
import * as path from 'path';
import { lazyPos, UserError, type Finding, type SourcePos } from '../diagnostics';
import { BUILT_IN_GROUPS, RESOURCE_TYPES, type ResourceKind } from '../resources/types';
import type {
  ApiDefinition,
  ApiModel,
  ApiSchemaDefinition,
  ApiSpecification,
  ResolverDefinition,
  ResolverModel,
  RevisionDefinition,
  RevisionModel,
  ApiVersionSetDefinition,
  DiagnosticDefinition,
  GroupDefinition,
  LoggerDefinition,
  SubscriptionDefinition,
  YamlResource,
  BackendDefinition,
  BackendModel,
  EnvironmentConfig,
  LintLevel,
  NamedValueDefinition,
  NamedValueModel,
  ProductDefinition,
  ProductModel,
  RepoConfig,
  RepoModel,
  TemplateSource,
  YamlDocument,
  YamlPath,
} from './model';
import { listDir, offsetOfPosition, positionOfOffset, readTextFile, schemaFinding } from './files';
import { renderYamlData, type TemplateContext, type YamlTemplateFinding } from '../policy';
import { checkId } from './ids';
import { fileNameOf, isFileNameOf, parseFileName } from '../resources/file-names';
import { DEFAULT_SPEC_FILES, graphqlFields, loadSpecificationFile, typesOfFormat, WEBSOCKET_HANDSHAKE } from './specifications';
import { validateAgainstSchema, type SchemaName } from './schemas';
import { parseYaml } from './yaml';
import { didYouMean } from '../suggest';

export const CONFIG_FILE = 'apiops.config.yaml';

const PLACEHOLDER = /^\{\w+\}$/;

/**
 * The folders the repository keeps resources in, as templates: every folder of a managed type's repoPath that is not a
 * placeholder (`apis/{apiId}/operations/{operationId}.xml` → apis, apis/{apiId}/operations). A file where one of
 * them belongs is reported; a placeholder folder (`apis/{apiId}`) is one the loader found as a directory.
 */
const RESOURCE_FOLDERS = [
  ...new Set(
    RESOURCE_TYPES.flatMap((type) => {
      if (!type.managed || !type.repoPath) return [];
      const folders = type.repoPath.split('/').slice(0, -1);
      return folders.flatMap((segment, index) => (PLACEHOLDER.test(segment) ? [] : [folders.slice(0, index + 1).join('/')]));
    }),
  ),
];
export { DEFAULT_SPEC_FILES } from './specifications';

export interface LoadResult {
  model: RepoModel;
  findings: Finding[];
}

/**
 * Stage 1: reads a repository into the typed model. Every problem in a user's file is a finding (never an exception),
 * so one run reports them all; only a directory that is not an apiops repository at all throws a UserError.
 *
 * Resource YAML files are templates (see policy/yaml-template.ts), rendered here for `envName` (default: the first
 * environment) before their schemas check them, and a file whose `environments:` leaves that environment out is read
 * as if it were absent. An unknown `envName` renders nothing: the render stage reports it.
 */
export function loadRepository(root: string, envName?: string): LoadResult {
  const absoluteRoot = path.resolve(root);
  if (!fs.existsSync(path.join(absoluteRoot, CONFIG_FILE))) {
    const misnamed = CONFIG_FILE.replace(/\.yaml$/, '.yml');
    const advice = fs.existsSync(path.join(absoluteRoot, misnamed)) ? `rename ${misnamed} to ${CONFIG_FILE}` : 'is this an apiops repository? use --repo to point at one';
    throw new UserError(`no ${CONFIG_FILE} in ${absoluteRoot} (${advice})`);
  }
  return new RepositoryLoader(absoluteRoot, envName).load();
}

class RepositoryLoader {
  readonly findings: Finding[] = [];
  /** What the resource YAML files' templates are rendered with; unset until the configuration is read, or when it has no such environment. */
  private template?: TemplateContext;
  private environmentNames: string[] = [];
  /** Definitions whose `environments:` leaves the loaded environment out. */
  private readonly outOfScope = new WeakSet<YamlDocument<unknown>>();
  private environmentSpecific = false;

  constructor(
    readonly root: string,
    private readonly envName?: string,
  ) {}

  load(): LoadResult {
    const config = this.loadConfig();
    this.environmentNames = Object.keys(config.data.environments);
    const environment = config.data.environments[this.envName ?? this.environmentNames[0]];
    if (environment) {
      const allEnvironmentValues = Object.values(config.data.environments).map((env) => env.values);
      this.template = { env: environment.name, values: environment.values, allEnvironmentValues };
    }
    const backends = this.loadYamlFolder<BackendDefinition>('backends', 'backend', 'backend');
    const namedValues = this.loadYamlFolder<NamedValueDefinition>('named-values', 'namedValue', 'named-value');
    const apiVersionSets = this.loadYamlFolder<ApiVersionSetDefinition>('api-version-sets', 'apiVersionSet', 'api-version-set');
    const groups = this.loadYamlFolder<GroupDefinition>('groups', 'group', 'group');
    const subscriptions = this.loadYamlFolder<SubscriptionDefinition>('subscriptions', 'subscription', 'subscription');
    const loggers = this.loadYamlFolder<LoggerDefinition>('loggers', 'logger', 'logger');
    const diagnostics = this.loadYamlFolder<DiagnosticDefinition>('diagnostics', 'diagnostic', 'diagnostic');
    const apis = listDir(path.join(this.root, 'apis'), 'directory')
      .map((id) => this.loadApi(id))
      .filter((api): api is ApiModel => api !== undefined);
    const products = listDir(path.join(this.root, 'products'), 'directory')
      .map((id) => this.loadProduct(id))
      .filter((product): product is ProductModel => product !== undefined);
    const fragments: Record<string, TemplateSource> = {};
    for (const name of this.xmlFiles('policies/fragments')) {
      const file = `policies/fragments/${name}`;
      const id = this.idOfName('policyFragment', name, '.xml', file);
      const source = this.loadTemplate(file);
      if (source) fragments[id] = source;
    }
    const globalPolicy = this.loadTemplate('policies/global.xml', { optional: true });
    this.reportIgnoredEntries();
    const model: RepoModel = {
      root: this.root,
      config,
      environment: this.template?.env,
      environmentSpecific: this.environmentSpecific,
      apis,
      products,
      namedValues,
      backends,
      apiVersionSets,
      groups,
      subscriptions,
      loggers,
      diagnostics,
      fragments,
      globalPolicy,
    };
    this.checkReferences(model);
    this.checkNewKindReferences(model);
    this.checkNamedValueNames(namedValues);
    this.checkDistinctIds('API', apis.map((a) => [a.id, a.definition.file]));
    this.checkDistinctIds('product', products.map((p) => [p.id, p.definition.file]));
    this.checkDistinctIds('named value', namedValues.map((n) => [n.id, n.definition.file]));
    this.checkDistinctIds('backend', backends.map((b) => [b.id, b.definition.file]));
    this.checkDistinctIds('policy fragment', Object.entries(fragments).map(([id, f]) => [id, f.file]));
    const yamlIds = (resources: Array<YamlResource<unknown>>): Array<[string, string]> => resources.map((r) => [r.id, r.definition.file]);
    this.checkDistinctIds('API version set', yamlIds(apiVersionSets));
    this.checkDistinctIds('group', yamlIds(groups));
    this.checkDistinctIds('subscription', yamlIds(subscriptions));
    this.checkDistinctIds('logger', yamlIds(loggers));
    this.checkDistinctIds('diagnostic', yamlIds(diagnostics));
    return { model, findings: this.findings };
  }

  private loadConfig(): YamlDocument<RepoConfig> {
    const doc = this.loadYaml<Record<string, unknown>>(CONFIG_FILE, 'apiops-config');
    const raw = doc.data;
    const environments: Record<string, EnvironmentConfig> = {};
    for (const [name, env] of Object.entries((raw.environments ?? {}) as Record<string, Omit<EnvironmentConfig, 'name'>>)) {
      environments[name] = { name, target: env.target, values: env.values ?? {}, ...(env.lint ? { lint: env.lint } : {}) };
    }
    const rules = ((raw.lint as { rules?: Record<string, LintLevel> } | undefined)?.rules ?? {}) as Record<string, LintLevel>;
    const data: RepoConfig = { environments, lint: { rules } };
    // The same document, its data normalised (every environment has a name and values).
    return { ...doc, data };
  }

  /**
   * Reads, parses and schema-checks a YAML file. A document that breaks its schema is returned without the top-level
   * properties that broke it, so later stages can check the rest of the repository without tripping over wrong types.
   */
  private loadYaml<T>(file: string, schema: SchemaName): YamlDocument<T> {
    // A file that cannot be read or parsed still stands for its resource (with no properties): the resource's other
    // files (an API's spec and policies, a product's policy) are checked too, and references to it (a product's
    // `apis`) are not reported as dangling on top of the real problem.
    const standIn = (text?: string): YamlDocument<T> => ({ file, data: {} as T, locate: () => ({ file, line: 1, column: 1 }), text });
    const read = readTextFile(this.root, file);
    if (read.finding) {
      this.findings.push(read.finding);
      return standIn();
    }
    const parsed = parseYaml<T>(file, read.text);
    this.findings.push(...parsed.findings);
    if (!parsed.document) return standIn(read.text);
    const doc = parsed.document;
    if (typeof doc.data !== 'object' || doc.data === null || Array.isArray(doc.data)) {
      this.findings.push({ ...schemaFinding(file, 'expected a mapping of properties'), ...doc.locate([]) });
      return { ...doc, data: {} as T };
    }
    if (schema === 'apiops-config') return this.checkedAgainstSchema(doc, schema);
    const scope = (doc.data as { environments?: unknown }).environments;
    if (scope !== undefined) this.environmentSpecific = true;
    if (this.template && Array.isArray(scope) && !scope.includes(this.template.env)) {
      this.outOfScope.add(doc);
      return doc;
    }
    const rendered = this.rendered(doc);
    const checked = this.checkedAgainstSchema(rendered.doc, schema, rendered.failedPaths);
    this.checkEnvironmentNames(checked);
    const { environments: _scope, ...data } = checked.data as Record<string, unknown>;
    return { ...checked, data: data as T };
  }

  /**
   * A document that breaks its schema is returned without the top-level properties that broke it. `failedPaths`:
   * values whose template did not render (already reported), whose text the schema is not asked about.
   */
  private checkedAgainstSchema<T>(doc: YamlDocument<T>, schema: SchemaName, failedPaths: YamlPath[] = []): YamlDocument<T> {
    const within = (path: YamlPath, prefix: YamlPath) => prefix.every((segment, i) => path[i] === segment);
    const problems = validateAgainstSchema(schema, doc).filter((problem) => !failedPaths.some((failed) => within(problem.path, failed)));
    if (!problems.length) return doc;
    this.findings.push(...problems.map((p) => p.finding));
    const data = { ...(doc.data as Record<string, unknown>) };
    for (const problem of problems) {
      if (problem.path.length) delete data[String(problem.path[0])];
    }
    return { ...doc, data: data as T };
  }

  /** The document with its templated values rendered for the loaded environment; the paths of those that did not render. */
  private rendered<T>(doc: YamlDocument<T>): { doc: YamlDocument<T>; failedPaths: YamlPath[] } {
    if (!this.template) return { doc, failedPaths: [] };
    const rendered = renderYamlData(doc.data, this.template, doc.file);
    if (!rendered.templated) return { doc, failedPaths: [] };
    this.environmentSpecific = true;
    for (const problem of rendered.findings) this.findings.push({ ...problem.finding, ...this.templatePosition(doc, problem) });
    return { doc: { ...doc, data: rendered.data as T }, failedPaths: rendered.findings.map((problem) => problem.path) };
  }

  /**
   * Where in the YAML file a template finding is: at its place inside the value when the value is written on one
   * line as it reads (plain or quoted without escapes before it), else at the value's start.
   */
  private templatePosition(doc: YamlDocument<unknown>, problem: YamlTemplateFinding): SourcePos {
    const valueStart = doc.locate(problem.path);
    return lazyPos(doc.file, () => {
      const text = doc.text ?? '';
      const start = offsetOfPosition(text, valueStart.line, valueStart.column);
      const begin = text[start] === '"' || text[start] === "'" ? start + 1 : start;
      const value = String(valueAt(doc.data, problem.path) ?? '');
      const before = value.slice(0, problem.offset);
      return !before.includes('\n') && text.startsWith(before, begin) ? positionOfOffset(text, begin + problem.offset) : { line: valueStart.line, column: valueStart.column };
    });
  }

  /** `environments:` names environments of the configuration. */
  private checkEnvironmentNames(doc: YamlDocument<unknown>): void {
    const scope = (doc.data as { environments?: unknown }).environments;
    if (!Array.isArray(scope) || !this.template) return;
    scope.forEach((name, i) => {
      if (typeof name === 'string' && !this.environmentNames.includes(name)) {
        this.report(doc.locate(['environments', i]), `environment '${name}' is not defined in ${CONFIG_FILE}${didYouMean(name, new Set(this.environmentNames))} (defines: ${this.environmentNames.join(', ')})`);
      }
    });
  }

  /** Whether a definition exists in the loaded environment (its `environments:` names it, or it has none). */
  private inScope(doc: YamlDocument<unknown>): boolean {
    return !this.outOfScope.has(doc);
  }

  private loadYamlFolder<T>(folder: string, kind: ResourceKind, schema: SchemaName): Array<YamlResource<T>> {
    const loaded: Array<YamlResource<T>> = [];
    for (const name of listDir(path.join(this.root, folder), 'file')) {
      const file = `${folder}/${name}`;
      if (!name.endsWith('.yaml')) {
        this.findings.push(schemaFinding(file, `unexpected file: ${folder}/ holds <id>.yaml files`));
        continue;
      }
      const definition = this.loadYaml<T>(file, schema);
      if (this.inScope(definition)) loaded.push({ id: this.idOfName(kind, name, '.yaml', file, definition), definition });
    }
    return loaded;
  }

  /**
   * The id a file or folder name stands for (see resources/file-names.ts), checked against APIM's rules. `definition`:
   * the resource's YAML file, whose `id:` gives the id where the name cannot hold all of it.
   */
  private idOfName<T>(kind: ResourceKind, name: string, suffix: string, file: string, definition?: YamlDocument<T>): string {
    const declared = (definition?.data as { id?: unknown } | undefined)?.id;
    const parsed = parseFileName(name, suffix);
    let id: string;
    if (typeof declared === 'string') {
      id = declared;
      if (!isFileNameOf(name, declared, suffix)) {
        this.report(definition!.locate(['id']), `id '${declared}' does not match the name '${name}': the name for this id is '${fileNameOf(declared, suffix).name}'`);
      }
    } else if (parsed.shortened) {
      id = name.slice(0, name.length - suffix.length);
      this.findings.push(schemaFinding(file, `'${name}' is a shortened name (ending in %~ and a hash): the full id must be given as \`id:\``));
    } else {
      id = parsed.id;
      if (!parsed.canonical) this.findings.push(schemaFinding(file, `the name '${name}' is not how apiops writes id '${id}': rename it to '${fileNameOf(id, suffix).name}'`));
    }
    this.checkId(kind, id, file);
    return id;
  }

  /** The definition file of a folder resource (`apis/<name>/api.yaml`, `products/<name>/product.yaml`) and the id it stands for. */
  private loadFolderDefinition<T>(folder: string, kind: 'api' | 'product', fileName: string, schema: SchemaName): { id: string; definition: YamlDocument<T> } | undefined {
    const file = `${folder}/${fileName}`;
    const name = folder.slice(folder.indexOf('/') + 1);
    if (!fs.existsSync(path.join(this.root, file))) {
      this.idOfName(kind, name, '', file);
      const misnamed = fileName.replace(/\.yaml$/, '.yml');
      const hint = fs.existsSync(path.join(this.root, folder, misnamed)) ? ` (rename ${misnamed} to ${fileName})` : '';
      this.findings.push(schemaFinding(file, `${kind === 'api' ? 'API' : kind} folder ${folder}/ has no ${fileName}${hint}`));
      return undefined;
    }
    const definition = this.loadYaml<T>(file, schema);
    if (!this.inScope(definition)) return undefined;
    return { id: this.idOfName(kind, name, '', file, definition), definition };
  }

  private loadApi(name: string): ApiModel | undefined {
    const folder = `apis/${name}`;
    const loaded = this.loadFolderDefinition<ApiDefinition>(folder, 'api', 'api.yaml', 'api');
    if (!loaded) return undefined;
    const { id, definition } = loaded;
    const data = definition.data;
    const diagnostics = this.loadYamlFolder<DiagnosticDefinition>(`${folder}/diagnostics`, 'apiDiagnostic', 'diagnostic');
    const schemas = this.loadYamlFolder<ApiSchemaDefinition>(`${folder}/api-schemas`, 'apiSchema', 'api-schema');
    const content = this.loadApiContent(id, folder, definition, typeof data.specification === 'string' ? data.specification : undefined, data.specification !== undefined);
    const api: ApiModel = { id, definition, ...content, diagnostics, schemas, revisions: this.loadRevisions(id, folder, definition), resolvers: this.loadResolvers(folder) };
    this.checkApiType(api);
    const operationIds = api.specification && new Set(api.specification.operations.map((op) => op.id));
    for (const operationId of Object.keys(data.operationTags ?? {})) {
      if (operationIds?.has(operationId)) continue;
      const known = operationIds ? [...operationIds].join(', ') || 'none' : 'none: the API has no specification';
      this.report(definition.locateKey?.(['operationTags', operationId]) ?? definition.locate(['operationTags', operationId]), `operationTags: '${operationId}' is not an operation of the API (operationIds: ${known})`);
    }
    return api;
  }

  /**
   * What an API or one of its revisions holds in its folder: the specification, policy.xml and operation policies.
   * `named`: the specification file its definition names; `hasLink`: it names one that is not a file (a link).
   */
  private loadApiContent(
    apiId: string,
    folder: string,
    definition: YamlDocument<ApiDefinition> | YamlDocument<RevisionDefinition>,
    named: string | undefined,
    hasLink: boolean,
  ): { specification?: ApiSpecification; policy?: TemplateSource; operationPolicies: Record<string, TemplateSource> } {
    const apiData = definition.data as ApiDefinition;
    const specFile = named === undefined && hasLink ? undefined : this.specificationFile(folder, definition, named);
    let specification: ApiSpecification | undefined;
    if (specFile) {
      const read = readTextFile(this.root, specFile);
      if (read.finding) this.findings.push(read.finding);
      else {
        const loaded = loadSpecificationFile(specFile, read.text, { type: apiData.type, wsdlService: apiData.wsdlService, wsdlEndpoint: apiData.wsdlEndpoint });
        this.findings.push(...loaded.findings);
        specification = loaded.specification;
      }
    }
    const operationPolicies: Record<string, TemplateSource> = {};
    // A WebSocket API has one operation, which APIM creates with it: its handshake.
    const operationIds = specification ? new Set(specification.operations.map((op) => op.id)) : apiData.type === 'websocket' ? new Set([WEBSOCKET_HANDSHAKE]) : undefined;
    for (const name of this.xmlFiles(`${folder}/operations`)) {
      const file = `${folder}/operations/${name}`;
      // The specification's operationIds say which ids there are, so a shortened name needs no `id:`.
      const operationId = [...(operationIds ?? [])].find((candidate) => isFileNameOf(name, candidate, '.xml')) ?? this.idOfName('apiOperation', name, '.xml', file);
      const source = this.loadTemplate(file);
      if (!source) continue;
      operationPolicies[operationId] = source;
      if (operationIds && !operationIds.has(operationId)) {
        const known = [...operationIds].join(', ') || 'none';
        this.findings.push(schemaFinding(file, `'${operationId}' is not an operation of ${specification?.file ?? `websocket API '${apiId}'`} (operationIds: ${known})`));
      } else if (!operationIds && !specFile) {
        this.findings.push(schemaFinding(file, `operation policy, but API '${apiId}' has no specification to define operation '${operationId}'`));
      }
    }
    return { specification, policy: this.loadTemplate(`${folder}/policy.xml`, { optional: true }), operationPolicies };
  }

  /** The specification file (repository-relative), or undefined with a finding when it is named but missing. */
  private specificationFile(folder: string, definition: YamlDocument<unknown>, named: string | undefined): string | undefined {
    if (named === undefined) {
      const found = DEFAULT_SPEC_FILES.find((name) => fs.existsSync(path.join(this.root, folder, name)));
      return found && `${folder}/${found}`;
    }
    const file = path.posix.normalize(`${folder}/${named.replace(/\\/g, '/')}`);
    const pos = definition.locate(['specification']);
    if (!file.startsWith(`${folder}/`) || path.posix.isAbsolute(named)) {
      this.report(pos, `specification '${named}' is outside the ${folder.includes('/revisions/') ? 'revision' : 'API'} folder`);
      return undefined;
    }
    if (!fs.existsSync(path.join(this.root, file))) {
      this.report(pos, `specification '${named}' not found (looked for ${file})`);
      return undefined;
    }
    return file;
  }

  /** apis/<api-id>/revisions/<n>/: the API's non-current revisions. */
  private loadRevisions(apiId: string, folder: string, api: YamlDocument<ApiDefinition>): RevisionModel[] {
    const current = String(api.data.revision ?? '1');
    const revisions: RevisionModel[] = [];
    for (const name of listDir(path.join(this.root, folder, 'revisions'), 'directory')) {
      const revisionFolder = `${folder}/revisions/${name}`;
      const file = `${revisionFolder}/revision.yaml`;
      if (!/^[1-9][0-9]{0,2}$/.test(name)) {
        this.findings.push(schemaFinding(revisionFolder, `a revision folder is named by its number (1 to 999), not '${name}'`));
        continue;
      }
      if (name === current) {
        this.findings.push(schemaFinding(revisionFolder, `revision ${name} is the current revision (api.yaml: revision: ${current}): its content is the API folder's, not revisions/${name}/`));
        continue;
      }
      if (!fs.existsSync(path.join(this.root, file))) {
        this.findings.push(schemaFinding(file, `revision folder ${revisionFolder}/ has no revision.yaml`));
        continue;
      }
      const definition = this.loadYaml<RevisionDefinition>(file, 'api-revision');
      if (!this.inScope(definition)) continue;
      const backend = definition.data.backend;
      if (backend !== undefined && !fs.existsSync(path.join(this.root, 'backends', `${backend}.yaml`))) {
        this.report(definition.locate(['backend']), `backend '${backend}' is not defined in backends/`);
      }
      const apiData = api.data;
      const inherited = { ...definition, data: { ...definition.data, type: apiData.type, wsdlService: apiData.wsdlService, wsdlEndpoint: apiData.wsdlEndpoint } } as unknown as YamlDocument<ApiDefinition>;
      const content = this.loadApiContent(`${apiId};rev=${name}`, revisionFolder, inherited, definition.data.specification, false);
      revisions.push({ number: name, definition, ...content });
    }
    return revisions.sort((a, b) => Number(a.number) - Number(b.number));
  }

  /** apis/<api-id>/resolvers/<id>.yaml with their policies <id>.xml. */
  private loadResolvers(folder: string): ResolverModel[] {
    const resolversFolder = `${folder}/resolvers`;
    const names = listDir(path.join(this.root, resolversFolder), 'file');
    const resolvers: ResolverModel[] = [];
    for (const name of names) {
      const file = `${resolversFolder}/${name}`;
      if (name.endsWith('.xml')) {
        if (!names.includes(`${name.slice(0, -4)}.yaml`)) this.findings.push(schemaFinding(file, `resolver policy without its definition ${name.slice(0, -4)}.yaml`));
        continue;
      }
      if (!name.endsWith('.yaml')) {
        this.findings.push(schemaFinding(file, `unexpected file: ${resolversFolder}/ holds <resolver-id>.yaml and <resolver-id>.xml files`));
        continue;
      }
      const definition = this.loadYaml<ResolverDefinition>(file, 'graphql-resolver');
      if (!this.inScope(definition)) continue;
      const id = this.idOfName('graphQLResolver', name, '.yaml', file, definition);
      resolvers.push({ id, definition, policy: this.loadTemplate(`${resolversFolder}/${name.slice(0, -5)}.xml`, { optional: true }) });
    }
    return resolvers;
  }

  /** An API's type against its specification, its revisions' and its resolvers. */
  private checkApiType(api: ApiModel): void {
    const { definition, specification } = api;
    const type = definition.data.type ?? 'http';
    const where = definition.data.type === undefined ? definition.locate([]) : definition.locate(['type']);
    for (const spec of [specification, ...api.revisions.map((r) => r.specification)]) {
      if (spec && !typesOfFormat(spec.format).includes(type)) {
        const allowed = typesOfFormat(spec.format).join(' or ');
        this.report(where, `an API of type ${type} cannot have the specification ${spec.file} (its format makes type ${allowed})${definition.data.type === undefined ? `: add type: ${typesOfFormat(spec.format)[0]}` : ''}`);
      }
    }
    if (type === 'websocket' && specification) this.report(where, `a websocket API has no specification (${specification.file}): APIM gives it one operation, onHandshake`);
    if (api.resolvers.length && type !== 'graphql') this.findings.push(schemaFinding(api.resolvers[0].definition.file, `resolvers belong to GraphQL APIs; API '${api.id}' is of type ${type}`));
    const fields = specification?.format === 'graphql' ? graphqlFields(specification.text) : undefined;
    for (const resolver of api.resolvers) {
      const resolved = resolver.definition.data.path;
      if (typeof resolved !== 'string' || !fields) continue;
      if (!fields.has(resolved)) this.report(resolver.definition.locate(['path']), `'${resolved}' is not a field of ${specification!.file} (Type/field)`);
    }
    const { release, revision } = definition.data;
    if (release === undefined && revision !== undefined && String(revision) !== '1') {
      this.report(definition.locate(['revision']), `revision ${String(revision)} is current only through a release: add release: { id, notes }`);
    }
  }

  private loadProduct(name: string): ProductModel | undefined {
    const folder = `products/${name}`;
    const loaded = this.loadFolderDefinition<ProductDefinition>(folder, 'product', 'product.yaml', 'product');
    if (!loaded) return undefined;
    return { ...loaded, policy: this.loadTemplate(`${folder}/policy.xml`, { optional: true }) };
  }

  /** Undefined only when an optional file is absent; a file that cannot be read is an `unreadable` source. */
  private loadTemplate(file: string, options: { optional?: boolean } = {}): TemplateSource | undefined {
    if (options.optional && !fs.existsSync(path.join(this.root, file))) return undefined;
    const read = readTextFile(this.root, file);
    if (read.finding) {
      this.findings.push(read.finding);
      return { file, text: '', unreadable: true };
    }
    return { file, text: read.text };
  }

  /**
   * Policy and definition files in places apiops does not read — `apis/<id>/operation/x.xml`, `products/gold.yaml`,
   * `policies/api.xml` — would otherwise be skipped without a word, and the policy they hold never published.
   */
  private reportIgnoredEntries(): void {
    const hasXml = (folder: string) => listDir(path.join(this.root, folder), 'file').some((name) => name.endsWith('.xml'));
    const report = (folder: string, keep: (name: string, kind: 'file' | 'directory') => boolean, expected: string) => {
      for (const kind of ['file', 'directory'] as const) {
        for (const name of listDir(path.join(this.root, folder), kind)) {
          if (!keep(name, kind)) this.findings.push(schemaFinding(`${folder}/${name}`, `not read by apiops: ${expected}`));
        }
      }
    };
    const notFolders: string[] = [];
    // Parents come first (RESOURCE_FOLDERS), and below a file there is nothing to look at (stat would fail: ENOTDIR).
    for (const folder of RESOURCE_FOLDERS.flatMap((template) => this.foldersMatching(template))) {
      if (notFolders.some((file) => folder.startsWith(`${file}/`))) continue;
      const stat = fs.statSync(path.join(this.root, folder), { throwIfNoEntry: false });
      if (stat && !stat.isDirectory()) notFolders.push(folder);
    }
    for (const folder of notFolders) this.findings.push(schemaFinding(folder, `not read by apiops: ${folder} must be a folder`));
    const isContent = (name: string) => /\.(xml|ya?ml|json)$/.test(name);
    report('apis', (name, kind) => kind === 'directory' || !isContent(name), 'apis/ holds one folder per API (apis/<api-id>/api.yaml)');
    report('products', (name, kind) => kind === 'directory' || !isContent(name), 'products/ holds one folder per product (products/<product-id>/product.yaml)');
    report('policies', (name, kind) => (kind === 'directory' ? name === 'fragments' : name === 'global.xml' || !isContent(name)), 'policies/ holds global.xml and fragments/<fragment-id>.xml');
    for (const folder of ['named-values', 'backends', 'policies/fragments', 'api-version-sets', 'groups', 'subscriptions', 'loggers', 'diagnostics']) report(folder, (_name, kind) => kind === 'file', `${folder}/ holds files, not folders`);
    for (const id of listDir(path.join(this.root, 'apis'), 'directory')) {
      const folder = `apis/${id}`;
      report(
        folder,
        (name, kind) => (kind === 'directory' ? ['operations', 'resolvers'].includes(name) || !hasXml(`${folder}/${name}`) : name === 'policy.xml' || !name.endsWith('.xml')),
        `an API folder holds policy.xml, and operation policies as operations/<operation-id>.xml`,
      );
      for (const revision of listDir(path.join(this.root, folder, 'revisions'), 'directory')) {
        const revisionFolder = `${folder}/revisions/${revision}`;
        report(
          revisionFolder,
          (name, kind) => (kind === 'directory' ? name === 'operations' || !hasXml(`${revisionFolder}/${name}`) : name === 'policy.xml' || !name.endsWith('.xml')),
          `a revision folder holds revision.yaml, its specification, policy.xml and operations/<operation-id>.xml`,
        );
      }
      report(`${folder}/revisions`, (_name, kind) => kind === 'directory', `${folder}/revisions/ holds one folder per revision (revisions/<n>/revision.yaml)`);
    }
    for (const id of listDir(path.join(this.root, 'products'), 'directory')) {
      report(`products/${id}`, (name, kind) => kind === 'directory' || name === 'policy.xml' || !name.endsWith('.xml'), 'a product folder holds product.yaml and policy.xml');
    }
  }

  /** The folder paths a template names (`apis/{apiId}/operations`), its placeholders filled with the directories that exist. */
  private foldersMatching(template: string): string[] {
    return template.split('/').reduce(
      (parents, segment) =>
        parents.flatMap((parent) => {
          const names = PLACEHOLDER.test(segment) ? listDir(path.join(this.root, parent), 'directory') : [segment];
          return names.map((name) => (parent ? `${parent}/${name}` : name));
        }),
      [''],
    );
  }

  private xmlFiles(folder: string): string[] {
    const names = listDir(path.join(this.root, folder), 'file');
    for (const name of names.filter((n) => !n.endsWith('.xml'))) {
      this.findings.push(schemaFinding(`${folder}/${name}`, `unexpected file: ${folder}/ holds <id>.xml policy files`));
    }
    return names.filter((n) => n.endsWith('.xml'));
  }

  private checkId(kind: ResourceKind, id: string, file: string): void {
    const finding = checkId(kind, id, { file, line: 1, column: 1 });
    if (finding) this.findings.push(finding);
  }

  /** Names in one file that must exist elsewhere in the repository. */
  private checkReferences(model: RepoModel): void {
    const backendIds = new Set(model.backends.map((b) => b.id));
    const apiIds = new Set(model.apis.map((a) => a.id));
    for (const api of model.apis) {
      const backend = api.definition.data.backend;
      if (backend !== undefined && !backendIds.has(backend)) {
        this.report(api.definition.locate(['backend']), undefinedReferenceMessage('backend', backend, backendIds, 'backends/'));
      }
    }
    // APIM routes by path (and version): two APIs on one path and version cannot both exist.
    const routes = new Map<string, string>();
    for (const api of model.apis) {
      const { path: apiPath, apiVersion } = api.definition.data;
      if (typeof apiPath !== 'string') continue;
      const route = `${apiPath.toLowerCase()}|${apiVersion ?? ''}`;
      const owner = routes.get(route);
      if (owner) this.report(api.definition.locate(['path']), `path '${apiPath}' is already used by API '${owner}'${apiVersion ? ` (version ${apiVersion})` : ''}`);
      else routes.set(route, api.id);
    }
    for (const product of model.products) {
      const { apis = [], groups = [] } = product.definition.data;
      apis.forEach((apiId, i) => {
        if (!apiIds.has(apiId)) this.report(product.definition.locate(['apis', i]), undefinedReferenceMessage('API', apiId, apiIds, 'apis/'));
      });
      groups.forEach((groupId, i) => {
        const finding = checkId('group', groupId, product.definition.locate(['groups', i]));
        if (finding) this.findings.push(finding);
      });
    }
  }

  /**
   * References between the whole-instance kinds: an API's version set, a product's groups (built-in ones need no file),
   * a subscription's scope, a diagnostic's logger. Built-in groups are APIM's: a file for one is refused.
   */
  private checkNewKindReferences(model: RepoModel): void {
    const ids = (resources: Array<{ id: string }>) => new Set(resources.map((r) => r.id));
    const [apiIds, productIds, groupIds, loggerIds] = [ids(model.apis), ids(model.products), ids(model.groups), ids(model.loggers)];
    for (const group of model.groups) {
      if (BUILT_IN_GROUPS.includes(group.id.toLowerCase())) {
        this.findings.push(schemaFinding(group.definition.file, `'${group.id}' is a built-in APIM group: reference it in a product's groups without a file in groups/`));
      }
    }
    for (const product of model.products) {
      (product.definition.data.groups ?? []).forEach((groupId, i) => {
        if (typeof groupId !== 'string' || BUILT_IN_GROUPS.includes(groupId.toLowerCase()) || groupIds.has(groupId)) return;
        const known = new Set([...groupIds, ...BUILT_IN_GROUPS]);
        this.report(product.definition.locate(['groups', i]), undefinedReferenceMessage('group', groupId, known, 'groups/'));
      });
    }
    for (const subscription of model.subscriptions) {
      const { product, api } = subscription.definition.data;
      if (product !== undefined && !productIds.has(product)) this.report(subscription.definition.locate(['product']), undefinedReferenceMessage('product', product, productIds, 'products/'));
      if (api !== undefined && !apiIds.has(api)) this.report(subscription.definition.locate(['api']), undefinedReferenceMessage('API', api, apiIds, 'apis/'));
    }
    const namedValueNames = new Set(model.namedValues.map((nv) => String(nv.definition.data.displayName ?? '').toLowerCase()));
    for (const logger of model.loggers) {
      for (const [field, value] of Object.entries(logger.definition.data.credentials ?? {})) {
        const name = /^\{\{([^{}]+)\}\}$/.exec(value)?.[1];
        if (name !== undefined && !namedValueNames.has(name.toLowerCase())) {
          this.report(logger.definition.locate(['credentials', field]), `credential ${field} references named value '${name}', which no file in named-values/ has as its displayName`);
        }
      }
    }
    for (const diagnostic of [...model.diagnostics, ...model.apis.flatMap((a) => a.diagnostics)]) {
      const { logger } = diagnostic.definition.data;
      if (logger !== undefined && !loggerIds.has(logger)) this.report(diagnostic.definition.locate(['logger']), undefinedReferenceMessage('logger', logger, loggerIds, 'loggers/'));
    }
  }

  private report(pos: SourcePos, message: string): void {
    this.findings.push({ rule: 'schema', severity: 'error', ...pos, message });
  }

  /** APIM ids are case-insensitive: `apis/Orders/` and `apis/orders/` would be one API there. */
  private checkDistinctIds(label: string, entries: Array<[id: string, file: string]>): void {
    const seen = new Map<string, string>();
    for (const [id, file] of entries) {
      const other = seen.get(id.toLowerCase());
      if (other) this.findings.push(schemaFinding(file, `${label} id '${id}' differs only in letter case from ${other}; APIM ids are case-insensitive`));
      else seen.set(id.toLowerCase(), file);
    }
  }

  /** APIM resolves `{{name}}` by displayName, so two named values may not share one. */
  private checkNamedValueNames(namedValues: NamedValueModel[]): void {
    const owners = new Map<string, string>();
    for (const namedValue of namedValues) {
      const name = namedValue.definition.data.displayName;
      if (typeof name !== 'string') continue;
      const owner = owners.get(name.toLowerCase());
      if (owner) {
        this.report(namedValue.definition.locate(['displayName']), `displayName '${name}' is already used by named value '${owner}'`);
      } else {
        owners.set(name.toLowerCase(), namedValue.id);
      }
    }
  }
}

function valueAt(data: unknown, path: YamlPath): unknown {
  return path.reduce<unknown>((value, segment) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined), data);
}

/**
 * "<label> '<id>' is not defined in <folder>", naming the id that differs only in letter case when there is one (APIM
 * ids are case-insensitive, but every reference in the repository must spell the id as its folder or file does), else
 * the closest defined id.
 */
function undefinedReferenceMessage(label: string, id: string, definedIds: Set<string>, folder: string): string {
  const sameIgnoringCase = [...definedIds].find((defined) => defined.toLowerCase() === id.toLowerCase());
  const hint = sameIgnoringCase === undefined ? didYouMean(id, definedIds) : ` (${folder}${sameIgnoringCase} differs only in letter case; write '${sameIgnoringCase}')`;
  return `${label} '${id}' is not defined in ${folder}${hint}`;
}
