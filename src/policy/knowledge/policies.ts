/**
 * The APIM policy knowledge base: every policy element APIM accepts, where it may appear, and its attributes.
 *
 * Source: the Azure API Management policy reference (https://learn.microsoft.com/azure/api-management/api-management-policies
 * and each policy's page, `<name>-policy`; repository MicrosoftDocs/azure-docs, articles/api-management/*-policy.md),
 * read in 2025–2026: the "Policy statement", "Attributes", "Elements" and "Usage" (policy sections, policy scopes)
 * sections of each page. The gateway itself is the final authority: when APIM accepts something this table rejects,
 * the table is wrong and should be fixed here, with the page that says so.
 *
 * Every attribute a page lists is here, so an attribute that is not (a typo such as `exist-action`) is reported, as
 * APIM refuses it; required, mutually exclusive, enumerated and ranged attributes, element names, sections and scopes
 * are checked too. The reference adds attributes over time: bench/lint-corpus.bench.js runs the rules over Microsoft's
 * policy snippets and the AI-Gateway labs, where any finding of an unknown attribute means this table is behind.
 */
import type { AttributeSpec, ElementSpec, PolicySpec, Scope, Section } from './types';

const ALL_SECTIONS: readonly Section[] = ['inbound', 'backend', 'outbound', 'on-error'];
const INBOUND: readonly Section[] = ['inbound'];
const OUTBOUND: readonly Section[] = ['outbound'];
const RESPONSE_OR_ERROR: readonly Section[] = ['outbound', 'on-error'];
const NOT_BACKEND: readonly Section[] = ['inbound', 'outbound', 'on-error'];
const ALL_SCOPES: readonly Scope[] = ['global', 'workspace', 'product', 'api', 'operation'];

const BOOL = { type: 'boolean' } as const;
const INT = { type: 'integer' } as const;

function opt(name: string, spec: Omit<AttributeSpec, 'name'> = {}): AttributeSpec {
  return { name, ...spec };
}

function req(name: string, spec: Omit<AttributeSpec, 'name'> = {}): AttributeSpec {
  return { name, required: true, ...spec };
}

type AttributeGroups = Pick<ElementSpec, 'oneOf' | 'anyOf' | 'exclusive' | 'together'>;

function el(name: string, attributes: readonly AttributeSpec[] = [], children: ElementSpec['children'] = 'none', groups: AttributeGroups = {}): ElementSpec {
  return { name, attributes, children, ...groups };
}

/** A child element the policy cannot do without. */
function required(spec: ElementSpec): ElementSpec {
  return { ...spec, required: true };
}

function policy(
  name: string,
  where: { sections: readonly Section[]; scopes?: readonly Scope[]; doc?: string; once?: boolean },
  attributes: readonly AttributeSpec[] = [],
  children: ElementSpec['children'] = 'none',
  groups: AttributeGroups = {},
): PolicySpec {
  return {
    ...el(name, attributes, children, groups),
    sections: where.sections,
    scopes: where.scopes ?? ALL_SCOPES,
    doc: where.doc ?? `${name}-policy`,
    ...(where.once ? { once: true } : {}),
  };
}

const headerValue = el('value', [], 'text');
const namedHeader = (name: string) => el(name, [req('name'), opt('exists-action', { values: ['override', 'skip', 'append', 'delete'] })], [headerValue]);
const SET_HEADER = namedHeader('set-header');
const SET_BODY = el('set-body', [opt('template', { values: ['liquid', 'none'] }), opt('xsi-nil', { values: ['blank', 'null'] }), opt('parse-date', BOOL)], 'text');
const SET_URL = el('set-url', [], 'text');
const SET_METHOD = el('set-method', [], 'text');
const SET_STATUS = el('set-status', [req('code', { ...INT, min: 100, max: 599 }), opt('reason')]);
const METADATA = el('metadata', [req('name'), req('value')]);
const DIMENSION = el('dimension', [req('name'), opt('value')], 'text');
const AUTH_CERTIFICATE = el('authentication-certificate', [opt('thumbprint'), opt('certificate-id'), opt('body'), opt('password')], 'none', {
  oneOf: [['thumbprint', 'certificate-id', 'body']],
});
// authentication-provider="WorkloadIdentity": a self-hosted gateway's Entra Workload ID instead of a managed identity
// (the reference's 2026 page; "don't specify client-id with this provider").
const AUTH_MANAGED_IDENTITY = el(
  'authentication-managed-identity',
  [req('resource'), opt('client-id'), opt('output-token-variable-name'), opt('ignore-error', BOOL), opt('authentication-provider', { values: ['WorkloadIdentity'] })],
  'none',
  { exclusive: [['client-id', 'authentication-provider']] },
);
const PROXY = el('proxy', [req('url'), opt('username'), opt('password')]);
const TOKEN_SOURCE = { exclusive: [['header-name', 'query-parameter-name', 'token-value']] };
const listOf = (name: string, item: string, attributes: readonly AttributeSpec[] = []) => el(name, attributes, [el(item, [], 'text')]);
const REQUIRED_CLAIMS = el('required-claims', [], [
  el('claim', [req('name'), opt('match', { values: ['all', 'any'] }), opt('separator')], [el('value', [], 'text')]),
]);
const KEY = el('key', [opt('certificate-id'), opt('n'), opt('e'), opt('id')], 'text');
const THROTTLE_TARGETS = (limits: readonly AttributeSpec[]) =>
  [el('api', [opt('name'), opt('id'), ...limits], [el('operation', [opt('name'), opt('id'), ...limits])])] as const;
const RATE_LIMIT_ATTRIBUTES = [req('calls', { ...INT, min: 1 }), req('renewal-period', { ...INT, min: 1, max: 300 })];
const QUOTA_LIMITS = [opt('calls', { ...INT, min: 1 }), opt('bandwidth', { ...INT, min: 1 }), req('renewal-period', { ...INT, min: 0 })];
const TOKEN_LIMIT_ATTRIBUTES = [
  req('counter-key'),
  opt('tokens-per-minute', { ...INT, min: 1 }),
  opt('token-quota', { ...INT, min: 1 }),
  opt('token-quota-period', { values: ['Hourly', 'Daily', 'Weekly', 'Monthly', 'Yearly'] }),
  req('estimate-prompt-tokens', BOOL),
  opt('retry-after-header-name'),
  opt('retry-after-variable-name'),
  opt('remaining-quota-tokens-header-name'),
  opt('remaining-quota-tokens-variable-name'),
  opt('remaining-tokens-header-name'),
  opt('remaining-tokens-variable-name'),
  opt('tokens-consumed-header-name'),
  opt('tokens-consumed-variable-name'),
];
// "A rate limit (tokens-per-minute), a quota (token-quota over a token-quota-period), or both must be specified."
const TOKEN_LIMIT_GROUPS = { anyOf: [['tokens-per-minute', 'token-quota']], together: [['token-quota', 'token-quota-period']] };
const CALLS_OR_BANDWIDTH = { anyOf: [['calls', 'bandwidth']] };
const SEMANTIC_CACHE_LOOKUP_ATTRIBUTES = [
  req('score-threshold'),
  req('embeddings-backend-id'),
  req('embeddings-backend-auth', { values: ['system-assigned'] }),
  opt('ignore-system-messages', BOOL),
  opt('max-message-count', { ...INT, min: 1 }),
];
const SEND_REQUEST_CHILDREN = [SET_URL, SET_METHOD, SET_HEADER, SET_BODY, AUTH_CERTIFICATE, AUTH_MANAGED_IDENTITY, PROXY];
// "Liquid" is the only template engine and "application/json" the only content type; timeout "from 1 to 240 seconds".
// The template engine in any letter case: the Dapr pages write "Liquid", set-body's page the same engine "liquid".
const DAPR_CALL_ATTRIBUTES = [
  opt('ignore-error', BOOL),
  opt('response-variable-name'),
  opt('timeout', { ...INT, min: 1, max: 240 }),
  opt('template', { values: ['Liquid'], ignoreCase: true }),
  opt('content-type', { values: ['application/json'] }),
];
const VALIDATION_ACTION = { values: ['ignore', 'prevent', 'detect'] } as const;
const PARAMETER = el('parameter', [req('name'), opt('action', VALIDATION_ACTION)]);
const PARAMETER_GROUP = (name: string) =>
  el(name, [opt('specified-parameter-action', VALIDATION_ACTION), opt('unspecified-parameter-action', VALIDATION_ACTION)], [PARAMETER]);

export const POLICIES: readonly PolicySpec[] = [
  // Rate limiting and quotas
  // rate-limit and quota: "can be used only once per policy definition"; the -by-key and token-limit variants say
  // nothing of the kind (the token limits: "can be used multiple times per policy definition").
  policy('rate-limit', { sections: INBOUND, scopes: ['product', 'api', 'operation'], once: true }, [
    ...RATE_LIMIT_ATTRIBUTES,
    opt('retry-after-header-name'),
    opt('retry-after-variable-name'),
    opt('remaining-calls-header-name'),
    opt('remaining-calls-variable-name'),
    opt('total-calls-header-name'),
  ], THROTTLE_TARGETS(RATE_LIMIT_ATTRIBUTES)),
  policy('rate-limit-by-key', { sections: INBOUND }, [
    req('calls', { ...INT, min: 1 }),
    req('renewal-period', { ...INT, min: 1, max: 300 }),
    req('counter-key'),
    opt('increment-condition'),
    opt('increment-count'),
    opt('retry-after-header-name'),
    opt('retry-after-variable-name'),
    opt('remaining-calls-header-name'),
    opt('remaining-calls-variable-name'),
    opt('total-calls-header-name'),
  ]),
  policy('quota', { sections: INBOUND, scopes: ['product'], once: true }, [...QUOTA_LIMITS, opt('first-period-start')], THROTTLE_TARGETS(QUOTA_LIMITS), CALLS_OR_BANDWIDTH),
  policy('quota-by-key', { sections: INBOUND }, [
    opt('calls', { ...INT, min: 1 }),
    opt('bandwidth', { ...INT, min: 1 }),
    req('renewal-period', { ...INT, min: 0 }),
    req('counter-key'),
    opt('increment-condition'),
    opt('increment-count'),
    opt('first-period-start'),
  ], 'none', CALLS_OR_BANDWIDTH),
  policy('limit-concurrency', { sections: ALL_SECTIONS }, [req('key'), req('max-count', { ...INT, min: 1 })], 'policies'),
  policy('azure-openai-token-limit', { sections: INBOUND }, TOKEN_LIMIT_ATTRIBUTES, 'none', TOKEN_LIMIT_GROUPS),
  policy('llm-token-limit', { sections: INBOUND }, TOKEN_LIMIT_ATTRIBUTES, 'none', TOKEN_LIMIT_GROUPS),

  // Authentication and authorization
  policy('check-header', { sections: INBOUND }, [
    req('name'),
    req('failed-check-httpcode', { ...INT, min: 100, max: 599 }),
    req('failed-check-error-message'),
    req('ignore-case', BOOL),
  ], [el('value', [], 'text')]),
  policy('get-authorization-context', { sections: INBOUND }, [
    req('provider-id'),
    req('authorization-id'),
    req('context-variable-name'),
    opt('identity-type', { values: ['managed', 'jwt'] }),
    opt('identity'),
    opt('ignore-error', BOOL),
  ]),
  policy('ip-filter', { sections: INBOUND }, [req('action', { values: ['allow', 'forbid'] })], [
    el('address', [], 'text'),
    el('address-range', [req('from'), req('to')]),
  ]),
  policy('validate-azure-ad-token', { sections: INBOUND }, [
    req('tenant-id'),
    opt('header-name'),
    opt('query-parameter-name'),
    opt('token-value'),
    opt('authentication-endpoint'),
    opt('failed-validation-httpcode', { ...INT, min: 100, max: 599 }),
    opt('failed-validation-error-message'),
    opt('output-token-variable-name'),
  ], [
    listOf('client-application-ids', 'application-id'),
    listOf('backend-application-ids', 'application-id'),
    listOf('audiences', 'audience'),
    REQUIRED_CLAIMS,
    el('decryption-keys', [], [KEY]),
  ], TOKEN_SOURCE),
  policy('validate-jwt', { sections: INBOUND }, [
    opt('header-name'),
    opt('query-parameter-name'),
    opt('token-value'),
    opt('failed-validation-httpcode', { ...INT, min: 100, max: 599 }),
    opt('failed-validation-error-message'),
    opt('require-expiration-time', BOOL),
    opt('require-scheme'),
    opt('require-signed-tokens', BOOL),
    opt('clock-skew', { ...INT, min: 0 }),
    opt('output-token-variable-name'),
  ], [
    el('openid-config', [req('url')]),
    el('issuer-signing-keys', [], [KEY]),
    el('decryption-keys', [], [KEY]),
    listOf('audiences', 'audience'),
    listOf('issuers', 'issuer'),
    REQUIRED_CLAIMS,
  ], TOKEN_SOURCE),
  policy('validate-client-certificate', { sections: INBOUND }, [
    opt('validate-revocation', BOOL),
    opt('validate-trust', BOOL),
    opt('validate-not-before', BOOL),
    opt('validate-not-after', BOOL),
    opt('ignore-error', BOOL),
  ], [
    el('identities', [], [
      el('identity', [opt('thumbprint'), opt('serial-number'), opt('common-name'), opt('subject'), opt('dns-name'), opt('issuer-subject'), opt('issuer-thumbprint'), opt('issuer-certificate-id')]),
    ]),
  ]),
  policy('authentication-basic', { sections: INBOUND }, [req('username'), req('password')]),
  { ...AUTH_CERTIFICATE, sections: INBOUND, scopes: ALL_SCOPES, doc: 'authentication-certificate-policy' },
  { ...AUTH_MANAGED_IDENTITY, sections: INBOUND, scopes: ALL_SCOPES, doc: 'authentication-managed-identity-policy' },

  // Content validation
  policy('validate-content', { sections: NOT_BACKEND }, [
    req('unspecified-content-type-action', VALIDATION_ACTION),
    req('max-size', { ...INT, min: 0 }),
    req('size-exceeded-action', VALIDATION_ACTION),
    opt('errors-variable-name'),
  ], [
    el('content-type-map', [opt('missing-content-type-value'), opt('fallback-content-type-value')], [
      el('type', [opt('from'), opt('when'), req('to')]),
    ]),
    el('content', [
      opt('type'),
      req('validate-as', { values: ['json', 'xml', 'soap'] }),
      opt('schema-id'),
      opt('schema-ref'),
      opt('action', VALIDATION_ACTION),
      opt('allow-additional-properties', BOOL),
      opt('case-insensitive-property-names', BOOL),
    ]),
  ]),
  policy('validate-graphql-request', { sections: INBOUND }, [
    opt('error-variable-name'),
    opt('max-size', { ...INT, min: 0 }),
    opt('max-depth', { ...INT, min: 1 }),
    opt('max-total-depth', { ...INT, min: 1 }),
    opt('max-complexity', { ...INT, min: 1 }),
  ], [el('authorize', [], [el('rule', [req('path'), opt('action', { values: ['allow', 'remove', 'reject', 'ignore'] })])])]),
  policy('validate-odata-request', { sections: INBOUND }, [
    opt('error-variable-name'),
    opt('default-odata-version'),
    opt('min-odata-version'),
    opt('max-odata-version'),
    opt('max-size', { ...INT, min: 0 }),
  ]),
  policy('validate-parameters', { sections: INBOUND }, [
    req('specified-parameter-action', VALIDATION_ACTION),
    req('unspecified-parameter-action', VALIDATION_ACTION),
    opt('errors-variable-name'),
  ], [PARAMETER_GROUP('headers'), PARAMETER_GROUP('query'), PARAMETER_GROUP('path')]),
  policy('validate-headers', { sections: RESPONSE_OR_ERROR }, [
    req('specified-header-action', VALIDATION_ACTION),
    req('unspecified-header-action', VALIDATION_ACTION),
    opt('errors-variable-name'),
  ], [el('header', [req('name'), req('action', VALIDATION_ACTION)])]),
  policy('validate-status-code', { sections: RESPONSE_OR_ERROR }, [
    req('unspecified-status-code-action', VALIDATION_ACTION),
    opt('errors-variable-name'),
  ], [el('status-code', [req('code', { ...INT, min: 100, max: 599 }), req('action', VALIDATION_ACTION)])]),

  // Routing
  // "You can specify either timeout or timeout-ms but not both."
  policy('forward-request', { sections: ['backend'] }, [
    opt('timeout', { ...INT, min: 0 }),
    opt('timeout-ms', { ...INT, min: 0 }),
    opt('continue-timeout', { ...INT, min: 0 }),
    opt('http-version', { values: ['1', '2or1', '2'] }),
    opt('follow-redirects', BOOL),
    opt('buffer-request-body', BOOL),
    opt('buffer-response', BOOL),
    opt('fail-on-error-status-code', BOOL),
  ], 'none', { exclusive: [['timeout', 'timeout-ms']] }),
  policy('set-backend-service', { sections: ['inbound', 'backend'] }, [
    opt('base-url'),
    // backend-id="dapr" (with dapr-app-id) sends the call to the Dapr sidecar (set-backend-service-dapr-policy).
    opt('backend-id', { keywords: ['dapr'] }),
    opt('sf-resolve-condition'),
    opt('sf-service-instance-name'),
    opt('sf-partition-key'),
    opt('sf-listener-name'),
    opt('dapr-app-id'),
    opt('dapr-method'),
    opt('dapr-namespace'),
  ], 'none', { oneOf: [['base-url', 'backend-id']], together: [['dapr-app-id', 'dapr-method']] }),
  { ...PROXY, sections: INBOUND, scopes: ALL_SCOPES, doc: 'proxy-policy' },

  // Caching
  policy('cache-lookup', { sections: INBOUND }, [
    req('vary-by-developer', BOOL),
    req('vary-by-developer-groups', BOOL),
    opt('caching-type', { values: ['internal', 'external', 'prefer-external'] }),
    opt('downstream-caching-type', { values: ['none', 'private', 'public'] }),
    opt('must-revalidate', BOOL),
    opt('allow-private-response-caching', BOOL),
  ], [el('vary-by-header', [], 'text'), el('vary-by-query-parameter', [], 'text')]),
  policy('cache-store', { sections: OUTBOUND }, [req('duration', { ...INT, min: 0 }), opt('cache-response', BOOL)]),
  policy('cache-lookup-value', { sections: ALL_SECTIONS }, [
    req('key'),
    req('variable-name'),
    opt('default-value'),
    opt('caching-type', { values: ['internal', 'external', 'prefer-external'] }),
  ]),
  policy('cache-store-value', { sections: ALL_SECTIONS }, [
    req('key'),
    req('value'),
    req('duration', { ...INT, min: 0 }),
    opt('caching-type', { values: ['internal', 'external', 'prefer-external'] }),
  ]),
  policy('cache-remove-value', { sections: ALL_SECTIONS }, [req('key'), opt('caching-type', { values: ['internal', 'external', 'prefer-external'] })]),
  policy('azure-openai-semantic-cache-lookup', { sections: INBOUND }, SEMANTIC_CACHE_LOOKUP_ATTRIBUTES, [el('vary-by', [], 'text')]),
  policy('azure-openai-semantic-cache-store', { sections: OUTBOUND }, [req('duration', { ...INT, min: 1 })]),
  policy('llm-semantic-cache-lookup', { sections: INBOUND }, SEMANTIC_CACHE_LOOKUP_ATTRIBUTES, [el('vary-by', [], 'text')]),
  policy('llm-semantic-cache-store', { sections: OUTBOUND }, [req('duration', { ...INT, min: 1 })]),

  // Transformation
  { ...SET_METHOD, sections: ['inbound', 'on-error'], scopes: ALL_SCOPES, doc: 'set-method-policy' },
  { ...SET_STATUS, sections: ALL_SECTIONS, scopes: ALL_SCOPES, doc: 'set-status-policy' },
  policy('set-variable', { sections: ALL_SECTIONS }, [req('name'), req('value')]),
  { ...SET_BODY, sections: ['inbound', 'backend', 'outbound'], scopes: ALL_SCOPES, doc: 'set-body-policy' },
  { ...SET_HEADER, sections: ALL_SECTIONS, scopes: ALL_SCOPES, doc: 'set-header-policy' },
  { ...namedHeader('set-query-parameter'), sections: ['inbound', 'backend'], scopes: ALL_SCOPES, doc: 'set-query-parameter-policy' },
  policy('rewrite-uri', { sections: INBOUND }, [req('template'), opt('copy-unmatched-params', BOOL)]),
  policy('json-to-xml', { sections: NOT_BACKEND }, [
    req('apply', { values: ['always', 'content-type-json'] }),
    opt('consider-accept-header', BOOL),
    opt('parse-date', BOOL),
    opt('namespace-separator'),
    opt('namespace-prefix'),
    opt('attribute-block-name'),
  ]),
  policy('xml-to-json', { sections: NOT_BACKEND }, [
    req('kind', { values: ['javascript-friendly', 'direct'] }),
    req('apply', { values: ['always', 'content-type-xml'] }),
    opt('consider-accept-header', BOOL),
    opt('always-array-child-elements', BOOL),
  ]),
  policy('find-and-replace', { sections: ALL_SECTIONS }, [req('from'), req('to')]),
  policy('redirect-content-urls', { sections: ['inbound', 'outbound'] }),
  policy('xsl-transform', { sections: ['inbound', 'outbound'] }, [], 'any'),
  policy('return-response', { sections: ALL_SECTIONS }, [opt('response-variable-name')], [SET_STATUS, SET_HEADER, SET_BODY]),
  policy('mock-response', { sections: NOT_BACKEND }, [opt('status-code', { ...INT, min: 100, max: 599 }), opt('content-type')]),

  // Cross-domain
  policy('cross-domain', { sections: INBOUND, scopes: ['global'] }, [], 'any'),
  policy('cors', { sections: INBOUND }, [opt('allow-credentials', BOOL), opt('terminate-unmatched-request', BOOL)], [
    required(listOf('allowed-origins', 'origin')),
    listOf('allowed-methods', 'method', [opt('preflight-result-max-age', { ...INT, min: 0 })]),
    listOf('allowed-headers', 'header'),
    listOf('expose-headers', 'header'),
  ]),
  policy('jsonp', { sections: OUTBOUND }, [req('callback-parameter-name')]),

  // Integration and external communication
  policy('send-request', { sections: ALL_SECTIONS }, [
    opt('mode', { values: ['new', 'copy'] }),
    req('response-variable-name'),
    opt('timeout', { ...INT, min: 1 }),
    opt('ignore-error', BOOL),
  ], SEND_REQUEST_CHILDREN),
  policy('send-one-way-request', { sections: ALL_SECTIONS }, [opt('mode', { values: ['new', 'copy'] }), opt('timeout', { ...INT, min: 1 })], SEND_REQUEST_CHILDREN),
  policy('log-to-eventhub', { sections: ALL_SECTIONS }, [req('logger-id'), opt('partition-id'), opt('partition-key')], 'text', {
    exclusive: [['partition-id', 'partition-key']],
  }),
  policy('publish-to-dapr', { sections: INBOUND }, [req('topic'), opt('pubsub-name'), ...DAPR_CALL_ATTRIBUTES], 'text'),
  policy(
    'send-service-bus-message',
    { sections: NOT_BACKEND, scopes: ['global', 'product', 'api', 'operation'] },
    [opt('queue-name'), opt('topic-name'), opt('namespace'), opt('client-id')],
    [required(el('payload', [], 'text')), el('message-properties', [], [el('message-property', [req('name')], 'text')])],
    { oneOf: [['queue-name', 'topic-name']] },
  ),
  policy('invoke-dapr-binding', { sections: NOT_BACKEND }, [req('name'), opt('operation'), ...DAPR_CALL_ATTRIBUTES], [el('metadata', [], [el('item', [req('key')], 'text')]), el('data', [], 'text')]),

  // Logging
  // <message> is the reference's form; the earlier one, the message as the element's text (`<trace source="x">text</trace>`),
  // is still accepted (Microsoft's "Log errors to Stackify" snippet), so neither is required.
  policy('trace', { sections: ALL_SECTIONS }, [req('source'), opt('severity', { values: ['verbose', 'information', 'error'] })], [
    el('message', [], 'text'),
    METADATA,
  ]),
  policy('emit-metric', { sections: ALL_SECTIONS }, [req('name'), opt('namespace'), opt('value')], [required(DIMENSION)]),
  policy('azure-openai-emit-token-metric', { sections: INBOUND }, [opt('namespace')], [required(DIMENSION)]),
  policy('llm-emit-token-metric', { sections: INBOUND }, [opt('namespace')], [required(DIMENSION)]),
  // The 2025 page adds completions screening (enforce-on-completions, in inbound; or the policy in outbound) and the
  // sliding window over long content (window-size, window-overlap-size).
  policy('llm-content-safety', { sections: ['inbound', 'outbound'] }, [
    req('backend-id'),
    opt('shield-prompt', BOOL),
    opt('enforce-on-completions', BOOL),
    opt('window-size', { ...INT, min: 1 }),
    opt('window-overlap-size', { ...INT, min: 0 }),
  ], [
    el('categories', [opt('output-type', { values: ['FourSeverityLevels', 'EightSeverityLevels'] })], [
      el('category', [req('name', { values: ['Hate', 'SelfHarm', 'Sexual', 'Violence'] }), req('threshold', { ...INT, min: 0, max: 7 })]),
    ]),
    listOf('blocklists', 'id'),
  ]),

  // GraphQL resolvers: valid only in resolver documents, which apiops does not manage.
  policy('http-data-source', { sections: [], scopes: ['resolver'] }, [], 'any'),
  policy('sql-data-source', { sections: [], scopes: ['resolver'] }, [], 'any'),
  policy('cosmosdb-data-source', { sections: [], scopes: ['resolver'] }, [], 'any'),
  policy('publish-event', { sections: [], scopes: ['resolver'] }, [], 'any'),

  // Policy control and flow
  policy('choose', { sections: ALL_SECTIONS }, [], [required(el('when', [req('condition')], 'policies')), el('otherwise', [], 'policies')]),
  policy('include-fragment', { sections: ALL_SECTIONS }, [req('fragment-id')]),
  policy('retry', { sections: ALL_SECTIONS }, [
    req('condition'),
    req('count', { ...INT, min: 1 }),
    req('interval', { ...INT, min: 0 }),
    opt('max-interval', { ...INT, min: 0 }),
    opt('delta', { ...INT, min: 0 }),
    opt('first-fast-retry', BOOL),
  ], 'policies'),
  policy('wait', { sections: ALL_SECTIONS }, [opt('for', { values: ['all', 'any'] })], 'policies'),
];

const BY_NAME = new Map(POLICIES.map((p) => [p.name, p]));

export function policySpec(name: string): PolicySpec | undefined {
  return BY_NAME.get(name);
}

/** True when `value` is a keyword of the policy's attribute (`AttributeSpec.keywords`), not a reference to an entity. */
export function isKeywordValue(policy: string, attribute: string, value: string): boolean {
  return policySpec(policy)?.attributes.find((spec) => spec.name === attribute)?.keywords?.includes(value) ?? false;
}

export const POLICY_NAMES: readonly string[] = POLICIES.map((p) => p.name);
