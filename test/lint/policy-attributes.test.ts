import { describeRuleCases, lintFiles, MANAGED_IDENTITY, ofRule, policy, repo, type RuleCase } from './helpers';

const API_POLICY = 'apis/orders/policy.xml';
const withInbound = (inbound: string) => repo({ [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}\n${inbound}` }) });

const cases: Record<string, RuleCase[]> = {
  'policy-attributes': [
    {
      name: 'a misspelt attribute: the header is never deleted, and APIM refuses it on publish',
      files: withInbound('<set-header name="X-Debug" exist-action="delete" />'),
      file: API_POLICY,
      line: 4,
      severity: 'error',
      message: /^<set-header> has no attribute exist-action \(did you mean exists-action\?\)$/,
    },
    {
      name: 'an attribute of a child element the element does not have',
      files: withInbound('<validate-jwt header-name="Authorization"><openid-config uri="https://login.microsoftonline.com/x/v2.0/.well-known/openid-configuration" /><audiences><audience>api://x</audience></audiences></validate-jwt>'),
      file: API_POLICY,
      message: /<openid-config> has no attribute uri \(did you mean url\?\)/,
    },
    {
      name: 'an attribute on an element that takes none',
      files: withInbound('<set-header name="X-A" exists-action="override"><value encoding="base64">x</value></set-header>'),
      file: API_POLICY,
      message: /<value> has no attribute encoding; it takes no attributes/,
    },
    {
      name: 'an enumerated value out of range, with the near miss',
      files: withInbound('<set-header name="X-A" exists-action="overide"><value>x</value></set-header>'),
      file: API_POLICY,
      message: /exists-action="overide" must be one of override, skip, append, delete \(did you mean override\?\)/,
    },
    {
      name: 'every attribute the reference lists, on policies and their elements',
      files: withInbound(
        '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="internal" downstream-caching-type="private" must-revalidate="true" allow-private-response-caching="false"><vary-by-header>Accept</vary-by-header></cache-lookup>' +
        '<trace source="orders" severity="information"><message>lookup</message><metadata name="api" value="orders" /></trace>' +
        '<send-request mode="new" response-variable-name="r" timeout="20" ignore-error="true"><set-url>https://example.net</set-url><set-method>GET</set-method><authentication-managed-identity resource="api://x" client-id="00000000-0000-0000-0000-000000000000" /></send-request>'),
    },
    {
      name: "a self-hosted gateway's workload identity: authentication-provider, never with client-id",
      files: withInbound('<authentication-managed-identity resource="api://x" authentication-provider="WorkloadIdentity" client-id="00000000-0000-0000-0000-000000000000" />'),
      file: API_POLICY,
      message: /client-id.*authentication-provider|authentication-provider.*client-id/,
    },
    {
      name: 'authentication-provider names only WorkloadIdentity',
      files: withInbound('<authentication-managed-identity resource="api://x" authentication-provider="Workload" />'),
      file: API_POLICY,
      message: /authentication-provider="Workload" must be one of WorkloadIdentity/,
    },
    {
      name: "authentication-provider=\"WorkloadIdentity\" alone is the reference's self-hosted form",
      files: withInbound('<authentication-managed-identity resource="api://x" authentication-provider="WorkloadIdentity" />'),
    },
  ],
};

describeRuleCases(cases);

test('the legacy trace form (the message as text) is accepted', () => {
  expect(ofRule(lintFiles(withInbound('<trace source="OnError">On Error</trace>')), 'policy-attributes')).toEqual([]);
});
