import { UserError, type Finding, type SourcePos } from '../diagnostics';
import { parsePolicy, renderTemplate, serializePolicy } from '../policy';
import type { ResourceKind, ResourceRef } from '../resources/types';
import { kindsInDependencyOrder } from '../resources/types';
import { CONFIG_FILE, loadRepository } from '../repo/loader';
import type {
  ApiDefinition,
  ApiModel,
  ApiSpecification,
  RevisionModel,
  ApiVersionSetDefinition,
  BackendModel,
  DiagnosticDefinition,
  EnvironmentConfig,
  GroupDefinition,
  LoggerDefinition,
  NamedValueModel,
  OperationDefinition,
  ProductModel,
  RepoModel,
  SubscriptionDefinition,
  TemplateSource,
  YamlResource,
} from '../repo/model';
import type { KnownSecret } from '../known-secrets';
import type { DesiredResource, RenderedPolicy, RenderedRepository } from './desired';
import { tagIdOf } from './tag-id';
import { GRAPHQL_SCHEMA, linkFormat } from './api-types';
import { WEBSOCKET_HANDSHAKE } from '../repo/specifications';

export interface RenderOptions {
  /** Where `valueFromEnv` secrets are read (default: process.env). */
  processEnv?: NodeJS.ProcessEnv;
  /** Findings met before rendering (loading), carried into the result. */
  findings?: Finding[];
}

/** The root element of a GraphQL resolver's policy: its data source. */
const RESOLVER_POLICY_ROOT = 'http-data-source';

/** Stands in when the configuration defines no usable environment (already reported): templates are not rendered. */
const NO_ENVIRONMENT: EnvironmentConfig = { name: '', target: { emulator: '.apiops/local' }, values: {} };

/** The ARM properties of an operation as APIM derives it from the specification on import. */
export function operationProperties(operation: OperationDefinition): Record<string, unknown> {
  return {
    displayName: operation.displayName,
    method: operation.method,
    urlTemplate: operation.urlTemplate,
    description: operation.description,
    templateParameters: operation.templateParameters.map((p) => definedOnly({ ...p })),
    request: operation.request,
    responses: operation.responses,
  };
}

/**
 * Picks `envName`, or the first environment; an unknown name is a UserError (the command could not run) — unless
 * `loadFindings` hold an error in the configuration file, which may be why the name is unknown: then no environment is
 * rendered and that error is what the user sees.
 */
export function pickEnvironment(model: RepoModel, envName?: string, loadFindings: readonly Finding[] = []): EnvironmentConfig {
  const environments = model.config.data.environments;
  const names = Object.keys(environments);
  if (envName === undefined) return names.length ? environments[names[0]] : NO_ENVIRONMENT;
  const environment = environments[envName];
  if (!environment && loadFindings.some((finding) => finding.file === CONFIG_FILE && finding.severity === 'error')) return NO_ENVIRONMENT;
  if (!environment) {
    throw new UserError(
      `unknown environment '${envName}' (${CONFIG_FILE} defines: ${names.join(', ') || 'none'})`,
      model.config.locate(['environments']),
    );
  }
  return environment;
}

/**
 * Stage 2: renders every policy template for one environment, parses the results and builds the desired state —
 * one resource per managed resource, with `properties` as the ARM REST body (api-version 2024-05-01) publish sends.
 *
 * An API with `backend: <id>` gets that backend's url as its serviceUrl: APIM needs a serviceUrl for the API's default
 * forwarding target, and the backend is where the repository says the API lives.
 */
export function renderRepository(loaded: RepoModel, envName?: string, options: RenderOptions = {}): RenderedRepository {
  const environment = pickEnvironment(loaded, envName, options.findings);
  // YAML templates and scopes are applied by the loader: a model read for another environment is read again for this one.
  const reload = loaded.environmentSpecific && environment.name !== '' && loaded.environment !== environment.name ? loadRepository(loaded.root, environment.name) : undefined;
  const model = reload?.model ?? loaded;
  if (reload) options = { ...options, findings: reload.findings };
  const renderer = new Renderer(model, environment, options.processEnv ?? process.env);
  renderer.findings.push(...(options.findings ?? []));
  renderer.renderAll();
  return {
    model,
    environment,
    desired: { environment: environment.name, resources: renderer.sortedResources() },
    policies: renderer.policies,
    secrets: renderer.secrets,
    findings: renderer.findings,
  };
}

/** Loads the repository at `root` and renders it: what validate, render, diff and publish start from. */
export function loadAndRender(root: string, envName?: string, processEnv?: NodeJS.ProcessEnv): RenderedRepository {
  const { model, findings } = loadRepository(root, envName);
  return renderRepository(model, envName, { processEnv, findings });
}

function startOf(file: string): SourcePos {
  return { file, line: 1, column: 1 };
}

function definedOnly(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined));
}

/**
 * References to other resources are sent service-relative (`/loggers/<id>`), as Azure accepts them: the same
 * repository then points at the resources of whichever instance it is published to.
 */
function versionSetProperties(data: ApiVersionSetDefinition): Record<string, unknown> {
  const { displayName, description, versioningScheme, versionHeaderName, versionQueryName } = data;
  return { displayName, description, versioningScheme, versionHeaderName, versionQueryName };
}

function groupProperties(data: GroupDefinition): Record<string, unknown> {
  return { displayName: data.displayName, description: data.description, externalId: data.externalId, type: data.externalId === undefined ? 'custom' : 'external' };
}

function loggerProperties(data: LoggerDefinition): Record<string, unknown> {
  return { loggerType: data.type, description: data.description, credentials: data.credentials, isBuffered: data.isBuffered, resourceId: data.resourceId };
}

export function diagnosticProperties(data: DiagnosticDefinition): Record<string, unknown> {
  const { logger, sampling, ...rest } = data;
  return {
    ...rest,
    loggerId: logger === undefined ? undefined : `/loggers/${logger}`,
    sampling: sampling && { samplingType: 'fixed', percentage: sampling.percentage },
  };
}

/** The ARM scope of a subscription: `/products/<id>`, `/apis/<id>`, or `/apis` for all APIs. */
export function subscriptionScope(data: SubscriptionDefinition): string | undefined {
  if (data.product !== undefined) return `/products/${data.product}`;
  if (data.api !== undefined) return `/apis/${data.api}`;
  return data.allApis ? '/apis' : undefined;
}

class Renderer {
  readonly findings: Finding[] = [];
  readonly policies: RenderedPolicy[] = [];
  readonly secrets: KnownSecret[] = [];
  private readonly resources: DesiredResource[] = [];
  /** Keys (`apiId/tagId`, `tagId`) of the tags and tag links already added: APIs share tags, and names differing only in case share an id. */
  private readonly addedTags = new Set<string>();

  constructor(
    private readonly model: RepoModel,
    private readonly environment: EnvironmentConfig,
    private readonly processEnv: NodeJS.ProcessEnv,
  ) {}

  renderAll(): void {
    const { model } = this;
    model.namedValues.forEach((nv) => this.addNamedValue(nv));
    model.backends.forEach((backend) => this.addBackend(backend));
    this.addYamlResources('apiVersionSet', model.apiVersionSets, versionSetProperties);
    this.addYamlResources('group', model.groups, groupProperties);
    this.addYamlResources('logger', model.loggers, loggerProperties);
    this.addYamlResources('diagnostic', model.diagnostics, diagnosticProperties);
    for (const [id, source] of Object.entries(model.fragments)) this.addPolicy({ kind: 'policyFragment', ids: [id] }, source);
    if (model.globalPolicy) this.addPolicy({ kind: 'globalPolicy', ids: [] }, model.globalPolicy);
    model.apis.forEach((api) => this.addApi(api));
    model.products.forEach((product) => this.addProduct(product));
    model.subscriptions.forEach((subscription) => this.addSubscription(subscription));
  }

  /** One resource per file of a YAML-defined kind, its properties derived from the definition alone. */
  private addYamlResources<T>(kind: ResourceKind, resources: Array<YamlResource<T>>, properties: (definition: T) => Record<string, unknown>, parentIds: string[] = []): void {
    for (const { id, definition } of resources) this.add({ kind, ids: [...parentIds, id] }, properties(definition.data), startOf(definition.file));
  }

  /**
   * A subscription's keys come only from environment variables (else APIM generates them): they are sent, never
   * compared or shown. A variable named but unset is a key not managed here.
   */
  private addSubscription({ id, definition }: YamlResource<SubscriptionDefinition>): void {
    const data = definition.data;
    const key = (variable: string | undefined) => (variable === undefined ? undefined : this.processEnv[variable]);
    this.add(
      { kind: 'subscription', ids: [id] },
      {
        displayName: data.displayName,
        scope: subscriptionScope(data),
        ownerId: data.owner === undefined ? undefined : `/users/${data.owner}`,
        state: data.state ?? 'active',
        allowTracing: data.allowTracing ?? false,
        primaryKey: key(data.primaryKeyFromEnv),
        secondaryKey: key(data.secondaryKeyFromEnv),
      },
      startOf(definition.file),
    );
  }

  /** Resources in dependency order of their kinds, then in repository order: deterministic. */
  sortedResources(): DesiredResource[] {
    const rank = new Map<ResourceKind, number>(kindsInDependencyOrder().map((kind, i) => [kind, i]));
    return this.resources
      .map((resource, index) => ({ resource, index }))
      .sort((a, b) => rank.get(a.resource.ref.kind)! - rank.get(b.resource.ref.kind)! || a.index - b.index)
      .map(({ resource }) => resource);
  }

  private add(ref: ResourceRef, properties: Record<string, unknown>, source: SourcePos, extra: Partial<DesiredResource> = {}): void {
    this.resources.push({ ref, properties: definedOnly(properties), source, ...extra });
  }

  /** Renders and parses one policy template; records it as a policy (and a desired resource when `managed`). */
  private addPolicy(ref: ResourceRef, source: TemplateSource, managed = true): void {
    if (!this.environment.name || source.unreadable) return;
    const rendered = renderTemplate(source, {
      env: this.environment.name,
      values: this.environment.values,
      allEnvironmentValues: Object.values(this.model.config.data.environments ?? {}).map((environment) => environment.values ?? {}),
    });
    this.findings.push(...rendered.findings);
    if (rendered.text === undefined) return;
    // A file may be in the escaped form (entities inside expressions), which APIM's rawxml would take literally.
    const expectedRoot = ref.kind === 'policyFragment' ? 'fragment' : ref.kind === 'resolverPolicy' ? RESOLVER_POLICY_ROOT : 'policies';
    const parsed = parsePolicy(rendered.text, source.file, { mapPosition: rendered.mapPosition, expressionEntities: 'decoded', ...(ref.kind === 'resolverPolicy' ? { roots: [RESOLVER_POLICY_ROOT] } : {}) });
    this.findings.push(...parsed.findings);
    let document = parsed.document;
    if (document && document.root.name !== expectedRoot) {
      const what = ref.kind === 'policyFragment' ? 'a policy fragment' : 'a policy';
      this.findings.push({ rule: 'xml-syntax', severity: 'error', ...document.root.pos, message: `the root element of ${what} must be <${expectedRoot}>, not <${document.root.name}>` });
      // APIM rejects the whole document: linting it as if it were one would only add findings that follow from this one.
      document = undefined;
    }
    // A resolver's data source is no scope policy: lint and the gateway emulator, which read scope policies, leave it out.
    if (ref.kind !== 'resolverPolicy') this.policies.push({ ref, source, text: rendered.text, ...(document ? { document } : {}) });
    if (managed) {
      // Sent as written, unless its expressions had to be decoded: then as the document reads, printed in rawxml.
      const value = document && parsed.decodedExpressions ? serializePolicy(document, { form: 'rawxml' }) : rendered.text;
      this.add(ref, { format: 'rawxml', value }, startOf(source.file), document ? { policy: document } : {});
    }
  }

  private addNamedValue({ id, definition }: NamedValueModel): void {
    const { displayName, value, secret, valueFromEnv, keyVault, tags } = definition.data;
    const ref: ResourceRef = { kind: 'namedValue', ids: [id] };
    const source = startOf(definition.file);
    if (valueFromEnv !== undefined) {
      const envValue = this.processEnv[valueFromEnv];
      if (envValue) this.secrets.push({ namedValue: id, displayName: displayName ?? id, value: envValue });
      const properties = { displayName, secret: true, tags, value: envValue };
      this.add(ref, properties, source, envValue === undefined ? { valueUnavailable: true } : {});
    } else if (keyVault !== undefined) {
      this.add(ref, { displayName, secret: true, tags, keyVault: definedOnly({ ...keyVault }) }, source);
    } else {
      this.add(ref, { displayName, value, secret: secret ?? false, tags }, source);
    }
  }

  private addBackend({ id, definition }: BackendModel): void {
    const { url, protocol, description, title, resourceId, tls, credentials } = definition.data;
    this.add({ kind: 'backend', ids: [id] }, { url, protocol, description, title, resourceId, tls, credentials }, startOf(definition.file));
  }

  private backendUrl(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.model.backends.find((b) => b.id === id)?.definition.data.url;
  }

  /**
   * What an API's write sends for its specification: the document (`format` + `value`) or its link, with a WSDL's
   * selector and the type its import makes. A GraphQL SDL is no import format: it is the API schema `graphql`.
   */
  private specificationProperties(data: ApiDefinition, specification: ApiSpecification | undefined): Record<string, unknown> {
    const link = typeof data.specification === 'object' && data.specification !== null ? data.specification : undefined;
    if (link) return { format: linkFormat(link.format), value: link.link, ...(link.format === 'wsdl' ? this.wsdlProperties(data) : {}) };
    if (!specification || specification.format === 'graphql') return {};
    return { format: specification.format, value: specification.text, ...(specification.format === 'wsdl' ? this.wsdlProperties(data) : {}) };
  }

  private wsdlProperties(data: ApiDefinition): Record<string, unknown> {
    const selector = definedOnly({ wsdlServiceName: data.wsdlService, wsdlEndpointName: data.wsdlEndpoint });
    return { apiType: data.type === 'soap' ? 'soap' : 'http', wsdlSelector: Object.keys(selector).length ? selector : undefined };
  }

  private addApi(api: ApiModel): void {
    const { definition, specification } = api;
    const data = definition.data;
    const defaultProtocols = data.type === 'websocket' ? ['wss'] : ['https'];
    this.add(
      { kind: 'api', ids: [api.id] },
      {
        displayName: data.displayName,
        path: data.path,
        protocols: data.protocols ?? defaultProtocols,
        serviceUrl: data.serviceUrl ?? this.backendUrl(data.backend),
        subscriptionRequired: data.subscriptionRequired ?? true,
        subscriptionKeyParameterNames: data.subscriptionKeyParameterNames,
        description: data.description,
        type: data.type === 'http' ? undefined : data.type,
        apiVersion: data.apiVersion,
        apiVersionSetId: data.versionSet === undefined ? undefined : `/apiVersionSets/${data.versionSet}`,
        apiRevisionDescription: data.revisionDescription,
        ...this.specificationProperties(data, specification),
      },
      startOf(definition.file),
    );
    const operationIds = this.addApiContent(api.id, api, data.type === 'websocket');
    if (specification?.format === 'graphql') {
      this.add({ kind: 'apiSchema', ids: [api.id, GRAPHQL_SCHEMA.id] }, { contentType: GRAPHQL_SCHEMA.contentType, document: { value: specification.text } }, startOf(specification.file));
    }
    for (const { id, definition: schema } of api.schemas) {
      const { contentType, value, definitions, components } = schema.data;
      this.add({ kind: 'apiSchema', ids: [api.id, id] }, { contentType, document: definedOnly({ value, definitions, components }) }, startOf(schema.file));
    }
    for (const resolver of api.resolvers) {
      const { displayName, path, description } = resolver.definition.data;
      this.add({ kind: 'graphQLResolver', ids: [api.id, resolver.id] }, { displayName, path, description }, startOf(resolver.definition.file));
      if (resolver.policy) this.addPolicy({ kind: 'resolverPolicy', ids: [api.id, resolver.id] }, resolver.policy);
    }
    api.revisions.forEach((revision) => this.addRevision(api, revision));
    if (data.release) {
      const current = String(data.revision ?? '1');
      this.add({ kind: 'apiRelease', ids: [api.id, data.release.id] }, { apiId: `/apis/${api.id};rev=${current}`, notes: data.release.notes }, definition.locate(['release']));
    }
    (api.definition.data.tags ?? []).forEach((name, i) => this.addTag(name, { kind: 'apiTag', ids: [api.id] }, api.definition.locate(['tags', i])));
    for (const [operationId, names] of Object.entries(api.definition.data.operationTags ?? {})) {
      if (!operationIds.has(operationId)) continue;
      names.forEach((name, i) => this.addTag(name, { kind: 'operationTag', ids: [api.id, operationId] }, api.definition.locate(['operationTags', operationId, i])));
    }
    this.addYamlResources('apiDiagnostic', api.diagnostics, diagnosticProperties, [api.id]);
  }

  /**
   * The operations and policies of an API or revision (`apiId` `orders;rev=2`), from its specification; returns the
   * operation ids. A WebSocket API's one operation is APIM's own: only its policy is the repository's.
   */
  private addApiContent(apiId: string, content: Pick<ApiModel, 'specification' | 'policy' | 'operationPolicies'>, websocket: boolean): Set<string> {
    const operationIds = new Set<string>(websocket ? [WEBSOCKET_HANDSHAKE] : []);
    for (const operation of content.specification?.operations ?? []) {
      operationIds.add(operation.id);
      this.add({ kind: 'apiOperation', ids: [apiId, operation.id] }, operationProperties(operation), operation.pos);
    }
    if (content.policy) this.addPolicy({ kind: 'apiPolicy', ids: [apiId] }, content.policy);
    for (const [operationId, source] of Object.entries(content.operationPolicies)) {
      // A policy for an operation the specification lacks is already a finding; still render it to check its syntax.
      this.addPolicy({ kind: 'operationPolicy', ids: [apiId, operationId] }, source, operationIds.has(operationId));
    }
    return operationIds;
  }

  /**
   * A non-current revision: an API resource `{apiId};rev={n}` with the API's settings, what the revision overrides,
   * and its own specification and policies. Created from the API (`sourceApiId`, added by publish on create).
   */
  private addRevision(api: ApiModel, revision: RevisionModel): void {
    const data = api.definition.data;
    const own = revision.definition.data;
    const apiId = `${api.id};rev=${revision.number}`;
    this.add(
      { kind: 'api', ids: [apiId] },
      {
        displayName: data.displayName,
        path: data.path,
        protocols: own.protocols ?? data.protocols ?? (data.type === 'websocket' ? ['wss'] : ['https']),
        serviceUrl: own.serviceUrl ?? this.backendUrl(own.backend) ?? data.serviceUrl ?? this.backendUrl(data.backend),
        subscriptionRequired: own.subscriptionRequired ?? data.subscriptionRequired ?? true,
        description: data.description,
        type: data.type === 'http' ? undefined : data.type,
        apiVersion: data.apiVersion,
        apiVersionSetId: data.versionSet === undefined ? undefined : `/apiVersionSets/${data.versionSet}`,
        apiRevisionDescription: own.description,
        ...this.specificationProperties(data, revision.specification),
      },
      startOf(revision.definition.file),
    );
    this.addApiContent(apiId, revision, data.type === 'websocket');
  }

  /**
   * A tag named by an API, operation or product: the service-level tag (created by the first file naming it) and the
   * link to it; `link` holds the link kind and the ids before the tag's.
   */
  private addTag(name: string, link: ResourceRef, source: SourcePos): void {
    const tagId = tagIdOf(name);
    const linkRef: ResourceRef = { kind: link.kind, ids: [...link.ids, tagId] };
    const linkKey = `${link.kind}:${linkRef.ids.join('/')}`;
    if (!this.addedTags.has(tagId)) this.add({ kind: 'tag', ids: [tagId] }, { displayName: name }, source);
    if (!this.addedTags.has(linkKey)) this.add(linkRef, {}, source);
    this.addedTags.add(tagId).add(linkKey);
  }

  private addProduct(product: ProductModel): void {
    const { definition } = product;
    const data = definition.data;
    const subscriptionRequired = data.subscriptionRequired ?? true;
    this.add(
      { kind: 'product', ids: [product.id] },
      {
        displayName: data.displayName,
        description: data.description,
        terms: data.terms,
        subscriptionRequired,
        // ARM rejects these two on a product that needs no subscription.
        approvalRequired: subscriptionRequired ? (data.approvalRequired ?? false) : undefined,
        subscriptionsLimit: subscriptionRequired ? data.subscriptionsLimit : undefined,
        state: data.state ?? 'notPublished',
      },
      startOf(definition.file),
    );
    const apiIds = new Set(this.model.apis.map((a) => a.id));
    (data.apis ?? []).forEach((apiId, i) => {
      if (apiIds.has(apiId)) this.add({ kind: 'productApi', ids: [product.id, apiId] }, {}, definition.locate(['apis', i]));
    });
    (data.groups ?? []).forEach((groupId, i) => {
      this.add({ kind: 'productGroup', ids: [product.id, groupId] }, {}, definition.locate(['groups', i]));
    });
    (data.tags ?? []).forEach((name, i) => this.addTag(name, { kind: 'productTag', ids: [product.id] }, definition.locate(['tags', i])));
    if (product.policy) this.addPolicy({ kind: 'productPolicy', ids: [product.id] }, product.policy);
  }
}
