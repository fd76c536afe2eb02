/**
 * The sample's tests guard its controls: with any one of them weakened or removed (in a temp copy), `apiops test`
 * exits 1 and names the case and the expectation that caught it.
 */
import { removeRepo, runCli } from '../fixtures/repo';
import { copySample, edit } from './helpers';

const GLOBAL = 'policies/global.xml';
const JWT = 'policies/fragments/validate-entra-jwt.xml';

const MUTATIONS: Array<[string, (root: string) => void, string, string]> = [
  [
    'the developer throttling removed',
    (root) => edit(root, 'products/fabrikam-developer/policy.xml', /<rate-limit-by-key [\s\S]*?\/>/, ''),
    'the next call in the same minute is refused with 429 and Retry-After',
    'expect.status: expected 429, got 200',
  ],
  [
    'the developer limit raised tenfold',
    (root) => edit(root, 'products/fabrikam-developer/policy.xml', 'calls="{{values.devCallsPerMinute}}"', 'calls="600"'),
    'the next call in the same minute is refused',
    'expect.status: expected 429, got 200',
  ],
  [
    'the subscription key left in the header',
    (root) => edit(root, GLOBAL, '<set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />', ''),
    'the subscription key sent in the header never reaches the backend',
    'expect.backend.headers.Ocp-Apim-Subscription-Key: expected absent, got',
  ],
  [
    'the subscription key left in the query',
    (root) => edit(root, GLOBAL, '<set-query-parameter name="subscription-key" exists-action="delete" />', ''),
    'the subscription key sent in the query never reaches the backend',
    'expect.backend.url: expected matching //api/titles\\?genre=drama$/, got',
  ],
  [
    'the managed identity removed (the caller\'s token goes to the backend)',
    (root) => edit(root, 'policies/fragments/call-functions-with-managed-identity.xml', /<authentication-managed-identity [^>]*\/>/, ''),
    "the Function App gets the gateway's managed-identity token for its app id",
    'expect.backend.token.aud: expected "api://func-contoso-media-dev", got "api://contoso-media-partner-api-dev"',
  ],
  [
    'the managed identity asking for another resource',
    (root) => edit(root, 'policies/fragments/call-functions-with-managed-identity.xml', 'resource="{{values.functionsAppId}}"', 'resource="https://management.azure.com/"'),
    "the Function App gets the gateway's managed-identity token for its app id",
    'expect.backend.token.aud: expected "api://func-contoso-media-dev", got "https://management.azure.com/"',
  ],
  [
    "the token's audience no longer required",
    (root) => edit(root, JWT, /<required-claims>[\s\S]*<\/required-claims>/, ''),
    'a valid token for another application (audience) is refused',
    'expect.status: expected 401, got 200',
  ],
  [
    "the issuers also trusting another tenant's tokens",
    (root) => edit(root, JWT, '</issuers>', '<issuer>https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0</issuer></issuers>'),
    'a token from another tenant (issuer) is refused',
    'expect.status: expected 401, got 200',
  ],
  [
    'the token check removed',
    (root) => edit(root, GLOBAL, '<include-fragment fragment-id="validate-entra-jwt" />', ''),
    'a call without a token is refused without reaching the backend',
    'expect.status: expected 401, got',
  ],
  [
    'the developer product open to keyless calls',
    (root) => edit(root, 'products/fabrikam-developer/product.yaml', /subscriptionRequired: true\napprovalRequired: false\n(?:#.*\n)?subscriptionsLimit: .*/, 'subscriptionRequired: false'),
    'a call without a subscription key is refused before any policy runs',
    // The developer policy then runs without a subscription: its counter key fails (500), the key check is gone.
    'expect.status: expected 401, got',
  ],
  [
    'an API no longer requiring a subscription',
    (root) => edit(root, 'apis/media-catalog/api.yaml', 'subscriptionRequired: true', 'subscriptionRequired: false'),
    'a call without a subscription key is refused before any policy runs',
    'expect.status: expected 401, got 200',
  ],
  [
    'the developer window lengthened to five minutes (no reset after a minute)',
    (root) => edit(root, 'products/fabrikam-developer/policy.xml', 'renewal-period="60"', 'renewal-period="300"'),
    'once the minute has passed the developer key may call again',
    'expect.status: expected 200, got 429',
  ],
  [
    'the production product throttled like the developer one',
    (root) => edit(root, 'products/fabrikam-production/policy.xml', '<base />', '<base />\n        <rate-limit calls="{{values.devCallsPerMinute}}" renewal-period="60" />'),
    'a production key still passes beyond devCallsPerMinute in the same minute',
    'expect.status: expected 200, got 429',
  ],
  [
    'expired tokens accepted (an hour of clock skew)',
    (root) => edit(root, JWT, 'require-expiration-time="true"', 'require-expiration-time="true" clock-skew="3600"'),
    'an expired token is refused',
    'expect.status: expected 401, got 200',
  ],
  [
    'the Idempotency-Key check removed',
    (root) => edit(root, 'apis/media-orders/operations/createOrder.xml', /<choose>\s*<when condition="@\(string\.IsNullOrWhiteSpace[\s\S]*?<\/choose>/, ''),
    'an order without Idempotency-Key gets the policy\'s 400 and never reaches the backend',
    'expect.status: expected 400, got 200',
  ],
  [
    'the catalog cache no longer varying by genre',
    (root) => edit(root, 'apis/media-catalog/policy.xml', '<vary-by-query-parameter>genre</vary-by-query-parameter>', ''),
    'another genre is not served from that cache entry',
    'expect.body.equals: expected {"titles":["comedy"]}, got',
  ],
  [
    'the catalog cache kept an hour',
    (root) => edit(root, 'named-values/catalog-cache-seconds.yaml', 'value: "300"', 'value: "3600"'),
    'once the cache duration has passed the Function App is asked again',
    'expect.body.equals: expected {"titles":["second"]}, got',
  ],
  [
    'the catalog cache removed',
    (root) => edit(root, 'apis/media-catalog/policy.xml', /<cache-lookup [\s\S]*<\/cache-lookup>/, ''),
    'the same call within the cache duration is answered from the cache',
    'expect.body.equals: expected {"titles":["first"]}, got',
  ],
];

describe('the sample tests catch a weakened control', () => {
  it.each(MUTATIONS)('%s', async (_what, mutate, caseName, expectation) => {
    const root = copySample();
    try {
      mutate(root);
      const { code, io } = await runCli(['test'], root);
      expect(io.err).toBe('');
      expect(code).toBe(1);
      const failed = io.out.split('\n').findIndex((line) => line.includes(`✗ ${caseName}`));
      expect(failed).toBeGreaterThan(-1);
      // The failure's message is printed under its case.
      expect(io.out.split('\n').slice(failed + 1).find((line) => line.includes(expectation))).toBeDefined();
    } finally {
      removeRepo(root);
    }
  });
});
