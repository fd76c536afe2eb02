import { describeRuleCases, lintFiles, MANAGED_IDENTITY, ofRule, policy, repo, STRIP_KEY, VALIDATE_JWT, type RuleCase } from './helpers';

const GLOBAL = 'policies/global.xml';
const API_POLICY = 'apis/orders/policy.xml';
const OPERATION_POLICY = 'apis/orders/operations/get-order.xml';
const PRODUCTION_POLICY = 'products/partner-production/policy.xml';
const FRAGMENT = 'policies/fragments/validate-caller.xml';

/** The production product's policy with its inbound section replaced. */
function productionInbound(inbound: string): string {
  return policy({}).replace(/<inbound>[\s\S]*<\/inbound>/, `<inbound>\n${inbound}\n  </inbound>`);
}

/** A global policy that validates no caller (the API or product has to). */
const GLOBAL_WITHOUT_JWT = `<policies>\n  <inbound>\n    ${STRIP_KEY}\n  </inbound>\n  <backend><forward-request /></backend>\n  <outbound />\n  <on-error />\n</policies>\n`;
const CONDITION = `@(context.Request.Headers.GetValueOrDefault("X-Region","") == "eu" && context.Request.Url.Path.Length < 64)`;

const cases: Record<string, RuleCase[]> = {
  'caller-authenticated': [
    {
      name: "the production product's inbound without <base /> drops the global validate-jwt",
      files: repo({ [PRODUCTION_POLICY]: productionInbound('    <set-header name="X-Tier" exists-action="override"><value>production</value></set-header>') }),
      file: PRODUCTION_POLICY,
      line: 2,
      severity: 'error',
      message: /of orders via partner-production lacks caller authentication .* the global policy runs it, product partner-production's policy drops it/,
    },
    {
      name: 'validate-jwt under one <when> without <otherwise>: the other path authenticates no one',
      files: repo({ [GLOBAL]: GLOBAL_WITHOUT_JWT, [FRAGMENT]: null, [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<choose><when condition='${CONDITION}'>${VALIDATE_JWT}</when></choose>` }) }),
      file: API_POLICY,
      message: /orders via partner-developer, partner-production lacks caller authentication/,
    },
    {
      name: 'an <otherwise> branch without authentication',
      files: repo({
        [GLOBAL]: GLOBAL_WITHOUT_JWT, [FRAGMENT]: null,
        [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<choose><when condition='${CONDITION}'>${VALIDATE_JWT}</when><otherwise><set-variable name="anonymous" value="true" /></otherwise></choose>` }),
      }),
      file: API_POLICY,
    },
    {
      name: 'an operation whose inbound drops <base />',
      files: repo({ [OPERATION_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<rewrite-uri template="/orders/{id}" />` }, false) }),
      file: OPERATION_POLICY,
      message: /of orders\/get-order via partner-developer, partner-production/,
    },
    {
      name: 'keyless access to an API no product holds',
      files: repo({
        [GLOBAL]: GLOBAL_WITHOUT_JWT, [FRAGMENT]: null,
        'products/partner-developer/product.yaml': 'displayName: Partner developer\nsubscriptionRequired: true\ntier: developer\napis: []\n',
        'products/partner-production/product.yaml': 'displayName: Partner production\nsubscriptionRequired: true\napprovalRequired: true\ntier: production\napis: []\n',
      }),
      file: API_POLICY,
      message: /orders without a product lacks caller authentication/,
    },
    {
      name: 'a client certificate validation that ignores its errors',
      files: repo({ [FRAGMENT]: '<fragment>\n  <validate-client-certificate ignore-error="true" validate-trust="true" />\n</fragment>\n' }),
      file: API_POLICY,
    },
    {
      name: 'every branch validates (jwt, Entra ID token, client certificate) or answers the caller itself',
      files: repo({
        [GLOBAL]: GLOBAL_WITHOUT_JWT, [FRAGMENT]: null,
        [API_POLICY]: policy({
          inbound: `${MANAGED_IDENTITY}<choose>
  <when condition='${CONDITION}'>${VALIDATE_JWT}</when>
  <when condition="@(context.Request.Certificate != null)"><validate-client-certificate validate-trust="true" /></when>
  <when condition="@(context.Request.Headers.ContainsKey(&quot;X-Legacy&quot;))"><return-response><set-status code="401" reason="Unauthorized" /></return-response></when>
  <otherwise><validate-azure-ad-token tenant-id="{{values.tenantId}}"><audiences><audience>{{values.audience}}</audience></audiences></validate-azure-ad-token></otherwise>
</choose>`,
        }),
      }),
    },
    {
      name: 'an intentionally anonymous API says so with a suppression and its reason',
      files: repo({
        [GLOBAL]: GLOBAL_WITHOUT_JWT, [FRAGMENT]: null,
        [API_POLICY]: policy({ inbound: `    ${MANAGED_IDENTITY}` }).replace('<inbound>', '<!-- apiops-disable-next-line caller-authenticated: public order-status page, returns no personal data -->\n  <inbound>'),
      }),
    },
  ],
};

describeRuleCases(cases);

describe('base-inherited escalates when a security control is lost', () => {
  test("the production product's inbound without <base />: an error naming the token validation and the key stripping", () => {
    const findings = ofRule(lintFiles(repo({ [PRODUCTION_POLICY]: productionInbound('    <set-variable name="tier" value="production" />') })), 'base-inherited');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', file: PRODUCTION_POLICY, line: 2 });
    expect(findings[0].message).toBe(
      "<inbound> has no <base />, so the enclosing scope's inbound policies do not run: that drops token validation (validate-jwt at policies/fragments/validate-caller.xml:2:5), subscription-key stripping (set-header at policies/global.xml:4:5)",
    );
  });

  test('an operation dropping the API-level managed identity and the product rate limit', () => {
    const findings = ofRule(lintFiles(repo({ [OPERATION_POLICY]: policy({ inbound: `${VALIDATE_JWT}${STRIP_KEY}` }, false) })), 'base-inherited');
    const inbound = findings.find((f) => f.message.startsWith('<inbound>'));
    expect(inbound).toMatchObject({ severity: 'error', file: OPERATION_POLICY });
    expect(inbound!.message).toMatch(/drops rate limits \(rate-limit at products\/partner-developer\/policy\.xml:3:5, quota at products\/partner-developer\/policy\.xml:4:5\), managed identity \(authentication-managed-identity at apis\/orders\/policy\.xml:3:5\)$/);
    expect(inbound!.message).not.toMatch(/token validation|subscription-key/);
  });

  test('a section whose enclosing scope holds no security control stays a warning', () => {
    const findings = ofRule(lintFiles(repo({ [OPERATION_POLICY]: policy({ inbound: '<rewrite-uri template="/orders/{id}" />' }).replace('<outbound><base />', '<outbound>') })), 'base-inherited');
    expect(findings.map((f) => [f.severity, f.message])).toEqual([['warn', "<outbound> has no <base />, so the enclosing scope's outbound policies do not run"]]);
  });

  test('the error stays an error under base-inherited: warn, and off silences it', () => {
    const files = repo({ [PRODUCTION_POLICY]: productionInbound('') });
    const withLevel = (level: string) => ({ ...files, 'apiops.config.yaml': `${files['apiops.config.yaml']}lint:\n  rules:\n    base-inherited: ${level}\n` });
    expect(ofRule(lintFiles(withLevel('warn')), 'base-inherited').map((f) => f.severity)).toEqual(['error']);
    expect(ofRule(lintFiles(withLevel('off')), 'base-inherited')).toEqual([]);
  });
});
