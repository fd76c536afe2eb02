/**
 * What the gateway serves, read once from the rendered repository: APIs with their operations' URL templates,
 * products, backends and named values (resolved as publish resolves them). Policies stay in EffectivePolicies.
 */
import { buildEffective, type EffectivePolicies } from '../effective';
import type { RenderedRepository } from '../render/desired';
import type { ApiModel, ApiSpecification, ApiVersionSetDefinition, NamedValueModel, OperationDefinition, ProductModel, RepoModel, RevisionModel } from '../repo/model';
import { parseYaml } from '../repo/yaml';
import { resolveRef, specOperations } from '../repo/openapi';
import type { SubscriptionScope, SubscriptionState } from './subscriptions';
import { parseUrlTemplate, type UrlTemplate } from './url-template';

export interface GatewayOperation {
  id: string;
  name: string;
  method: string;
  urlTemplate: string;
  template: UrlTemplate;
  definition: OperationDefinition;
}

export interface GatewayApi {
  id: string;
  name: string;
  /** URL suffix, no leading or trailing slash ('' for an API at the root). */
  path: string;
  protocols: string[];
  serviceUrl?: string;
  subscriptionRequired: boolean;
  subscriptionKeyParameterNames: { header: string; query: string };
  version?: string;
  /** How callers name the version, when the API belongs to a version set (header and query: the name they use). */
  versioning?: { scheme: 'Segment' | 'Header' | 'Query'; name?: string };
  /** The revision number; `current`: the one calls reach without `;rev=n` (the others only with it). */
  revision: string;
  current: boolean;
  operations: GatewayOperation[];
  model: ApiModel;
}

export interface GatewayProduct {
  id: string;
  name: string;
  subscriptionRequired: boolean;
  approvalRequired: boolean;
  subscriptionsLimit?: number;
  state: 'published' | 'notPublished';
  apis: string[];
  groups: string[];
}

/** A named value as the gateway resolves it: its value, or a placeholder when it has none offline. */
export interface ResolvedNamedValue {
  name: string;
  value: string;
  /** True when `value` stands in for a value that is not available here (Key Vault, an unset secret variable). */
  placeholder: boolean;
  /** A secret (or Key Vault) named value: its value never appears in a trace. */
  secret: boolean;
}

export interface GatewayRepository {
  rendered: RenderedRepository;
  effective: EffectivePolicies;
  apis: GatewayApi[];
  products: Map<string, GatewayProduct>;
  /** Backend id → url. */
  backends: Map<string, string>;
  /** Named values by displayName in lower case (APIM matches `{{name}}` in any letter case). */
  namedValues: Map<string, ResolvedNamedValue>;
  /** The repository's own subscriptions (keys from their environment variables when set, else generated at start). */
  subscriptions: RepositorySubscription[];
  /** The environment's template values (tenantId names the gateway identity's tenant). */
  values: Record<string, unknown>;
  /**
   * An example response from the specification, for mock-response; `body` undefined when the response has a schema
   * but no example (APIM then answers a sample it generates from the schema).
   */
  example(api: GatewayApi, operation: GatewayOperation, status: number, contentType?: string): SpecificationExample | undefined;
}

export interface SpecificationExample {
  contentType: string;
  body?: string;
}

export interface RepositorySubscription {
  id: string;
  name: string;
  scope: SubscriptionScope;
  state: SubscriptionState;
  primaryKey?: string;
  secondaryKey?: string;
}

export const DEFAULT_KEY_HEADER = 'Ocp-Apim-Subscription-Key';
export const DEFAULT_KEY_QUERY = 'subscription-key';

export function placeholderValue(name: string): string {
  return `apiops-placeholder-${name}`;
}

/** The repository's APIs as the gateway matches requests to them (what `apiops validate` checks test requests against). */
export function gatewayApis(model: RepoModel): GatewayApi[] {
  const versionSets = new Map(model.apiVersionSets.map((set) => [set.id, set.definition.data]));
  return model.apis.flatMap((api) => {
    const current = gatewayApi(api, versionSets);
    return [current, ...api.revisions.map((revision) => gatewayRevision(current, revision))];
  });
}

export function readRepository(rendered: RenderedRepository, env: NodeJS.ProcessEnv): GatewayRepository {
  const { model } = rendered;
  const apis = gatewayApis(model);
  const products = new Map(model.products.map((product) => [product.id, gatewayProduct(product)]));
  const backends = new Map(model.backends.map((backend) => [backend.id, backend.definition.data.url]));
  const namedValues = new Map(model.namedValues.map((nv) => [nv.definition.data.displayName.toLowerCase(), resolveNamedValue(nv, env)]));
  const specifications = new Map<string, Record<string, unknown> | undefined>();
  const subscriptions = model.subscriptions.map(({ id, definition: { data } }): RepositorySubscription => ({
    id,
    name: data.displayName,
    scope: data.product !== undefined ? { product: data.product } : data.api !== undefined ? { api: data.api } : { allApis: true },
    state: data.state ?? 'active',
    primaryKey: data.primaryKeyFromEnv === undefined ? undefined : env[data.primaryKeyFromEnv],
    secondaryKey: data.secondaryKeyFromEnv === undefined ? undefined : env[data.secondaryKeyFromEnv],
  }));
  return {
    rendered,
    effective: buildEffective(rendered),
    apis,
    products,
    backends,
    namedValues,
    subscriptions,
    values: rendered.environment.values ?? {},
    example(api, operation, status, contentType) {
      if (!specifications.has(api.id)) specifications.set(api.id, parsedSpecification(api.model));
      const root = specifications.get(api.id);
      return root ? specificationExample(root, operation.id, status, contentType) : undefined;
    },
  };
}

function gatewayApi(api: ApiModel, versionSets: ReadonlyMap<string, ApiVersionSetDefinition>): GatewayApi {
  const data = api.definition.data;
  const set = data.versionSet === undefined ? undefined : versionSets.get(data.versionSet);
  const names = data.subscriptionKeyParameterNames;
  return {
    id: api.id,
    name: data.displayName,
    path: (data.path ?? '').replace(/^\/+|\/+$/g, ''),
    protocols: data.protocols ?? ['https'],
    serviceUrl: data.serviceUrl,
    subscriptionRequired: data.subscriptionRequired ?? true,
    subscriptionKeyParameterNames: { header: names?.header ?? DEFAULT_KEY_HEADER, query: names?.query ?? DEFAULT_KEY_QUERY },
    version: data.apiVersion,
    ...(set
      ? { versioning: { scheme: set.versioningScheme, name: set.versioningScheme === 'Header' ? (set.versionHeaderName ?? 'Api-Version') : set.versioningScheme === 'Query' ? (set.versionQueryName ?? 'api-version') : undefined } }
      : {}),
    revision: String(data.revision ?? '1'),
    current: true,
    operations: gatewayOperations(api.specification),
    model: api,
  };
}

/**
 * A non-current revision, reached as `<path>;rev=<n>`: its own operations (from its specification, else the API's),
 * protocols and subscription requirement where revision.yaml sets them, everything else the API's.
 */
function gatewayRevision(api: GatewayApi, revision: RevisionModel): GatewayApi {
  const data = revision.definition.data;
  return {
    ...api,
    protocols: data.protocols ?? api.protocols,
    serviceUrl: data.serviceUrl ?? api.serviceUrl,
    subscriptionRequired: data.subscriptionRequired ?? api.subscriptionRequired,
    revision: revision.number,
    current: false,
    operations: revision.specification ? gatewayOperations(revision.specification) : api.operations,
  };
}

function gatewayOperations(specification: ApiSpecification | undefined): GatewayOperation[] {
  return (specification?.operations ?? []).map((definition) => ({
    id: definition.id,
    name: definition.displayName,
    method: definition.method.toUpperCase(),
    urlTemplate: definition.urlTemplate,
    template: parseUrlTemplate(definition.urlTemplate),
    definition,
  }));
}

function gatewayProduct(product: ProductModel): GatewayProduct {
  const data = product.definition.data;
  return {
    id: product.id,
    name: data.displayName,
    subscriptionRequired: data.subscriptionRequired ?? true,
    approvalRequired: data.approvalRequired ?? false,
    subscriptionsLimit: data.subscriptionsLimit,
    state: data.state ?? 'notPublished',
    apis: data.apis ?? [],
    groups: data.groups ?? [],
  };
}

/**
 * As publish resolves it: a plain value as written, a secret from its `valueFromEnv` variable. A Key Vault reference
 * has no value offline: it takes the `localValueFromEnv` variable when the repository names one and it is set.
 * Anything still without a value gets a placeholder, which every response that used it names.
 */
function resolveNamedValue({ definition }: NamedValueModel, env: NodeJS.ProcessEnv): ResolvedNamedValue {
  const { displayName: name, value, valueFromEnv, keyVault, localValueFromEnv, secret } = definition.data;
  const fromEnv = valueFromEnv ?? (keyVault ? localValueFromEnv : undefined);
  const resolved = value ?? (fromEnv === undefined ? undefined : env[fromEnv]);
  const hidden = Boolean(secret || keyVault);
  return resolved === undefined ? { name, value: placeholderValue(name), placeholder: true, secret: hidden } : { name, value: resolved, placeholder: false, secret: hidden };
}

function parsedSpecification(api: ApiModel): Record<string, unknown> | undefined {
  const specification = api.specification;
  if (!specification) return undefined;
  const parsed = parseYaml<unknown>(specification.file, specification.text).document?.data;
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * mock-response's body: the response's example for the status (and content type, else the first declared), else one
 * of its named examples, else the schema's example; OpenAPI 3 `content` and Swagger 2 `examples` alike.
 */
function specificationExample(root: Json, operationId: string, status: number, contentType?: string): SpecificationExample | undefined {
  const entry = specOperations(root).find((e) => e.operation.operationId === operationId);
  const responses = entry?.operation.responses;
  if (!isObject(responses)) return undefined;
  const response = resolveRef(root, responses[String(status)] ?? responses.default);
  if (!isObject(response)) return undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  if (isObject(response.content)) {
    const types = Object.keys(response.content);
    const type = contentType && types.includes(contentType) ? contentType : contentType ? undefined : types[0];
    const media = type === undefined ? undefined : resolveRef(root, response.content[type]);
    if (!isObject(media) || type === undefined) return undefined;
    if (media.example !== undefined) return { contentType: type, body: text(media.example) };
    if (isObject(media.examples)) {
      const first = resolveRef(root, Object.values(media.examples)[0]);
      if (isObject(first) && first.value !== undefined) return { contentType: type, body: text(first.value) };
    }
    const schema = resolveRef(root, media.schema);
    if (isObject(schema)) return { contentType: type, body: schema.example === undefined ? undefined : text(schema.example) };
    return undefined;
  }
  if (isObject(response.examples)) {
    const types = Object.keys(response.examples);
    const type = contentType && types.includes(contentType) ? contentType : contentType ? undefined : types[0];
    if (type !== undefined) return { contentType: type, body: text(response.examples[type]) };
  }
  const schema = resolveRef(root, response.schema);
  if (isObject(schema)) return { contentType: contentType ?? 'application/json', body: schema.example === undefined ? undefined : text(schema.example) };
  return undefined;
}
