import { CONFIG, describeRuleCases, policy, repo, type RuleCase } from './helpers';

const OPERATION_POLICY = 'apis/orders/operations/get-order.xml';

/** Two environments routing the orders API to a backend of their own through a template value. */
const PER_ENVIRONMENT_BACKEND = {
  'apiops.config.yaml': `${CONFIG.replace('functionsAppId: api://func-app }', 'functionsAppId: api://func-app, ordersBackend: orders }')}  dev:
    target: { emulator: .apiops/dev }
    values: { tenantId: 4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37, audience: api://partner-api, functionsAppId: api://func-app, ordersBackend: orders-dev }
`,
  'backends/orders-dev.yaml': 'url: https://func-orders-dev.azurewebsites.net/api\nprotocol: http\n',
  [OPERATION_POLICY]: policy({ inbound: '<set-backend-service backend-id="{{values.ordersBackend}}" />' }),
};

const cases: Record<string, RuleCase[]> = {
  unreferenced: [
    {
      name: 'a secret named value no policy or backend references',
      files: repo({ 'named-values/legacy-key.yaml': '# kept from the old gateway\ndisplayName: legacy-key\nsecret: true\nvalueFromEnv: LEGACY_KEY\n' }),
      file: 'named-values/legacy-key.yaml',
      line: 2,
      severity: 'warn',
      message: /secret named value legacy-key is referenced nowhere/,
    },
    {
      name: 'a backend no API or policy routes to',
      files: repo({ 'backends/legacy.yaml': 'url: https://legacy.example.net\nprotocol: http\n' }),
      file: 'backends/legacy.yaml',
      line: 1,
      message: /backend legacy is referenced nowhere/,
    },
    {
      name: 'a fragment nothing includes',
      files: repo({ 'policies/fragments/unused.xml': '<fragment>\n  <set-header name="X-Old" exists-action="delete" />\n</fragment>\n' }),
      file: 'policies/fragments/unused.xml',
      line: 1,
      message: /policy fragment unused is included nowhere/,
    },
    {
      name: 'a named value used by displayName (not its file name), in another letter case, inside an expression',
      files: repo({
        'named-values/storage.yaml': 'displayName: Storage.AccountName\nvalue: mediastore\n',
        [OPERATION_POLICY]: policy({ inbound: '<set-variable name="account" value="@(&quot;{{storage.accountname}}&quot;.ToUpper())" />' }),
      }),
    },
    { name: 'a backend chosen per environment through a template value', files: repo(PER_ENVIRONMENT_BACKEND) },
    {
      name: 'a fragment included by another fragment, a backend by the semantic cache',
      files: repo({
        'policies/fragments/validate-caller.xml': repo({})['policies/fragments/validate-caller.xml'].replace('</fragment>', '<include-fragment fragment-id="audit" />\n</fragment>'),
        'policies/fragments/audit.xml': '<fragment>\n  <trace source="audit"><message>call</message></trace>\n</fragment>\n',
        'backends/embeddings.yaml': 'url: https://embeddings.example.net\nprotocol: http\n',
        [OPERATION_POLICY]: policy({ inbound: '<llm-semantic-cache-lookup score-threshold="0.8" embeddings-backend-id="embeddings" embeddings-backend-auth="system-assigned" />' }),
      }),
    },
    {
      name: 'a resource kept on purpose says so with a suppression',
      files: repo({ 'backends/legacy.yaml': '# apiops-disable-next-line unreferenced: target of the logger the platform team manages\nurl: https://legacy.example.net\nprotocol: http\n' }),
    },
  ],
};

describeRuleCases(cases);
