import { isLiteralCredential, isSecretName, secretShape, stringLiterals } from '../../src/lint/secrets';
import { compliantRepository, lintFiles, MANAGED_IDENTITY, ofRule, policy } from './helpers';

// Test data assembled from pieces so that secret scanners do not flag this file.
const JWT = ['eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.');
const PRIVATE_KEY = ['-----BEGIN', 'RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----'].join(' ');
const ACCOUNT_KEY = 'DefaultEndpointsProtocol=https;AccountName=media;' + 'AccountKey=' + 'q'.repeat(40) + '==;EndpointSuffix=core.windows.net';
const SAS_URL = 'https://media.blob.core.windows.net/c/b.json?sv=2022-11-02&se=2030-01-01&sp=r&' + 'sig=' + 'AbCdEf0123456789'.repeat(3) + '%3D';
const CLIENT_SECRET = 'abc' + '8Q~' + 'Xy7_kLmNoPqRsTuVwXyZ0123456789abcd';
const SUBSCRIPTION_KEY = '0123456789abcdef'.repeat(2);

describe('secret recognisers', () => {
  test.each([
    ['private key', PRIVATE_KEY],
    ['JSON Web Token', `Bearer ${JWT}`],
    ['SAS signature', SAS_URL],
    ['AccountKey', ACCOUNT_KEY],
    ['Entra client secret', CLIENT_SECRET],
    ['credentials in a URL', 'https://svc:' + 'hunter2hunter2' + '@example.com/api'],
    ['client_secret form field', 'grant_type=client_credentials&client_id=x&' + 'client_secret=' + 'S3cr3tValue!'],
    ['connection string password', 'Server=tcp:db;Database=x;User ID=app;' + 'Password=' + 'Tr0ub4dor&3;'],
    ['an Azure Functions key in a URL', 'https://func-orders.azurewebsites.net/api/orders?' + 'code=' + 'q8Zk3vN1pL0aR7sT2uW9yB4cD6eF8gH0jK2lM4nO5pQAbCdEf' + '=='],
    ['expression holding a literal Basic credential', '@(context.Request.Headers.GetValueOrDefault("Authorization","") == "Basic ' + 'dXNlcjpwYXNzd29yZDEyMzQ=' + '")'],
    ['a Basic credential concatenated in an expression', '@("Basic " + "' + 'c3ZjOldpbnRlcjIwMjYheA==' + '")'],
    ['a Basic credential encoded in an expression', '@("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:' + 'Winter2026!x' + '")))'],
    ['a password assigned in a C# expression', '@{ var dbPassword = @"' + 'Winter2026!x' + '"; return dbPassword; }'],
    ['a password written into a context variable', '@(context.Variables["password"] = "' + 'Winter2026!x' + '")'],
    ['a password in a JSON body', '{"username": "svc", "password": "' + 'Winter2026!x' + '"}'],
    ['a client secret in JSON built by an expression', '@("{\\"client_secret\\":\\"' + 'Winter2026!x' + '\\"}")'],
    ['a password form field', 'grant_type=password&username=svc&' + 'password=' + 'Winter2026!x'],
    ['a Basic credential after a literal holding a space', '@("a b" == "c" ? "" : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:' + 'Winter2026!x' + '")))'],
    ['a Basic credential whose password holds a space', '@("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:' + 'Winter 2026!x' + '")))'],
    ['a Basic credential in a verbatim string', '@{ var note = @"say ""hi"""; return "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes(@"svc:' + 'Winter2026!x' + '")); }'],
    ['a password next to a key-vault URL', '{"keyVaultSecret": "https://contoso.vault.azure.net/secrets/x", "password": "' + 'Winter2026!x' + '"}'],
  ])('recognises %s', (_kind, text) => {
    expect(secretShape(text)).toBeDefined();
  });

  test.each([
    ['a GUID', '4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37'],
    ['a URL without credentials', 'https://login.microsoftonline.com/4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37/v2.0/.well-known/openid-configuration'],
    ['a named-value reference', 'Password={{db-password}}'],
    ['an expression reading a header', '@(context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key", ""))'],
    ['a connection-string password that is a placeholder or computed at run time', 'Server=tcp:db;Password=<your password>;x=@("Server=tcp:db;Password=@(context.Variables[\\"pw\\"])")'],
    ['a functions URL whose key is a named value', 'https://func-orders.azurewebsites.net/api/orders?code={{orders-function-key}}'],
    ['a short code= parameter (an OAuth code, a product code)', 'https://contoso.example/redeem?code=SPRING2026'],
    ['a SAS URL built from a named value', 'https://media.blob.core.windows.net/c?{{media-sas}}'],
    ['a Basic credential built from named values', '@("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("{{svc-user}}:{{svc-password}}")))'],
    ['an expression checking the Basic scheme', '@(context.Request.Headers.GetValueOrDefault("Authorization","").StartsWith("Basic ") && context.Variables.ContainsKey("urn:ietf:params:oauth"))'],
    ['a password read from a variable or compared', '@{ var password = (string)context.Variables.GetValueOrDefault("password", ""); return password == "changeme"; }'],
    ['a JSON body taking the password from Liquid or a named value', '{"password": "{{ body.password }}", "apiKey": "{{orders-api-key}}"}'],
    ['a key-vault secret URL and a path under credential-like keys', '{"keyVaultSecret": "https://contoso.vault.azure.net/secrets/x", "forgotPassword": "/account/forgot-password"}'],
    ['a C# assignment of a secret URL', '@{ var clientSecretUrl = "https://contoso.vault.azure.net/secrets/client"; return clientSecretUrl; }'],
    [
      'a:bcde literals that are not where a Basic credential is built',
      '@(context.Request.Headers.GetValueOrDefault("Authorization","").StartsWith("Basic ") ? "urn:basic" : "Content-Type:json" + "realm:contoso")',
    ],
    ['a literal holding a space, then "Basic" in another literal', '@(context.Variables.ContainsKey("a b") ? "Basic realm" : "realm:contoso")'],
    ['JSON error bodies and secret names that are not secrets', '{"code": "Unauthorized", "secretName": "orders-key", "passwordPolicy": "strong", "secret": "<your secret>"}'],
  ])('does not flag %s', (_kind, text) => {
    expect(secretShape(text)).toBeUndefined();
  });

  test('C# string literals are read with their escapes, verbatim quotes and prefixes', () => {
    const code = String.raw`@("a b" + "say \"hi\"" + @"c:\x ""q""" + $"{x}" + '"' + "")`;
    expect(stringLiterals(code).map((literal) => literal.value)).toEqual(['a b', 'say "hi"', String.raw`c:\x "q"`, '{x}', '']);
    expect(stringLiterals(code).map((literal) => code.slice(literal.start, literal.end))[2]).toBe(String.raw`@"c:\x ""q"""`);
    expect(stringLiterals('"unterminated\n"closed"').map((literal) => literal.value)).toEqual(['closed']);
  });

  test('secret-only places', () => {
    expect(['password', 'clientSecret', 'Ocp-Apim-Subscription-Key', 'x-functions-key', 'api-key', 'code'].every(isSecretName)).toBe(true);
    expect(['secretIdentifier', 'valueFromEnv', 'identityClientId', 'counter-key', 'displayName'].some(isSecretName)).toBe(false);
    expect(isLiteralCredential('{{backend-key}}')).toBe(false);
    expect(isLiteralCredential('@(context.Variables["k"])')).toBe(false);
    expect(isLiteralCredential('4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37')).toBe(false);
    expect(isLiteralCredential(SUBSCRIPTION_KEY)).toBe(true);
    expect(isLiteralCredential('https://kv-media.vault.azure.net/secrets/storage-key')).toBe(false);
    expect(isLiteralCredential('/account/forgot-password')).toBe(false);
  });
});

const API_POLICY = 'apis/orders/policy.xml';

function withApiInbound(inbound: string) {
  return { ...compliantRepository(), [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}\n${inbound}` }) };
}

describe('inline-secret over a repository', () => {
  test.each([
    ['a Basic password attribute', '<authentication-basic username="svc" password="' + 'Winter2026!x' + '" />'],
    ['a subscription key header value', `<set-header name="Ocp-Apim-Subscription-Key" exists-action="override"><value>${SUBSCRIPTION_KEY}</value></set-header>`],
    ['a functions key query parameter', '<set-query-parameter name="code" exists-action="override"><value>' + 'aGVsbG8td29ybGQtZnVuY3Rpb24ta2V5' + '</value></set-query-parameter>'],
    ['a JWT in an Authorization header', `<set-header name="Authorization" exists-action="override"><value>Bearer ${JWT}</value></set-header>`],
    ['a SAS URL in send-request', `<send-request mode="new" response-variable-name="r"><set-url>${SAS_URL.replace(/&/g, '&amp;')}</set-url><set-method>GET</set-method></send-request>`],
    ['a connection string in set-variable', `<set-variable name="storage" value="${ACCOUNT_KEY}" />`],
    ['a private key in a body', `<set-body>${PRIVATE_KEY}</set-body>`],
    ['a symmetric signing key in validate-jwt', '<validate-jwt header-name="Authorization"><issuer-signing-keys><key>' + 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=' + '</key></issuer-signing-keys><audiences><audience>api://x</audience></audiences></validate-jwt>'],
    ['a symmetric decryption key in validate-jwt', '<validate-jwt header-name="Authorization"><decryption-keys><key>' + 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=' + '</key></decryption-keys><audiences><audience>api://x</audience></audiences></validate-jwt>'],
    ['a client secret in an expression', `<set-variable name="token-request" value='@("client_id=x&amp;scope=y&amp;client_secret=${CLIENT_SECRET}")' />`],
  ])('flags %s in policy XML', (_name, inbound) => {
    const findings = ofRule(lintFiles(withApiInbound(inbound)), 'inline-secret');
    expect(findings).toHaveLength(1);
    expect(findings[0].file).toBe(API_POLICY);
    expect(findings[0].message).not.toContain(SUBSCRIPTION_KEY);
  });

  test('flags literal secrets in YAML: a secret named value with a value, backend credentials, config values', () => {
    const files = {
      ...compliantRepository(),
      'named-values/db-password.yaml': 'displayName: db-password\nsecret: true\nvalue: ' + 'Tr0ub4dor-and-3' + '\n',
      'backends/orders.yaml': `url: https://func-orders.azurewebsites.net/api\nprotocol: http\ncredentials:\n  header:\n    x-functions-key: [${'aGVsbG8td29ybGQtZnVuY3Rpb24ta2V5'}]\n`,
      'apiops.config.yaml': compliantRepository()['apiops.config.yaml'] + `  dev:\n    target: { emulator: .apiops/dev }\n    values: { clientSecret: ${CLIENT_SECRET} }\n`,
    };
    const findings = ofRule(lintFiles(files), 'inline-secret');
    expect(findings.map((f) => `${f.file}:${f.line}`).sort()).toEqual(['apiops.config.yaml:7', 'backends/orders.yaml:5', 'named-values/db-password.yaml:3']);
  });

  test('named-value references, GUIDs, plain URLs and key-vault named values are clean', () => {
    const files = {
      ...withApiInbound(
        '<set-header name="x-functions-key" exists-action="override"><value>{{backend-key}}</value></set-header>' +
          '<set-header name="X-Tenant" exists-action="override"><value>4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37</value></set-header>' +
          '<send-request mode="new" response-variable-name="r"><set-url>https://media.blob.core.windows.net/c/b.json</set-url><set-method>GET</set-method></send-request>' +
          '<validate-jwt header-name="Authorization"><issuer-signing-keys><key>{{backend-key}}</key><key certificate-id="jwt-signing" /><key n="0vx7agoebGcQSuuPiLJXZpt" e="AQAB" /></issuer-signing-keys><audiences><audience>api://x</audience></audiences></validate-jwt>',
      ),
      'backends/orders.yaml': 'url: https://func-orders.azurewebsites.net/api\nprotocol: http\ncredentials:\n  header:\n    x-functions-key: ["{{backend-key}}"]\n',
      'named-values/storage-key.yaml': 'displayName: storage-key\nkeyVault:\n  secretIdentifier: https://kv-media.vault.azure.net/secrets/storage-key\n',
      'named-values/tenant-id.yaml': 'displayName: tenant-id\nvalue: 4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37\n',
    };
    expect(lintFiles(files)).toEqual([]);
  });
});

describe('inline-secret: the value of a secret named value known to the run', () => {
  // Not shaped like any credential: only knowing the secret's value finds it.
  const BACKEND_KEY = 'orchid' + '-lantern-' + '7741';
  const withValue = (inbound: string) => ({
    ...withApiInbound(inbound),
    'apis/orders/api.yaml': `displayName: Orders\npath: orders\nprotocols: [https]\nserviceUrl: https://func-orders.azurewebsites.net/api\nspecification: openapi.yaml\ndescription: "Call with ${BACKEND_KEY}"\n`,
  });
  const inbound = `<set-header name="x-trace" exists-action="override"><value>${BACKEND_KEY}</value></set-header>`;

  test('is a finding in a policy and in YAML when the valueFromEnv variable is set, naming the named value, never the value', () => {
    const findings = ofRule(lintFiles(withValue(inbound), undefined, { BACKEND_KEY }), 'inline-secret');
    expect(findings.map(({ file, line, message }) => ({ file, line, message }))).toEqual([
      { file: 'apis/orders/api.yaml', line: 6, message: 'the value of secret named value backend-key is written out in apis/orders/api.yaml (description); reference it as {{backend-key}}' },
      { file: API_POLICY, line: 4, message: 'the value of secret named value backend-key is written out in <value>; reference it as {{backend-key}}' },
    ]);
  });

  test('is not looked for when the variable is unset, or the value too short to find reliably', () => {
    expect(ofRule(lintFiles(withValue(inbound)), 'inline-secret')).toEqual([]);
    expect(ofRule(lintFiles(withApiInbound('<set-header name="x-n" exists-action="override"><value>abc</value></set-header>'), undefined, { BACKEND_KEY: 'abc' }), 'inline-secret')).toEqual([]);
  });
});
