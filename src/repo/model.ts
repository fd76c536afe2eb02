import type { SourcePos } from '../diagnostics';

/**
 * The repository loaded into typed objects (stage 1: files → model). Nothing here is rendered yet:
 * policy files are kept as template sources; YAML documents keep a locator for positions.
 */

export type YamlPath = ReadonlyArray<string | number>;

export interface YamlDocument<T> {
  /** Path relative to the repository root. */
  file: string;
  data: T;
  /** Position of the value at `path` (or of the nearest existing ancestor); the document start for []. */
  locate(path: YamlPath): SourcePos;
  /** Position of the key of the entry at `path` (its value's position for list items); like locate otherwise. */
  locateKey?(path: YamlPath): SourcePos;
  /** The file's text as read, for comment directives (`# apiops-disable-next-line …`); absent when not kept. */
  text?: string;
}

/** A policy XML file as written: a Handlebars template. */
export interface TemplateSource {
  file: string;
  text: string;
  /**
   * The file exists but could not be read (binary, not UTF-8, empty…; already a finding): `text` is ''. It is kept so
   * later stages know a policy is there, whose statements are unknown, rather than treating the scope as policy-less.
   */
  unreadable?: boolean;
}

export type LintLevel = 'off' | 'warn' | 'error';

export type Target =
  | { emulator: string }
  | { subscriptionId: string; resourceGroup: string; serviceName: string; endpoint?: string };

export interface EnvironmentConfig {
  name: string;
  target: Target;
  values: Record<string, unknown>;
  lint?: { rules?: Record<string, LintLevel> };
}

export interface RepoConfig {
  environments: Record<string, EnvironmentConfig>;
  lint: { rules: Record<string, LintLevel> };
}

/** An API's type: http (REST; SOAP-to-REST from a WSDL), soap (SOAP pass-through), graphql, websocket. */
export type ApiType = 'http' | 'soap' | 'graphql' | 'websocket';

/** A specification imported from a URL (the document is not in the repository). */
export interface SpecificationLink {
  link: string;
  format: 'openapi' | 'openapi+json' | 'swagger' | 'wsdl' | 'wadl' | 'graphql';
}

export interface ApiDefinition {
  displayName: string;
  type?: ApiType;
  path: string;
  protocols?: Array<'http' | 'https' | 'ws' | 'wss'>;
  serviceUrl?: string;
  backend?: string;
  subscriptionRequired?: boolean;
  /** The header and query parameter callers send the subscription key in (APIM's default names when absent). */
  subscriptionKeyParameterNames?: { header: string; query: string };
  specification?: string | SpecificationLink;
  /** WSDL specifications: which service and endpoint to import. */
  wsdlService?: string;
  wsdlEndpoint?: string;
  description?: string;
  apiVersion?: string;
  /** The current revision's number (default 1); the others are in revisions/<n>/. */
  revision?: number | string;
  revisionDescription?: string;
  /** The release that made the current revision current. */
  release?: { id: string; notes?: string };
  /** Id of the API version set (api-version-sets/<id>.yaml) this API is a version of. */
  versionSet?: string;
  tags?: string[];
  /** Tag names per operation id. */
  operationTags?: Record<string, string[]>;
}

export interface OperationDefinition {
  /** operationId from the spec; the APIM operation id. */
  id: string;
  displayName: string;
  method: string;
  urlTemplate: string;
  description?: string;
  templateParameters: Array<{ name: string; type: string; required: boolean; description?: string }>;
  /** Query parameters (required ones are template parameters, as APIM's import makes them) and headers. */
  request: { queryParameters: OperationParameter[]; headers: OperationParameter[] };
  /** The responses' status codes. */
  responses: Array<{ statusCode: number }>;
  pos: SourcePos;
}

/** A query parameter or header as compared with the instance; `type` only where the spec declares a primitive type. */
export interface OperationParameter {
  name: string;
  type?: string;
  required: boolean;
}

/**
 * APIM import format of a specification document. `graphql` is not an import format: a GraphQL API's SDL is sent as
 * its API schema `graphql`.
 */
export type SpecificationFormat = 'openapi' | 'openapi+json' | 'swagger-json' | 'wsdl' | 'wadl-xml' | 'graphql';

export interface ApiSpecification {
  file: string;
  /** APIM import format for this document. */
  format: SpecificationFormat;
  /** The document text as written (sent to APIM on import). */
  text: string;
  operations: OperationDefinition[];
}

/** A non-current revision (apis/<api-id>/revisions/<n>/revision.yaml). */
export interface RevisionDefinition {
  description?: string;
  serviceUrl?: string;
  backend?: string;
  subscriptionRequired?: boolean;
  protocols?: Array<'http' | 'https' | 'ws' | 'wss'>;
  specification?: string;
}

export interface RevisionModel {
  /** The revision number (the folder name). */
  number: string;
  definition: YamlDocument<RevisionDefinition>;
  specification?: ApiSpecification;
  policy?: TemplateSource;
  operationPolicies: Record<string, TemplateSource>;
}

/** apis/<api-id>/api-schemas/<schema-id>.yaml: a schema the specification import does not create. */
export interface ApiSchemaDefinition {
  contentType: string;
  value?: string;
  definitions?: Record<string, unknown>;
  components?: Record<string, unknown>;
}

/** apis/<api-id>/resolvers/<resolver-id>.yaml, with its policy resolvers/<resolver-id>.xml. */
export interface ResolverDefinition {
  displayName: string;
  path: string;
  description?: string;
}

export interface ResolverModel extends YamlResource<ResolverDefinition> {
  policy?: TemplateSource;
}

export interface ApiModel {
  id: string;
  definition: YamlDocument<ApiDefinition>;
  specification?: ApiSpecification;
  policy?: TemplateSource;
  /** Operation-scope policies by operation id. */
  operationPolicies: Record<string, TemplateSource>;
  /** API-scope diagnostics (apis/<id>/diagnostics/<diagnostic-id>.yaml). */
  diagnostics: Array<YamlResource<DiagnosticDefinition>>;
  /** Non-current revisions, by number. */
  revisions: RevisionModel[];
  /** Schemas besides those the specification import creates. */
  schemas: Array<YamlResource<ApiSchemaDefinition>>;
  /** GraphQL resolvers (synthetic GraphQL APIs). */
  resolvers: ResolverModel[];
}

export interface ProductDefinition {
  displayName: string;
  description?: string;
  terms?: string;
  subscriptionRequired?: boolean;
  approvalRequired?: boolean;
  subscriptionsLimit?: number;
  state?: 'published' | 'notPublished';
  apis?: string[];
  groups?: string[];
  tags?: string[];
  /** Repository metadata for lint, never sent to Azure. */
  tier?: 'developer' | 'production';
}

export interface ProductModel {
  id: string;
  definition: YamlDocument<ProductDefinition>;
  policy?: TemplateSource;
}

export interface NamedValueDefinition {
  displayName: string;
  value?: string;
  secret?: boolean;
  valueFromEnv?: string;
  keyVault?: { secretIdentifier: string; identityClientId?: string };
  /** With keyVault: where the gateway emulator and `apiops test` take a stand-in value (repository-only, never published). */
  localValueFromEnv?: string;
  tags?: string[];
}

export interface NamedValueModel {
  id: string;
  definition: YamlDocument<NamedValueDefinition>;
}

export interface BackendDefinition {
  url: string;
  protocol: 'http' | 'soap';
  description?: string;
  title?: string;
  /** ARM id of the Azure resource behind it (a Function App, a Logic App), as the portal links it. */
  resourceId?: string;
  tls?: { validateCertificateChain?: boolean; validateCertificateName?: boolean };
  credentials?: {
    header?: Record<string, string[]>;
    query?: Record<string, string[]>;
    authorization?: { scheme: string; parameter: string };
  };
}

export interface BackendModel {
  id: string;
  definition: YamlDocument<BackendDefinition>;
}

/** A resource defined by one YAML file whose name is its id. */
export interface YamlResource<T> {
  id: string;
  definition: YamlDocument<T>;
}

export interface ApiVersionSetDefinition {
  displayName: string;
  description?: string;
  versioningScheme: 'Segment' | 'Header' | 'Query';
  versionHeaderName?: string;
  versionQueryName?: string;
}

export interface GroupDefinition {
  displayName: string;
  description?: string;
  externalId?: string;
}

/** Exactly one of product, api, allApis is the scope. Keys only ever come from environment variables. */
export interface SubscriptionDefinition {
  displayName: string;
  product?: string;
  api?: string;
  allApis?: true;
  state?: 'active' | 'suspended' | 'submitted' | 'rejected' | 'cancelled' | 'expired';
  owner?: string;
  allowTracing?: boolean;
  primaryKeyFromEnv?: string;
  secondaryKeyFromEnv?: string;
}

export interface LoggerDefinition {
  type: 'applicationInsights' | 'azureMonitor' | 'azureEventHub';
  description?: string;
  /** Secret values only as `{{named value}}` references. */
  credentials?: Record<string, string>;
  isBuffered?: boolean;
  resourceId?: string;
}

export interface DiagnosticMessage {
  headers?: string[];
  body?: { bytes: number };
  dataMasking?: { headers?: Array<{ value: string; mode: 'Mask' | 'Hide' }>; queryParams?: Array<{ value: string; mode: 'Mask' | 'Hide' }> };
}

export interface DiagnosticDirections {
  request?: DiagnosticMessage;
  response?: DiagnosticMessage;
}

export interface DiagnosticDefinition {
  /** Id of the logger (loggers/<id>.yaml): portable, resolved on the instance published to. */
  logger: string;
  alwaysLog?: 'allErrors';
  sampling?: { percentage: number };
  verbosity?: 'verbose' | 'information' | 'error';
  logClientIp?: boolean;
  httpCorrelationProtocol?: 'None' | 'Legacy' | 'W3C';
  operationNameFormat?: 'Name' | 'Url';
  metrics?: boolean;
  frontend?: DiagnosticDirections;
  backend?: DiagnosticDirections;
}

export interface RepoModel {
  /** Absolute path of the repository root. */
  root: string;
  config: YamlDocument<RepoConfig>;
  /**
   * The environment whose values the resource YAML files' templates were rendered with (and whose `environments:`
   * scopes were applied): see loadRepository. Undefined when the configuration defines none usable.
   */
  environment?: string;
  /** Some resource YAML file holds a template or an `environments:` scope: the model holds only for `environment`. */
  environmentSpecific: boolean;
  apis: ApiModel[];
  products: ProductModel[];
  namedValues: NamedValueModel[];
  backends: BackendModel[];
  apiVersionSets: Array<YamlResource<ApiVersionSetDefinition>>;
  /** Custom groups (the built-in ones are referenced, never defined). */
  groups: Array<YamlResource<GroupDefinition>>;
  subscriptions: Array<YamlResource<SubscriptionDefinition>>;
  loggers: Array<YamlResource<LoggerDefinition>>;
  /** Service-scope diagnostics (diagnostics/<id>.yaml). */
  diagnostics: Array<YamlResource<DiagnosticDefinition>>;
  /** Policy fragments by id. */
  fragments: Record<string, TemplateSource>;
  globalPolicy?: TemplateSource;
}
