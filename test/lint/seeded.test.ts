import { lintFiles, compliantRepository, MANAGED_IDENTITY, OPENAPI, policy, VALIDATE_JWT, type Files } from './helpers';

const TENANT = '4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37';

/**
 * One repository shape, written either with exactly one seeded violation per rule (`seeded`) or compliant.
 * Each entry: the rule, the file its finding must name, and the file text for both variants.
 */
function shapedRepository(seeded: boolean): { files: Files; expected: Record<string, string> } {
  const pick = (bad: string, good: string) => (seeded ? bad : good);
  const apiYaml = (path: string, protocols: string) =>
    `displayName: ${path}\npath: ${path}\nprotocols: ${protocols}\nserviceUrl: https://func-${path}.azurewebsites.net/api\nspecification: openapi.yaml\n`;
  const jwtFragment = (issuer: string, audience: string) => `<fragment>
  <validate-jwt header-name="Authorization">
    <openid-config url="https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration" />
    <issuers><issuer>${issuer}</issuer></issuers>
    ${audience}
  </validate-jwt>
</fragment>
`;
  const audience = '<audiences><audience>api://partner-api</audience></audiences>';
  const files: Files = {
    ...compliantRepository(),
    // managed-identity-auth, https-only, jwt-issuer-version
    'apis/archive/api.yaml': apiYaml('archive', pick('[http, https]', '[https]')),
    'apis/archive/openapi.yaml': OPENAPI,
    'apis/archive/policy.xml': policy({ inbound: `<include-fragment fragment-id="validate-legacy" />${pick('', MANAGED_IDENTITY)}` }),
    'policies/fragments/validate-legacy.xml': jwtFragment(pick(`https://sts.windows.net/${TENANT}/`, `https://login.microsoftonline.com/${TENANT}/v2.0`), audience),
    // base-inherited + subscription-key-stripped, jwt-audience-required
    'apis/reports/api.yaml': apiYaml('reports', '[https]'),
    'apis/reports/openapi.yaml': OPENAPI,
    'apis/reports/policy.xml': pick(
      `<policies><inbound>${VALIDATE_JWT}<include-fragment fragment-id="validate-any-audience" />${MANAGED_IDENTITY}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
      policy({ inbound: `<include-fragment fragment-id="validate-any-audience" />${MANAGED_IDENTITY}` }),
    ),
    'policies/fragments/validate-any-audience.xml': jwtFragment(`https://login.microsoftonline.com/${TENANT}/v2.0`, pick('', audience)),
    // dev-product-throttled
    'products/sandbox/product.yaml': 'displayName: Sandbox\nsubscriptionRequired: true\ntier: developer\napis: [archive, reports]\n',
    'products/sandbox/policy.xml': policy({ inbound: pick('<set-variable name="sandbox" value="true" />', '<rate-limit calls="10" renewal-period="60" />') }),
    // product-subscription-required
    'products/open-preview/product.yaml': `displayName: Open preview\nsubscriptionRequired: ${pick('false', 'true')}\ntier: production\napis: [reports]\n`,
    // inline-secret
    'named-values/legacy-password.yaml': pick('displayName: legacy-password\nvalue: Tr0ub4dor-and-3\n', 'displayName: legacy-password\nsecret: true\nvalueFromEnv: LEGACY_PASSWORD\n'),
    // unknown-policy
    'apis/orders/operations/create-order.xml': policy({ inbound: pick('<set-heder name="X-Op" exists-action="override"><value>create</value></set-heder>', '<set-header name="X-Op" exists-action="override"><value>create</value></set-header>') }),
    // policy-placement
    'apis/orders/operations/get-order.xml': policy({ inbound: pick('<quota calls="10" renewal-period="60" />', '<rewrite-uri template="/orders/{id}" />') }),
    // fragment-missing
    'products/partner-production/policy.xml': policy({ inbound: `<include-fragment fragment-id="${pick('production-extras', 'validate-caller')}" />` }),
    // named-value-missing
    'policies/global.xml': compliantRepository()['policies/global.xml'].replace(
      '<outbound />',
      `<outbound><set-header name="X-Env" exists-action="override"><value>{{${pick('environment-name', 'legacy-password')}}}</value></set-header></outbound>`,
    ),
    // cors-wildcard
    'apis/orders/policy.xml': policy({ inbound: `${MANAGED_IDENTITY}<cors><allowed-origins><origin>${pick('*', 'https://portal.fabrikam.com')}</origin></allowed-origins></cors>` }),
    // policy-attributes
    'products/partner-developer/policy.xml': policy({ inbound: `<rate-limit calls="60" renewal-period="${pick('900', '60')}" />` }),
    // backend-missing
    'apis/reports/operations/get-order.xml': policy({ inbound: `<set-backend-service backend-id="${pick('order', 'orders')}" />` }),
    // suppression
    'backends/orders.yaml': `${pick('# apiops-disable-next-line https-only\n', '')}${compliantRepository()['backends/orders.yaml']}`,
  };
  const expected = {
    'managed-identity-auth': 'apis/archive/policy.xml',
    'https-only': 'apis/archive/api.yaml',
    'jwt-issuer-version': 'policies/fragments/validate-legacy.xml',
    // the v1 issuer also contradicts the global v2 validation that runs before it
    'jwt-unsatisfiable': 'policies/fragments/validate-legacy.xml',
    'base-inherited': 'apis/reports/policy.xml',
    'subscription-key-stripped': 'apis/reports/policy.xml',
    'jwt-audience-required': 'policies/fragments/validate-any-audience.xml',
    'dev-product-throttled': 'products/sandbox/policy.xml',
    'product-subscription-required': 'products/open-preview/product.yaml',
    'inline-secret': 'named-values/legacy-password.yaml',
    'unknown-policy': 'apis/orders/operations/create-order.xml',
    'policy-placement': 'apis/orders/operations/get-order.xml',
    'fragment-missing': 'products/partner-production/policy.xml',
    'named-value-missing': 'policies/global.xml',
    'cors-wildcard': 'apis/orders/policy.xml',
    'policy-attributes': 'products/partner-developer/policy.xml',
    'backend-missing': 'apis/reports/operations/get-order.xml',
    // the misspelt {{environment-name}} leaves the named value it meant unused
    unreferenced: 'named-values/legacy-password.yaml',
    suppression: 'backends/orders.yaml',
  };
  return { files, expected };
}

describe('one repository with one seeded violation per rule', () => {
  const { files, expected } = shapedRepository(true);
  const findings = lintFiles(files);

  test('covers every lint rule of the contract', () => {
    expect(Object.keys(expected)).toHaveLength(19);
  });

  test.each(Object.entries(expected))('%s is reported in %s', (rule, file) => {
    const ofRule = findings.filter((f) => f.rule === rule);
    expect(ofRule.length).toBeGreaterThan(0);
    expect(ofRule.map((f) => f.file)).toEqual(ofRule.map(() => file));
  });

  test('nothing else is reported', () => {
    expect(findings.filter((f) => !(f.rule in expected))).toEqual([]);
  });

  test('the compliant repository of the same shape reports nothing', () => {
    expect(lintFiles(shapedRepository(false).files)).toEqual([]);
  });
});
