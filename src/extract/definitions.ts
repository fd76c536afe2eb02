import { KEPT_ON_INSTANCE } from '../plan/backend-fields';
import type {
  ApiDefinition,
  ApiSchemaDefinition,
  ResolverDefinition,
  RevisionDefinition,
  ApiVersionSetDefinition,
  BackendDefinition,
  DiagnosticDefinition,
  GroupDefinition,
  LoggerDefinition,
  NamedValueDefinition,
  ProductDefinition,
  SubscriptionDefinition,
} from '../repo/model';

/**
 * Live ARM `properties` → the repository's YAML definitions. Each kind's field order is the order its file is
 * written in (stable key order); `defaults` are the values a file may leave out, so an existing file that omits
 * one is not rewritten when the instance holds the default. `id` comes first where a file says it (its file or
 * folder name is too short for the id, see resources/file-names.ts).
 */

type Properties = Record<string, unknown>;

export interface DefinitionShape {
  schema: string;
  fields: readonly string[];
  defaults: Readonly<Record<string, unknown>>;
  /** Fields only the repository knows (never on the instance): kept as they are. */
  repositoryOnly: readonly string[];
}

export const API_SHAPE: DefinitionShape = {
  schema: 'api.schema.json',
  fields: ['id', 'displayName', 'type', 'description', 'path', 'protocols', 'serviceUrl', 'backend', 'subscriptionRequired', 'versionSet', 'apiVersion', 'specification', 'wsdlService', 'wsdlEndpoint', 'revision', 'revisionDescription', 'release', 'tags', 'operationTags'],
  defaults: { type: 'http', protocols: ['https'], subscriptionRequired: true, revision: 1, tags: [], operationTags: {} },
  // APIM keeps no trace of a WSDL import's selector: the repository's stays.
  repositoryOnly: ['specification', 'wsdlService', 'wsdlEndpoint'],
};

export const REVISION_SHAPE: DefinitionShape = {
  schema: 'api-revision.schema.json',
  fields: ['description', 'serviceUrl', 'backend', 'subscriptionRequired', 'protocols', 'specification'],
  defaults: {},
  repositoryOnly: ['specification'],
};

export const API_SCHEMA_SHAPE: DefinitionShape = { schema: 'api-schema.schema.json', fields: ['id', 'contentType', 'value', 'definitions', 'components'], defaults: {}, repositoryOnly: [] };

export const RESOLVER_SHAPE: DefinitionShape = { schema: 'graphql-resolver.schema.json', fields: ['id', 'displayName', 'path', 'description'], defaults: {}, repositoryOnly: [] };

export const PRODUCT_SHAPE: DefinitionShape = {
  schema: 'product.schema.json',
  fields: ['id', 'displayName', 'description', 'terms', 'subscriptionRequired', 'approvalRequired', 'subscriptionsLimit', 'state', 'tier', 'apis', 'groups', 'tags'],
  defaults: { apis: [], groups: [], tags: [] },
  repositoryOnly: ['tier'],
};

export const NAMED_VALUE_SHAPE: DefinitionShape = {
  schema: 'named-value.schema.json',
  fields: ['id', 'displayName', 'value', 'secret', 'valueFromEnv', 'keyVault', 'localValueFromEnv', 'tags'],
  defaults: { secret: false, tags: [] },
  repositoryOnly: ['localValueFromEnv'],
};

export const BACKEND_SHAPE: DefinitionShape = {
  schema: 'backend.schema.json',
  fields: ['id', 'url', 'protocol', 'title', 'description', 'resourceId', 'tls', 'credentials'],
  defaults: {},
  repositoryOnly: [],
};

export const API_VERSION_SET_SHAPE: DefinitionShape = {
  schema: 'api-version-set.schema.json',
  fields: ['id', 'displayName', 'description', 'versioningScheme', 'versionHeaderName', 'versionQueryName'],
  defaults: {},
  repositoryOnly: [],
};

export const GROUP_SHAPE: DefinitionShape = { schema: 'group.schema.json', fields: ['id', 'displayName', 'description', 'externalId'], defaults: {}, repositoryOnly: [] };

export const SUBSCRIPTION_SHAPE: DefinitionShape = {
  schema: 'subscription.schema.json',
  fields: ['id', 'displayName', 'product', 'api', 'allApis', 'state', 'owner', 'allowTracing', 'primaryKeyFromEnv', 'secondaryKeyFromEnv'],
  defaults: { state: 'active', allowTracing: false },
  repositoryOnly: ['primaryKeyFromEnv', 'secondaryKeyFromEnv'],
};

export const LOGGER_SHAPE: DefinitionShape = {
  schema: 'logger.schema.json',
  fields: ['id', 'type', 'description', 'credentials', 'isBuffered', 'resourceId'],
  defaults: { isBuffered: true },
  repositoryOnly: [],
};

export const DIAGNOSTIC_SHAPE: DefinitionShape = {
  schema: 'diagnostic.schema.json',
  fields: ['id', 'logger', 'alwaysLog', 'sampling', 'verbosity', 'logClientIp', 'httpCorrelationProtocol', 'operationNameFormat', 'metrics', 'frontend', 'backend'],
  defaults: {},
  repositoryOnly: [],
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function flag(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Lists of names (tags, protocols) are written sorted: their order means nothing to APIM, and diff compares them as sets. */
function sortedStrings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string').sort() : undefined;
}

/** Drops undefined fields so that a definition only holds what is set. */
function compact<T extends object>(definition: T): T {
  return Object.fromEntries(Object.entries(definition).filter(([, value]) => value !== undefined)) as T;
}

/**
 * `specification` is left to the repository: a new API folder uses the default file name. `tags` are the display
 * names of the tags linked to the API (sorted: APIM keeps no order).
 */
export function apiDefinition(properties: Properties, tags: string[] = [], operationTags: Record<string, string[]> = {}, release?: ApiDefinition['release']): ApiDefinition {
  const type = API_TYPES.find((known) => known === properties.type);
  const revision = Number(properties.apiRevision ?? 1);
  return compact({
    versionSet: referencedId(properties.apiVersionSetId, 'apiVersionSets'),
    displayName: text(properties.displayName) ?? '',
    type: type === 'http' ? undefined : type,
    revision: Number.isInteger(revision) && revision > 1 ? revision : undefined,
    revisionDescription: text(properties.apiRevisionDescription),
    release,
    description: text(properties.description),
    path: typeof properties.path === 'string' ? properties.path : '',
    protocols: sortedStrings(properties.protocols) as ApiDefinition['protocols'],
    serviceUrl: text(properties.serviceUrl),
    subscriptionRequired: flag(properties.subscriptionRequired),
    subscriptionKeyParameterNames: keyParameterNames(properties),
    apiVersion: text(properties.apiVersion),
    tags: tags.length ? [...tags].sort() : undefined,
    operationTags: Object.keys(operationTags).length
      ? Object.fromEntries(Object.entries(operationTags).sort(([a], [b]) => a.localeCompare(b)).map(([operationId, names]) => [operationId, [...names].sort()]))
      : undefined,
  });
}

/** The key names when the API renamed them (APIM's defaults are left out, as the repository leaves them out). */
function keyParameterNames(properties: Properties): ApiDefinition['subscriptionKeyParameterNames'] {
  const names = properties.subscriptionKeyParameterNames as Properties | undefined;
  const header = text(names?.header) ?? DEFAULT_KEY_NAMES.header;
  const query = text(names?.query) ?? DEFAULT_KEY_NAMES.query;
  return header === DEFAULT_KEY_NAMES.header && query === DEFAULT_KEY_NAMES.query ? undefined : { header, query };
}

const API_TYPES: ReadonlyArray<NonNullable<ApiDefinition['type']>> = ['http', 'soap', 'graphql', 'websocket'];

/** A non-current revision: its description, and what it sets otherwise than its API (`api`: the API's properties). */
export function revisionDefinition(properties: Properties, api: Properties | undefined): RevisionDefinition {
  const differs = (field: string) => JSON.stringify(properties[field]) !== JSON.stringify(api?.[field]);
  return compact({
    description: text(properties.apiRevisionDescription),
    serviceUrl: differs('serviceUrl') ? text(properties.serviceUrl) : undefined,
    subscriptionRequired: differs('subscriptionRequired') ? flag(properties.subscriptionRequired) : undefined,
    protocols: differs('protocols') ? (sortedStrings(properties.protocols) as RevisionDefinition['protocols']) : undefined,
  });
}

/** An API schema: its media type and its document (text, Swagger definitions or OpenAPI components). */
export function apiSchemaDefinition(properties: Properties): ApiSchemaDefinition {
  const document = (properties.document ?? {}) as Properties;
  return compact({
    contentType: text(properties.contentType) ?? '',
    value: typeof document.value === 'string' ? document.value : undefined,
    definitions: document.value === undefined && document.definitions && typeof document.definitions === 'object' ? (document.definitions as Properties) : undefined,
    components: document.value === undefined && document.definitions === undefined && document.components && typeof document.components === 'object' ? (document.components as Properties) : undefined,
  });
}

export function resolverDefinition(properties: Properties): ResolverDefinition {
  return compact({ displayName: text(properties.displayName) ?? '', path: text(properties.path) ?? '', description: text(properties.description) });
}

const DEFAULT_KEY_NAMES = { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' };

/** Whether a setting says anything: empty lists, empty strings, false and null say nothing. */
function hasEntries(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.values(value).some(hasEntries);
  return value !== undefined && value !== null && value !== '' && value !== false;
}

/**
 * What an API has that the repository format cannot say: it is left out of api.yaml, so extract names it (a
 * publish from the repository would not set it, and the user should decide what to do about it).
 */
export function unrepresentedApiSettings(file: string, properties: Properties): string[] {
  const notes: string[] = [];
  const leftOut = (what: string) => notes.push(`${file}: ${what} not managed by apiops (left out)`);
  if (typeof properties.type === 'string' && !(API_TYPES as readonly string[]).includes(properties.type)) notes.push(`${file}: a ${properties.type} API; apiops manages it as an HTTP API`);
  if (hasEntries(properties.authenticationSettings)) leftOut('its OAuth 2.0 / OpenID Connect authorization server settings are');
  for (const field of ['contact', 'license', 'termsOfServiceUrl']) if (hasEntries(properties[field])) leftOut(`its ${field} is`);
  return notes;
}

export function productDefinition(properties: Properties, apis: string[], groups: string[], tags: string[] = []): ProductDefinition {
  const subscriptionRequired = flag(properties.subscriptionRequired);
  return compact({
    displayName: text(properties.displayName) ?? '',
    description: text(properties.description),
    terms: text(properties.terms),
    subscriptionRequired,
    // APIM only keeps approval and limits for products that take subscriptions.
    approvalRequired: subscriptionRequired === false ? undefined : flag(properties.approvalRequired),
    subscriptionsLimit: subscriptionRequired === false || typeof properties.subscriptionsLimit !== 'number' ? undefined : properties.subscriptionsLimit,
    state: properties.state === 'published' || properties.state === 'notPublished' ? properties.state : undefined,
    apis: apis.length ? [...apis].sort() : undefined,
    groups: groups.length ? [...groups].sort() : undefined,
    tags: tags.length ? [...tags].sort() : undefined,
  });
}

/**
 * The id a reference names (`/subscriptions/…/service/apim/loggers/ai` or `/loggers/ai` → `ai`), when it names a
 * resource of `collection`: the repository names resources by id, so the same files work on any instance.
 */
export function referencedId(value: unknown, collection: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = new RegExp(`(?:^|/)${collection}/([^/]+)$`, 'i').exec(value);
  return match ? decodeURIComponent(match[1]) : undefined;
}

export function versionSetDefinition(properties: Properties): ApiVersionSetDefinition {
  const scheme = properties.versioningScheme === 'Header' || properties.versioningScheme === 'Query' ? properties.versioningScheme : 'Segment';
  return compact({
    displayName: text(properties.displayName) ?? '',
    description: text(properties.description),
    versioningScheme: scheme,
    versionHeaderName: scheme === 'Header' ? text(properties.versionHeaderName) : undefined,
    versionQueryName: scheme === 'Query' ? text(properties.versionQueryName) : undefined,
  });
}

export function groupDefinition(properties: Properties): GroupDefinition {
  return compact({ displayName: text(properties.displayName) ?? '', description: text(properties.description), externalId: text(properties.externalId) });
}

/** Keys are never written: a subscription file keeps the variables the repository already names for them. */
export function subscriptionDefinition(properties: Properties, existing: { primaryKeyFromEnv?: unknown; secondaryKeyFromEnv?: unknown }): SubscriptionDefinition {
  const scope = typeof properties.scope === 'string' ? properties.scope : '';
  const allApis = /(^|\/service\/[^/]+)\/apis\/?$/i.test(scope) || scope === '';
  return compact({
    displayName: text(properties.displayName) ?? '',
    product: referencedId(scope, 'products'),
    api: referencedId(scope, 'apis'),
    allApis: allApis ? (true as const) : undefined,
    state: text(properties.state) as SubscriptionDefinition['state'],
    owner: referencedId(properties.ownerId, 'users'),
    allowTracing: flag(properties.allowTracing),
    primaryKeyFromEnv: text(existing.primaryKeyFromEnv),
    secondaryKeyFromEnv: text(existing.secondaryKeyFromEnv),
  });
}

export interface LoggerExtraction {
  definition: LoggerDefinition;
  /** Credential names left out because they hold a literal (secret) value rather than a named-value reference. */
  withheld: string[];
}

export function loggerDefinition(properties: Properties): LoggerExtraction {
  const type = properties.loggerType === 'azureMonitor' || properties.loggerType === 'azureEventHub' ? properties.loggerType : 'applicationInsights';
  const withheld: string[] = [];
  const credentials: Record<string, string> = {};
  const secretNames = new Set(['instrumentationKey', 'connectionString']);
  for (const [name, value] of Object.entries((properties.credentials as Properties | undefined) ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof value !== 'string' || value === '') continue;
    if (secretNames.has(name) && !NAMED_VALUE_REFERENCE.test(value)) withheld.push(name);
    else credentials[name] = value;
  }
  return {
    definition: compact({
      type,
      description: text(properties.description),
      credentials: Object.keys(credentials).length ? credentials : undefined,
      // Buffering is APIM's default: only turning it off is worth a line.
      isBuffered: properties.isBuffered === false ? false : undefined,
      resourceId: text(properties.resourceId),
    }),
    withheld,
  };
}

const DIAGNOSTIC_ENUMS: Record<string, string[]> = {
  alwaysLog: ['allErrors'],
  verbosity: ['verbose', 'information', 'error'],
  httpCorrelationProtocol: ['None', 'Legacy', 'W3C'],
  operationNameFormat: ['Name', 'Url'],
};

/** What a diagnostic logs in one direction (request or response), as the schema allows it. */
function diagnosticMessage(value: unknown): DiagnosticDefinition['frontend'] {
  if (!value || typeof value !== 'object') return undefined;
  const message = (side: unknown) => {
    if (!side || typeof side !== 'object') return undefined;
    const { headers, body, dataMasking } = side as Properties;
    const bytes = (body as Properties | undefined)?.bytes;
    const masks = (list: unknown) =>
      Array.isArray(list) && list.length ? list.map((m: Properties) => ({ value: String(m.value), mode: m.mode === 'Hide' ? ('Hide' as const) : ('Mask' as const) })) : undefined;
    const masking = dataMasking && typeof dataMasking === 'object' ? compact({ headers: masks((dataMasking as Properties).headers), queryParams: masks((dataMasking as Properties).queryParams) }) : undefined;
    const written = compact({
      headers: Array.isArray(headers) && headers.length ? headers.map(String) : undefined,
      body: typeof bytes === 'number' ? { bytes } : undefined,
      dataMasking: masking && Object.keys(masking).length ? masking : undefined,
    });
    return Object.keys(written).length ? written : undefined;
  };
  const directions = compact({ request: message((value as Properties).request), response: message((value as Properties).response) });
  return Object.keys(directions).length ? directions : undefined;
}

/** A diagnostic names its logger by id (`logger: ai`), never by the instance's ARM id: it points at the logger of whichever instance it is published to. */
export function diagnosticDefinition(properties: Properties): DiagnosticDefinition {
  const sampling = properties.sampling as Properties | undefined;
  const enumField = (field: string) => (DIAGNOSTIC_ENUMS[field].includes(String(properties[field])) ? properties[field] : undefined);
  return compact({
    logger: referencedId(properties.loggerId, 'loggers') ?? String(properties.loggerId ?? ''),
    alwaysLog: enumField('alwaysLog'),
    sampling: typeof sampling?.percentage === 'number' ? { percentage: sampling.percentage } : undefined,
    verbosity: enumField('verbosity'),
    logClientIp: flag(properties.logClientIp),
    httpCorrelationProtocol: enumField('httpCorrelationProtocol'),
    operationNameFormat: enumField('operationNameFormat'),
    metrics: flag(properties.metrics),
    frontend: diagnosticMessage(properties.frontend),
    backend: diagnosticMessage(properties.backend),
  }) as DiagnosticDefinition;
}

/** `partner-api-key` → `PARTNER_API_KEY`: the environment variable extract suggests for a secret. */
export function suggestedEnvVar(namedValueId: string): string {
  const snake = namedValueId
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  return /^[0-9]/.test(snake) ? `NV_${snake}` : snake || 'NAMED_VALUE';
}

/**
 * A named value never carries a secret's value: secrets become `secret: true` with an environment variable
 * (the one the repository already names, else a suggestion), Key Vault references keep only the reference.
 */
export function namedValueDefinition(id: string, properties: Properties, existingEnvVar?: string): NamedValueDefinition {
  const keyVault = properties.keyVault as Properties | undefined;
  const tags = sortedStrings(properties.tags);
  const common = { displayName: text(properties.displayName) ?? id };
  const tagField = tags && tags.length ? { tags } : {};
  if (keyVault && text(keyVault.secretIdentifier)) {
    return compact({
      ...common,
      keyVault: compact({ secretIdentifier: keyVault.secretIdentifier as string, identityClientId: text(keyVault.identityClientId) }),
      ...tagField,
    });
  }
  if (properties.secret === true) {
    return { ...common, secret: true, valueFromEnv: existingEnvVar ?? suggestedEnvVar(id), ...tagField };
  }
  return { ...common, value: typeof properties.value === 'string' ? properties.value : '', ...tagField };
}

const NAMED_VALUE_REFERENCE = /^\{\{[^{}]+\}\}$/;

export interface BackendExtraction {
  definition: BackendDefinition;
  /** Credential entries written as KEPT_ON_INSTANCE because they hold a literal (secret) value rather than a named-value reference. */
  withheld: string[];
}

function referencesOrKept(values: unknown, label: string, withheld: string[]): Record<string, string[]> | undefined {
  if (!values || typeof values !== 'object') return undefined;
  const written: Record<string, string[]> = {};
  for (const name of Object.keys(values).sort()) {
    const entries = (values as Record<string, unknown>)[name];
    const list = Array.isArray(entries) ? entries.filter((entry): entry is string => typeof entry === 'string') : [];
    if (!list.length) continue;
    if (list.every((entry) => NAMED_VALUE_REFERENCE.test(entry))) {
      written[name] = list;
    } else {
      written[name] = [KEPT_ON_INSTANCE];
      withheld.push(`${label} ${name}`);
    }
  }
  return Object.keys(written).length ? written : undefined;
}

/**
 * Backend credentials are secrets unless they reference a named value (`{{name}}`): a literal one is written as
 * KEPT_ON_INSTANCE (and reported), so that no secret reaches the repository and publish keeps the live value
 * rather than dropping it.
 */
export function backendDefinition(properties: Properties): BackendExtraction {
  const withheld: string[] = [];
  const tlsIn = properties.tls as Properties | undefined;
  const tls = tlsIn
    ? compact({ validateCertificateChain: flag(tlsIn.validateCertificateChain), validateCertificateName: flag(tlsIn.validateCertificateName) })
    : undefined;
  const credentialsIn = properties.credentials as Properties | undefined;
  let credentials: BackendDefinition['credentials'];
  if (credentialsIn) {
    const authorizationIn = credentialsIn.authorization as Properties | undefined;
    let authorization: { scheme: string; parameter: string } | undefined;
    if (authorizationIn && typeof authorizationIn.scheme === 'string' && authorizationIn.scheme && typeof authorizationIn.parameter === 'string') {
      const literal = !NAMED_VALUE_REFERENCE.test(authorizationIn.parameter);
      if (literal) withheld.push('authorization parameter');
      authorization = { scheme: authorizationIn.scheme, parameter: literal ? KEPT_ON_INSTANCE : authorizationIn.parameter };
    }
    credentials = compact({
      header: referencesOrKept(credentialsIn.header, 'header', withheld),
      query: referencesOrKept(credentialsIn.query, 'query parameter', withheld),
      authorization,
    });
    if (!Object.keys(credentials).length) credentials = undefined;
  }
  const definition = compact({
    url: typeof properties.url === 'string' ? properties.url : '',
    protocol: properties.protocol === 'soap' ? 'soap' : 'http',
    title: text(properties.title),
    description: text(properties.description),
    resourceId: text(properties.resourceId),
    tls: tls && Object.keys(tls).length ? tls : undefined,
    credentials,
  }) as BackendDefinition;
  return { definition, withheld };
}
