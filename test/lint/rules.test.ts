import { compliantRepository, lintFiles, MANAGED_IDENTITY, ofRule, policy, STRIP_KEY, type Files } from './helpers';

/** The compliant repository with some files replaced (a value of null removes the file). */
function repo(overrides: Record<string, string | null>): Files {
  const files: Files = compliantRepository();
  for (const [file, text] of Object.entries(overrides)) {
    if (text === null) delete files[file];
    else files[file] = text;
  }
  return files;
}

const API_POLICY = 'apis/orders/policy.xml';
const OPERATION_POLICY = 'apis/orders/operations/get-order.xml';
const DEV_POLICY = 'products/partner-developer/policy.xml';
const DEV_PRODUCT = 'products/partner-developer/product.yaml';
const FRAGMENT = 'policies/fragments/validate-caller.xml';
const GLOBAL = 'policies/global.xml';

const SUBSCRIPTION = 'subscriptions/partner.yaml';
const DIAGNOSTIC = 'diagnostics/applicationinsights.yaml';
const API_DIAGNOSTIC = 'apis/orders/diagnostics/applicationinsights.yaml';
const LOGGER = { 'loggers/appinsights.yaml': 'type: applicationInsights\ncredentials: { instrumentationKey: "{{backend-key}}" }\n' };
const API = 'apis/orders/api.yaml';
const API_YAML = compliantRepository()[API];
const VERSION_SET = { 'api-version-sets/orders.yaml': 'displayName: Orders\nversioningScheme: Segment\n' };

function diagnostic(directions: string): string {
  return `logger: appinsights\nsampling: { percentage: 10 }\n${directions}`;
}

/** apis/orders-v2: the orders API again, as `apiVersion` of the orders version set. */
function secondVersion(apiVersion: string): Files {
  const files = compliantRepository();
  const copied = Object.entries(files).filter(([file]) => file.startsWith('apis/orders/') && !file.includes('/operations/'));
  return {
    ...Object.fromEntries(copied.map(([file, text]) => [file.replace('apis/orders/', 'apis/orders-v2/'), text])),
    'apis/orders-v2/api.yaml': `${API_YAML}versionSet: orders\napiVersion: ${apiVersion}\n`,
  };
}

function fragment(body: string): string {
  return `<fragment>\n${body}\n</fragment>\n`;
}

function jwt(openid: string, issuer: string, audience = '<audiences><audience>api://partner-api</audience></audiences>'): string {
  return fragment(`<validate-jwt header-name="Authorization">
  <openid-config url="${openid}" />
  <issuers><issuer>${issuer}</issuer></issuers>
  ${audience}
</validate-jwt>`);
}

const TENANT = '4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37';
const V2_CONFIG = `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`;
const V1_CONFIG = `https://login.microsoftonline.com/${TENANT}/.well-known/openid-configuration`;
const V2_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const V1_ISSUER = `https://sts.windows.net/${TENANT}/`;

/** A condition with everything APIM's dialect allows unescaped inside an expression. */
const HEAVY_CONDITION = `@(context.Request.Headers.GetValueOrDefault("X-Region","") == "eu" && context.Request.Body?.As<JObject>(preserveContent: true)["size"]?.Value<int>() < 10)`;

interface Case {
  name: string;
  files: Files;
  /** The file each finding of the rule must be in; absent = the rule must not fire. */
  file?: string;
  message?: RegExp;
  severity?: 'error' | 'warn';
}

const cases: Record<string, Case[]> = {
  'managed-identity-auth': [
    { name: 'API policy without it', files: repo({ [API_POLICY]: policy({}) }), file: API_POLICY, message: /effective inbound policy of orders via partner-developer, partner-production lacks authentication-managed-identity/ },
    {
      name: 'only under one <when> of a choose without otherwise',
      files: repo({ [API_POLICY]: policy({ inbound: `<choose><when condition='${HEAVY_CONDITION}'>${MANAGED_IDENTITY}</when></choose>` }) }),
      file: API_POLICY,
    },
    {
      name: 'missing from the otherwise branch',
      files: repo({ [API_POLICY]: policy({ inbound: `<choose><when condition='${HEAVY_CONDITION}'>${MANAGED_IDENTITY}</when><otherwise><set-variable name="x" value="1" /></otherwise></choose>` }) }),
      file: API_POLICY,
    },
    {
      name: 'an operation policy without <base /> drops it',
      files: repo({ [OPERATION_POLICY]: policy({ inbound: '<rewrite-uri template="/orders/{id}" />' }, false) }),
      file: OPERATION_POLICY,
      message: /of orders\/get-order via partner-developer, partner-production/,
    },
    {
      name: 'a resource-less managed identity',
      files: repo({ [API_POLICY]: policy({ inbound: '<authentication-managed-identity resource="" />' }) }),
      file: API_POLICY,
    },
    {
      name: 'an API callable without a product lacks it',
      files: repo({
        'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nsubscriptionRequired: false\nserviceUrl: https://func-orders.azurewebsites.net/api\nspecification: openapi.yaml\n',
        [API_POLICY]: policy({}),
      }),
      file: API_POLICY,
      message: /via partner-developer, partner-production and without a product/,
    },
    {
      name: 'on every branch of a choose (with expressions)',
      files: repo({
        [API_POLICY]: policy({ inbound: `<choose><when condition='${HEAVY_CONDITION}'>${MANAGED_IDENTITY}</when><otherwise><authentication-managed-identity resource="@(context.Variables.GetValueOrDefault<string>("aud", "api://x"))" /></otherwise></choose>` }),
      }),
    },
    {
      name: 'under the only <when> whose <otherwise> answers the caller itself (no backend call on that path)',
      files: repo({
        [API_POLICY]: policy({
          inbound: `<choose><when condition='${HEAVY_CONDITION}'>${MANAGED_IDENTITY}</when><otherwise><return-response><set-status code="403" reason="Forbidden" /></return-response></otherwise></choose>`,
        }),
      }),
    },
    {
      name: 'missing on a <when> that answers nothing itself, although another branch returns a response',
      files: repo({
        [API_POLICY]: policy({
          inbound: `<choose><when condition="@(context.Request.Method == &quot;GET&quot;)"><mock-response status-code="200" /></when><when condition='${HEAVY_CONDITION}'><set-variable name="x" value="1" /></when><otherwise>${MANAGED_IDENTITY}</otherwise></choose>`,
        }),
      }),
      file: API_POLICY,
    },
    {
      name: 'through a fragment, inside retry',
      files: repo({
        'policies/fragments/call-backend.xml': fragment(MANAGED_IDENTITY),
        [API_POLICY]: policy({ inbound: '<retry condition="@(context.Response == null)" count="3" interval="1"><include-fragment fragment-id="call-backend" /></retry>' }),
      }),
    },
  ],
  'dev-product-throttled': [
    { name: 'developer product policy without throttling', files: repo({ [DEV_POLICY]: policy({}) }), file: DEV_POLICY, message: /developer product partner-developer is not throttled/ },
    { name: 'developer product without a policy', files: repo({ [DEV_POLICY]: null }), file: DEV_PRODUCT },
    {
      name: 'throttled only under a when',
      files: repo({ [DEV_POLICY]: policy({ inbound: `<choose><when condition="@(context.Request.Method == &quot;POST&quot;)"><rate-limit calls="5" renewal-period="60" /></when></choose>` }) }),
      file: DEV_POLICY,
    },
    {
      name: 'rate-limit-by-key from a fragment',
      files: repo({
        'policies/fragments/throttle.xml': fragment('<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription?.Key ?? &quot;anonymous&quot;)" />'),
        [DEV_POLICY]: policy({ inbound: '<include-fragment fragment-id="throttle" />' }),
      }),
    },
    { name: 'production product without throttling', files: repo({}) },
  ],
  'product-subscription-required': [
    {
      name: 'subscriptionRequired: false',
      files: repo({ [DEV_PRODUCT]: 'displayName: Partner developer\ntier: developer\nsubscriptionRequired: false\napis: [orders]\n' }),
      file: DEV_PRODUCT,
    },
    { name: 'subscriptionRequired left at its default', files: repo({ [DEV_PRODUCT]: 'displayName: Partner developer\ntier: developer\napis: [orders]\n' }) },
  ],
  'subscription-tracing': [
    { name: 'allowTracing: true', files: repo({ [SUBSCRIPTION]: 'displayName: Partner\nproduct: partner-production\nallowTracing: true\n' }), file: SUBSCRIPTION, message: /allows tracing/ },
    { name: 'allowTracing: false', files: repo({ [SUBSCRIPTION]: 'displayName: Partner\nproduct: partner-production\nallowTracing: false\n' }) },
  ],
  'subscription-all-apis': [
    { name: 'scoped to all APIs', files: repo({ [SUBSCRIPTION]: 'displayName: Monitor\nallApis: true\n' }), file: SUBSCRIPTION, severity: 'warn', message: /scoped to all APIs/ },
    { name: 'scoped to one API', files: repo({ [SUBSCRIPTION]: 'displayName: Monitor\napi: orders\n' }) },
  ],
  'diagnostic-sensitive-data': [
    {
      name: 'the Authorization header logged unmasked',
      files: repo({ ...LOGGER, [DIAGNOSTIC]: diagnostic('frontend:\n  request: { headers: [Content-Type, authorization] }\n') }),
      file: DIAGNOSTIC,
      message: /logs the authorization header of frontend requests unmasked/,
    },
    {
      name: 'the subscription key logged towards the backend',
      files: repo({ ...LOGGER, [API_DIAGNOSTIC]: diagnostic('backend:\n  request: { headers: [Ocp-Apim-Subscription-Key] }\n') }),
      file: API_DIAGNOSTIC,
    },
    {
      name: 'request bodies of an API that validates JWTs',
      files: repo({ ...LOGGER, [DIAGNOSTIC]: diagnostic('frontend:\n  request: { body: { bytes: 512 } }\n') }),
      file: DIAGNOSTIC,
      message: /request bodies of orders, which validates JWTs/,
    },
    {
      name: 'credential headers masked, response bodies only',
      files: repo({
        ...LOGGER,
        [DIAGNOSTIC]: diagnostic('frontend:\n  request:\n    headers: [Authorization]\n    dataMasking: { headers: [{ value: Authorization, mode: Hide }] }\n  response: { body: { bytes: 512 } }\n'),
      }),
    },
  ],
  'api-version-set-consistent': [
    {
      name: 'apiVersion without a version set',
      files: repo({ [API]: `${API_YAML}apiVersion: v1\n` }),
      file: API,
      message: /has apiVersion v1 but no versionSet/,
    },
    { name: 'a version set that is not defined', files: repo({ [API]: `${API_YAML}versionSet: order\napiVersion: v1\n` }), file: API, message: /names version set 'order'/ },
    {
      name: 'two APIs with the same version of one set',
      files: repo({ ...VERSION_SET, [API]: `${API_YAML}versionSet: orders\napiVersion: v1\n`, ...secondVersion('V1') }),
      file: 'apis/orders-v2/api.yaml',
      message: /both version V1 of version set orders/,
    },
    { name: 'two versions of one set', files: repo({ ...VERSION_SET, [API]: `${API_YAML}versionSet: orders\n`, ...secondVersion('v2') }) },
  ],
  'jwt-issuer-version': [
    { name: 'v1 issuer with v2 openid-config', files: repo({ [FRAGMENT]: jwt(V2_CONFIG, V1_ISSUER) }), file: FRAGMENT, message: /can never match/ },
    { name: 'v2 issuer with v1 openid-config', files: repo({ [FRAGMENT]: jwt(V1_CONFIG, V2_ISSUER) }), file: FRAGMENT },
    { name: 'v1 issuer with v1 openid-config', files: repo({ [FRAGMENT]: jwt(V1_CONFIG, V1_ISSUER) }) },
    {
      name: 'v1 and v2 issuers with an openid-config for each version',
      files: repo({ [FRAGMENT]: jwt(V2_CONFIG, V2_ISSUER).replace('<issuers>', `<openid-config url="${V1_CONFIG}" />\n  <issuers><issuer>${V1_ISSUER}</issuer>`) }),
    },
    { name: 'a non-Entra identity provider', files: repo({ [FRAGMENT]: jwt('https://idp.example.com/.well-known/openid-configuration', 'https://idp.example.com/') }) },
  ],
  'jwt-audience-required': [
    { name: 'validate-jwt without audience', files: repo({ [FRAGMENT]: jwt(V2_CONFIG, V2_ISSUER, '') }), file: FRAGMENT },
    {
      name: 'validate-azure-ad-token without audience',
      files: repo({ [FRAGMENT]: fragment(`<validate-azure-ad-token tenant-id="${TENANT}"><client-application-ids><application-id>${TENANT}</application-id></client-application-ids></validate-azure-ad-token>`) }),
      file: FRAGMENT,
    },
    {
      name: 'a required aud claim',
      files: repo({ [FRAGMENT]: jwt(V2_CONFIG, V2_ISSUER, '<required-claims><claim name="aud" match="any"><value>api://partner-api</value></claim></required-claims>') }),
    },
    {
      name: 'validate-azure-ad-token with backend application ids',
      files: repo({ [FRAGMENT]: fragment(`<validate-azure-ad-token tenant-id="${TENANT}"><backend-application-ids><application-id>${TENANT}</application-id></backend-application-ids></validate-azure-ad-token>`) }),
    },
  ],
  'subscription-key-stripped': [
    {
      name: 'nobody deletes the header',
      files: repo({ [GLOBAL]: `<policies><inbound><include-fragment fragment-id="validate-caller" /></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>` }),
      file: API_POLICY,
      severity: 'warn',
    },
    {
      name: 'deleted only on one branch',
      files: repo({
        [GLOBAL]: `<policies><inbound><include-fragment fragment-id="validate-caller" /><choose><when condition="@(context.Request.Url.Host.EndsWith(&quot;.eu&quot;))">${STRIP_KEY}</when><otherwise /></choose></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>`,
      }),
      file: API_POLICY,
    },
    {
      name: 'an API that requires no subscription and is in no product',
      files: repo({
        [GLOBAL]: `<policies><inbound><include-fragment fragment-id="validate-caller" /></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>`,
        'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nsubscriptionRequired: false\nserviceUrl: https://func-orders.azurewebsites.net/api\nspecification: openapi.yaml\n',
        [DEV_PRODUCT]: 'displayName: Partner developer\ntier: developer\napis: []\n',
        'products/partner-production/product.yaml': 'displayName: Partner production\ntier: production\napis: []\n',
      }),
    },
  ],
  'base-inherited': [
    { name: 'a section without <base />', files: repo({ [API_POLICY]: policy({ inbound: MANAGED_IDENTITY }).replace('<outbound><base />', '<outbound>') }), file: API_POLICY, severity: 'warn' },
    { name: 'missing sections', files: repo({ [OPERATION_POLICY]: '<policies><inbound><base /></inbound></policies>' }), file: OPERATION_POLICY, message: /no <backend>, <outbound>, <on-error>/ },
    { name: 'the global policy has no enclosing scope', files: repo({}) },
  ],
  'https-only': [
    { name: 'http among the protocols', files: repo({ 'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nprotocols: [http, https]\nserviceUrl: https://func.example.net\nspecification: openapi.yaml\n' }), file: 'apis/orders/api.yaml' },
    { name: 'an http serviceUrl', files: repo({ 'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nserviceUrl: http://func.example.net\nspecification: openapi.yaml\n' }), file: 'apis/orders/api.yaml' },
    { name: 'an http backend', files: repo({ 'backends/orders.yaml': 'url: http://func-orders.azurewebsites.net/api\nprotocol: http\n' }), file: 'backends/orders.yaml' },
    { name: 'an http set-backend-service', files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<set-backend-service base-url="http://10.0.0.4/api" />` }) }), file: API_POLICY },
    { name: 'https everywhere', files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<set-backend-service base-url="https://func.example.net/api" />` }) }) },
  ],
  'unknown-policy': [
    { name: 'a typo', files: repo({ [DEV_POLICY]: policy({ inbound: '<rate-limt calls="5" renewal-period="60" /><rate-limit calls="5" renewal-period="60" />' }) }), file: DEV_POLICY, message: /<rate-limt> is not an API Management policy \(did you mean rate-limit\?\)/ },
    { name: 'a misspelt section', files: repo({ [API_POLICY]: policy({ inbound: MANAGED_IDENTITY }).replace('<outbound><base /></outbound>', '<outbound><base /></outbound><outbond />') }), file: API_POLICY, message: /did you mean outbound/ },
    { name: 'an unknown child element', files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<cache-lookup vary-by-developer="false" vary-by-developer-groups="false"><vary-by-heade>Accept</vary-by-heade></cache-lookup>` }) }), file: API_POLICY, message: /did you mean vary-by-header/ },
    {
      name: 'send-service-bus-message (preview), as in the policy reference',
      files: repo({
        [API_POLICY]: policy({
          inbound: `${MANAGED_IDENTITY}<send-service-bus-message topic-name="orders" namespace="my-service-bus.servicebus.windows.net"><message-properties><message-property name="Customer">Contoso</message-property></message-properties><payload>@(context.Request.Body.As<string>(preserveContent: true))</payload></send-service-bus-message>`,
        }),
      }),
    },
    {
      name: 'AI gateway, Dapr, validation and caching policies',
      files: repo({
        [API_POLICY]: policy({
          inbound: `${MANAGED_IDENTITY}
<llm-token-limit counter-key="@(context.Subscription.Id)" tokens-per-minute="5000" estimate-prompt-tokens="true" />
<azure-openai-emit-token-metric namespace="openai"><dimension name="API ID" /></azure-openai-emit-token-metric>
<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent" />
<cache-lookup vary-by-developer="false" vary-by-developer-groups="false"><vary-by-header>Accept</vary-by-header></cache-lookup>
<publish-to-dapr topic="orders/new" pubsub-name="orders">@(context.Request.Body.As&lt;string&gt;())</publish-to-dapr>`,
          outbound: '<cache-store duration="60" /><validate-status-code unspecified-status-code-action="detect" />',
        }),
      }),
    },
  ],
  'policy-placement': [
    { name: 'quota at API scope', files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<quota calls="100" renewal-period="3600" />` }) }), file: API_POLICY, message: /quota is not allowed at api scope/ },
    { name: 'rate-limit in outbound', files: repo({ [DEV_POLICY]: policy({ inbound: '<quota calls="1" renewal-period="60" />', outbound: '<rate-limit calls="5" renewal-period="60" />' }) }), file: DEV_POLICY, message: /rate-limit is not allowed in the outbound section/ },
    { name: '<base /> inside a choose', files: repo({ [API_POLICY]: policy({ inbound: MANAGED_IDENTITY, outbound: '<choose><when condition="@(true)"><base /></when></choose>' }) }), file: API_POLICY },
    {
      name: 'a fragment included in a section its policies do not allow',
      files: repo({ 'policies/fragments/forward.xml': fragment('<forward-request timeout="30" />'), [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<include-fragment fragment-id="forward" />` }) }),
      file: 'policies/fragments/forward.xml',
      message: /included in the inbound section at api scope, at apis\/orders\/policy\.xml:3:\d+\)/,
    },
    {
      name: 'publish-to-dapr outside inbound',
      files: repo({ [API_POLICY]: policy({ inbound: MANAGED_IDENTITY, outbound: '<publish-to-dapr topic="orders/shipped">@(context.Response.Body.As<string>())</publish-to-dapr>' }) }),
      file: API_POLICY,
      message: /publish-to-dapr is not allowed in the outbound section/,
    },
    { name: 'quota at product scope', files: repo({}) },
    {
      name: 'quota twice in one policy document',
      files: repo({ [DEV_POLICY]: policy({ inbound: '<rate-limit calls="60" renewal-period="60" />\n<quota calls="10000" renewal-period="604800" />\n<quota calls="100" renewal-period="3600" />' }) }),
      file: DEV_POLICY,
      message: /^quota is already used in this policy document \(line 4\); API Management allows it only once per policy definition/,
    },
    {
      name: 'rate-limit in two branches of a choose (once per policy definition, not per path)',
      files: repo({
        [DEV_POLICY]: policy({
          inbound: `<choose><when condition='${HEAVY_CONDITION}'><rate-limit calls="10" renewal-period="60" /></when><otherwise><rate-limit calls="60" renewal-period="60" /></otherwise></choose><quota calls="10000" renewal-period="604800" />`,
        }),
      }),
      file: DEV_POLICY,
      message: /rate-limit is already used in this policy document/,
    },
    {
      name: 'rate-limit at product and API scope, and the by-key variants several times in one document',
      files: repo({
        [DEV_POLICY]: policy({
          inbound: '<rate-limit calls="60" renewal-period="60" /><quota calls="10000" renewal-period="604800" /><rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" /><rate-limit-by-key calls="100" renewal-period="300" counter-key="@(context.Subscription.Id)" /><quota-by-key calls="10" renewal-period="3600" counter-key="@(context.Request.IpAddress)" /><quota-by-key calls="1000" renewal-period="86400" counter-key="@(context.Subscription.Id)" />',
        }),
        [API_POLICY]: policy({ inbound: `    ${MANAGED_IDENTITY}<rate-limit calls="30" renewal-period="60" />` }),
      }),
    },
  ],
  'fragment-missing': [
    { name: 'a fragment that does not exist', files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<include-fragment fragment-id="validate-calller" />` }) }), file: API_POLICY, message: /did you mean validate-caller/ },
    {
      name: 'fragments including each other',
      files: repo({ 'policies/fragments/a.xml': fragment('<include-fragment fragment-id="b" />'), 'policies/fragments/b.xml': fragment('<include-fragment fragment-id="a" />') }),
      file: 'policies/fragments/b.xml',
      message: /cycle: a → b → a/,
    },
    { name: 'an existing fragment', files: repo({}) },
  ],
  'backend-missing': [
    {
      name: 'set-backend-service to an undefined backend',
      files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<set-backend-service backend-id="order" />` }) }),
      file: API_POLICY,
      message: /set-backend-service backend-id="order" names a backend that backends\/ does not define \(did you mean orders\?\)/,
    },
    {
      name: 'a defined backend, one chosen by an expression, and one from a named value',
      files: repo({
        [API_POLICY]: policy({
          inbound: `${MANAGED_IDENTITY}<choose><when condition="@(context.Request.Headers.ContainsKey(&quot;X-Canary&quot;))"><set-backend-service backend-id="@(&quot;orders-&quot; + context.Deployment.Region)" /></when><when condition="@(true)"><set-backend-service backend-id="{{backend-key}}" /></when><otherwise><set-backend-service backend-id="orders" /></otherwise></choose>`,
        }),
      }),
    },
    {
      name: '"dapr" where it is no keyword (llm-content-safety backend-id names a backend)',
      files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<llm-content-safety backend-id="dapr" />` }) }),
      file: API_POLICY,
      message: /llm-content-safety backend-id="dapr" names a backend that backends\/ does not define/,
    },
    {
      name: 'set-backend-service to the Dapr sidecar (backend-id="dapr" is a keyword, not a backend)',
      files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<set-backend-service backend-id="dapr" dapr-app-id="orders" dapr-method="@(context.Request.Url.Path)" dapr-namespace="media" />` }) }),
    },
  ],
  'named-value-missing': [
    {
      name: 'an undefined named value in backend credentials',
      files: repo({ 'backends/orders.yaml': 'url: https://func-orders.azurewebsites.net/api\nprotocol: http\ncredentials:\n  header:\n    x-functions-key: ["{{orders-function-key}}"]\n' }),
      file: 'backends/orders.yaml',
      message: /\{\{orders-function-key\}\} names no named value/,
    },
    {
      name: 'a defined named value in backend credentials',
      files: repo({ 'backends/orders.yaml': 'url: https://func-orders.azurewebsites.net/api\nprotocol: http\ncredentials:\n  header:\n    x-functions-key: ["{{backend-key}}"]\n' }),
    },
    { name: 'an undefined named value', files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<set-header name="x-functions-key" exists-action="override"><value>{{backend-kay}}</value></set-header>` }) }), file: API_POLICY, message: /did you mean backend-key/ },
    {
      name: 'a defined named value and a Liquid body',
      files: repo({
        [API_POLICY]: policy({
          inbound: `${MANAGED_IDENTITY}<set-header name="x-functions-key" exists-action="override"><value>{{backend-key}}</value></set-header>`,
          outbound: '<set-body template="liquid">{"id": "{{body.id}}", "items": [{% for i in body.items %}"{{ i.name }}"{% endfor %}]}</set-body>',
        }),
      }),
    },
    {
      name: 'Liquid content of Dapr policies (template="Liquid")',
      files: repo({
        [API_POLICY]: policy({
          inbound: `${MANAGED_IDENTITY}<publish-to-dapr pubsub-name="orders" topic="new" template="Liquid" content-type="application/json">{"id": "{{body.id}}"}</publish-to-dapr><invoke-dapr-binding name="store" operation="create" template="Liquid"><data>{"id": "{{body.id}}"}</data></invoke-dapr-binding>`,
        }),
      }),
    },
    {
      name: 'an undefined named value next to a Dapr Liquid body',
      files: repo({
        [API_POLICY]: policy({
          inbound: `${MANAGED_IDENTITY}<publish-to-dapr pubsub-name="orders" topic="new" template="Liquid">{"id": "{{body.id}}"}</publish-to-dapr><set-header name="x-key" exists-action="override"><value>{{missing-nv}}</value></set-header>`,
        }),
      }),
      file: API_POLICY,
      message: /^\{\{missing-nv\}\} names no named value/,
    },
  ],
  'cors-wildcard': [
    { name: 'any origin', files: repo({ [API_POLICY]: policy({ inbound: `<cors><allowed-origins><origin>*</origin></allowed-origins></cors>${MANAGED_IDENTITY}` }) }), file: API_POLICY, severity: 'warn' },
    { name: 'any origin with credentials', files: repo({ [API_POLICY]: policy({ inbound: `<cors allow-credentials="true"><allowed-origins><origin>*</origin></allowed-origins></cors>${MANAGED_IDENTITY}` }) }), file: API_POLICY, severity: 'error' },
    { name: 'listed origins', files: repo({ [API_POLICY]: policy({ inbound: `<cors allow-credentials="true"><allowed-origins><origin>https://portal.fabrikam.com</origin></allowed-origins></cors>${MANAGED_IDENTITY}` }) }) },
    {
      name: "an expression echoing the request's Origin header, with credentials",
      files: repo({
        [API_POLICY]: policy({
          inbound: `<cors allow-credentials="true"><allowed-origins><origin>@(context.Request.Headers.GetValueOrDefault("Origin", ""))</origin></allowed-origins></cors>${MANAGED_IDENTITY}`,
        }),
      }),
      file: API_POLICY,
      severity: 'error',
      message: /echoes the request's Origin header/,
    },
    {
      name: "a block whose only return is the request's Origin header",
      files: repo({
        [API_POLICY]: policy({
          inbound: `<cors><allowed-origins><origin>@{ var origin = context.Request.Headers.GetValueOrDefault("Origin", ""); return origin; }</origin><origin>@{ return context.Request.Headers["Origin"].First(); }</origin></allowed-origins></cors>${MANAGED_IDENTITY}`,
        }),
      }),
      file: API_POLICY,
      severity: 'warn',
      message: /echoes the request's Origin header[^]*echoes the request's Origin header/,
    },
    {
      name: 'an expression checking the Origin against an allowlist, with credentials',
      files: repo({
        [API_POLICY]: policy({
          inbound: `<cors allow-credentials="true"><allowed-origins><origin>@{ var origin = context.Request.Headers.GetValueOrDefault("Origin",""); return origin.EndsWith(".fabrikam.com") ? origin : "https://www.fabrikam.com"; }</origin><origin>@(new [] { "https://a.fabrikam.com", "https://b.fabrikam.com" }.Contains(context.Request.Headers.GetValueOrDefault("Origin", "")) ? context.Request.Headers.GetValueOrDefault("Origin", "") : "https://www.fabrikam.com")</origin></allowed-origins></cors>${MANAGED_IDENTITY}`,
        }),
      }),
    },
    {
      name: 'an expression choosing among listed origins',
      files: repo({
        [API_POLICY]: policy({
          inbound: `<cors allow-credentials="true"><allowed-origins><origin>@(context.Deployment.Region == "West Europe" ? "https://eu.fabrikam.com" : "https://portal.fabrikam.com")</origin></allowed-origins></cors>${MANAGED_IDENTITY}`,
        }),
      }),
    },
  ],
  'policy-attributes': [
    {
      name: 'an expression mixed with literal text in an attribute (APIM would not evaluate it)',
      files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<set-variable name="greeting" value="Hello @(context.User.Email && "x")" />` }) }),
      file: API_POLICY,
      message: /^set-variable value mixes literal text with a policy expression: APIM evaluates @\(…\) or @\{…\} only when it is the whole value/,
    },
    {
      name: 'an expression mixed with literal text in a value element',
      files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<set-header name="X-Caller" exists-action="override"><value>caller-@((string)context.Variables["caller"])</value></set-header>` }) }),
      file: API_POLICY,
      message: /^the text of <value> mixes literal text with a policy expression/,
    },
    {
      name: 'a number with an expression appended is literal text, not a run-time value',
      files: repo({ [DEV_POLICY]: policy({ inbound: '<rate-limit-by-key calls="10@(1)" renewal-period="60" counter-key="@(context.Subscription.Id)" /><quota calls="5000" renewal-period="604800" />' }) }),
      file: DEV_POLICY,
      message: /rate-limit-by-key calls mixes literal text/,
    },
    {
      name: 'whole-value expressions (with surrounding whitespace) and named values inside text',
      files: repo({
        [API_POLICY]: policy({
          inbound: `${MANAGED_IDENTITY}<set-header name="X-Caller" exists-action="override"><value>
        @("caller-" + (string)context.Variables["caller"])
      </value></set-header><set-variable name="v" value=" @{ return &quot;x&quot;; } " /><set-header name="X-Env" exists-action="override"><value>env-{{backend-key}}</value></set-header>`,
        }),
      }),
    },
    { name: 'rate-limit renewal-period over 300', files: repo({ [DEV_POLICY]: policy({ inbound: '<rate-limit calls="5" renewal-period="600" />' }) }), file: DEV_POLICY, message: /renewal-period="600" is above the maximum of 300/ },
    { name: 'rate-limit without renewal-period', files: repo({ [DEV_POLICY]: policy({ inbound: '<rate-limit calls="5" />' }) }), file: DEV_POLICY, message: /requires renewal-period/ },
    { name: 'set-backend-service with both targets', files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<set-backend-service base-url="https://a.example.net" backend-id="orders" />` }) }), file: API_POLICY, message: /exactly one of base-url, backend-id/ },
    { name: 'an unknown enumerated value', files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<set-header name="X-A" exists-action="remove" />` }) }), file: API_POLICY, message: /must be one of override, skip, append, delete/ },
    { name: 'a when without condition', files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<choose><when><set-variable name="a" value="b" /></when></choose>` }) }), file: API_POLICY, message: /<when> requires condition/ },
    {
      name: 'a token quota without its period',
      files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<llm-token-limit counter-key="@(context.Subscription.Id)" token-quota="100000" estimate-prompt-tokens="false" />` }) }),
      file: API_POLICY,
      message: /<llm-token-limit> with token-quota also requires token-quota-period/,
    },
    { name: 'a choose without <when>', files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<choose><otherwise /></choose>` }) }), file: API_POLICY, message: /<choose> requires <when> child element/ },
    { name: 'a cors without allowed origins', files: repo({ [API_POLICY]: policy({ inbound: `<cors><allowed-methods><method>GET</method></allowed-methods></cors>${MANAGED_IDENTITY}` }) }), file: API_POLICY, message: /<cors> requires <allowed-origins>/ },
    {
      name: 'a Dapr service call without its method, and a Dapr timeout over 240 seconds',
      files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<set-backend-service backend-id="dapr" dapr-app-id="orders" /><publish-to-dapr topic="orders/new" timeout="600">@(context.Request.Body.As<string>())</publish-to-dapr>` }) }),
      file: API_POLICY,
      message: /with dapr-app-id also requires dapr-method\n.*timeout="600" is above the maximum of 240/,
    },
    {
      name: 'AI gateway and Dapr policies as the reference writes them (template="Liquid", token quota with its period)',
      files: repo({
        [API_POLICY]: policy({
          inbound: `${MANAGED_IDENTITY}
<llm-token-limit counter-key="@(context.Subscription.Id)" tokens-per-minute="5000" token-quota="100000" token-quota-period="Monthly" estimate-prompt-tokens="true" />
<llm-emit-token-metric namespace="llm"><dimension name="API ID" /><dimension name="Client IP" value="@(context.Request.IpAddress)" /></llm-emit-token-metric>
<publish-to-dapr pubsub-name="orders" topic="new" template="Liquid" content-type="application/json" timeout="30">@(context.Request.Body.As<string>())</publish-to-dapr>
<invoke-dapr-binding name="external-system" operation="create" template="Liquid" response-variable-name="bind-response"><metadata><item key="source">api-management</item></metadata><data>@(context.Request.Body.As<string>())</data></invoke-dapr-binding>`,
        }),
      }),
    },
    {
      name: 'a Dapr template engine other than Liquid',
      files: repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<publish-to-dapr topic="orders/new" template="mustache">@(context.Request.Body.As<string>())</publish-to-dapr>` }) }),
      file: API_POLICY,
      message: /template="mustache" must be one of Liquid \(in any letter case\)/,
    },
    {
      name: 'the Dapr template engine in any letter case (template="LIQUID"), its content Liquid rather than named values',
      files: repo({
        [API_POLICY]: policy({
          inbound: `${MANAGED_IDENTITY}<publish-to-dapr topic="orders/new" template="LIQUID">{"id": "{{body.id}}"}</publish-to-dapr><invoke-dapr-binding name="store" template="liquid"><data>{"id": "{{body.id}}"}</data></invoke-dapr-binding>`,
        }),
      }),
    },
    {
      name: 'expressions and template values where numbers go',
      files: repo({ [DEV_POLICY]: policy({ inbound: '<rate-limit-by-key calls="@(context.Subscription.Name == &quot;gold&quot; ? 100 : 10)" renewal-period="60" counter-key="@(context.Subscription.Id)" /><quota calls="5000" renewal-period="604800" />' }) }),
    },
  ],
};

describe.each(Object.entries(cases))('%s', (rule, ruleCases) => {
  test.each(ruleCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const all = lintFiles(c.files);
    const findings = ofRule(all, rule);
    if (!c.file) {
      // Passing fixtures are fully compliant repositories: nothing at all may fire (so a fixture that fails to load
      // or parse cannot pass by accident).
      expect(all).toEqual([]);
      return;
    }
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.file).toBe(c.file);
      if (c.severity) expect(finding.severity).toBe(c.severity);
    }
    if (c.message) expect(findings.map((f) => f.message).join('\n')).toMatch(c.message);
  });
});

test('a single-use policy used again is reported at the later use, once per extra use', () => {
  const files = repo({
    [DEV_POLICY]: policy({ inbound: '<rate-limit calls="60" renewal-period="60" />\n<quota calls="10000" renewal-period="604800" />\n<rate-limit calls="5" renewal-period="10" />\n<rate-limit calls="1" renewal-period="1" />' }),
  });
  expect(ofRule(lintFiles(files), 'policy-placement').map((f) => `${f.line}:${f.column} ${f.message.split(';')[0]}`)).toEqual([
    '5:1 rate-limit is already used in this policy document (line 3)',
    '6:1 rate-limit is already used in this policy document (line 3)',
  ]);
});
