import { describeRuleCases, MANAGED_IDENTITY, policy, repo, type RuleCase } from './helpers';

const API_POLICY = 'apis/orders/policy.xml';
const TENANT = '4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37';
const OTHER_TENANT = '9f0e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f';
const CONDITION = '@(context.Request.Method == &quot;POST&quot;)';

function jwt(options: { audience?: string; issuer?: string; header?: string; claimAudiences?: string[]; match?: string } = {}): string {
  const issuer = options.issuer ?? `https://login.microsoftonline.com/${TENANT}/v2.0`;
  const audiences = options.audience ? `<audiences><audience>${options.audience}</audience></audiences>` : '';
  const claim = options.claimAudiences
    ? `<required-claims><claim name="aud"${options.match ? ` match="${options.match}"` : ''}>${options.claimAudiences.map((a) => `<value>${a}</value>`).join('')}</claim></required-claims>`
    : '';
  return `<validate-jwt header-name="${options.header ?? 'Authorization'}">
      <openid-config url="https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration" />
      <issuers><issuer>${issuer}</issuer></issuers>${audiences}${claim}
    </validate-jwt>`;
}

/** The compliant repository validates audience api://partner-api globally (fragment validate-caller); the API adds `inbound`. */
const apiInbound = (inbound: string) => repo({ [API_POLICY]: policy({ inbound: `    ${MANAGED_IDENTITY}\n    ${inbound}` }) });

const cases: Record<string, RuleCase[]> = {
  'jwt-unsatisfiable': [
    {
      name: 'an API-level validate-jwt requiring another audience than the global one',
      files: apiInbound(jwt({ audience: 'api://orders' })),
      file: API_POLICY,
      line: 4,
      severity: 'warn',
      message: /^no token passes both this validate-jwt and the validate-jwt at policies\/fragments\/validate-caller\.xml:2:5, which run on the same path for the same token: audience api:\/\/orders here, api:\/\/partner-api there$/,
    },
    {
      name: 'disjoint issuers (v1 and v2 tokens of one tenant)',
      files: apiInbound(jwt({ audience: 'api://partner-api', issuer: `https://sts.windows.net/${TENANT}/` })),
      file: API_POLICY,
      message: /: issuer https:\/\/sts\.windows\.net\/4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37 here/,
    },
    {
      name: 'an Entra ID token validation for another tenant, inside a branch',
      files: apiInbound(`<choose><when condition="${CONDITION}"><validate-azure-ad-token tenant-id="${OTHER_TENANT}"><audiences><audience>api://partner-api</audience></audiences></validate-azure-ad-token></when></choose>`),
      file: API_POLICY,
      message: /validate-azure-ad-token .*: tenant 9f0e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f here, 4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37 there/,
    },
    {
      name: 'a required aud claim any of whose values suffices, none of them the global audience',
      files: apiInbound(jwt({ claimAudiences: ['api://orders', 'api://billing'], match: 'any' })),
      file: API_POLICY,
    },
    { name: 'the same audience again (a stricter check, not a contradiction)', files: apiInbound(jwt({ audience: 'API://Partner-Api/' })) },
    { name: 'another token, from another header', files: apiInbound(jwt({ audience: 'api://orders', header: 'X-User-Token' })) },
    { name: 'an aud claim that lists the global audience among others', files: apiInbound(jwt({ claimAudiences: ['api://orders', 'api://partner-api'], match: 'any' })) },
    {
      name: 'validations in different branches of a choose are different paths',
      files: repo({
        'policies/global.xml': repo({})['policies/global.xml'].replace('<include-fragment fragment-id="validate-caller" />', ''),
        'policies/fragments/validate-caller.xml': null,
        [API_POLICY]: policy({ inbound: `    ${MANAGED_IDENTITY}\n    <choose><when condition="${CONDITION}">${jwt({ audience: 'api://orders' })}</when><otherwise>${jwt({ audience: 'api://partner-api' })}</otherwise></choose>` }),
      }),
    },
    { name: 'an audience from a named value is not compared', files: apiInbound(jwt({ audience: '{{backend-key}}' })) },
  ],
};

describeRuleCases(cases);
