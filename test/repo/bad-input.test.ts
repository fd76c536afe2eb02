import { makeRepo, removeRepo, runCli, validateJson, type RepoFiles, MINIMAL_REPO } from '../fixtures/repo';

/** Validates MINIMAL_REPO with `overrides` and returns the JSON report (the run must not crash). */
async function findingsFor(overrides: RepoFiles) {
  const root = makeRepo(overrides);
  try {
    const { code, report, stderr } = await validateJson(root);
    expect(stderr).not.toMatch(/\n\s+at /);
    return { code, findings: report.findings };
  } finally {
    removeRepo(root);
  }
}

function deepPolicy(depth: number): string {
  return `<policies><inbound>${'<choose>'.repeat(depth)}${'</choose>'.repeat(depth)}</inbound></policies>`;
}

const ALIAS_BOMB = `displayName: bomb
value: "x"
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
`;

const ENTITY_BOMB = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<policies><inbound><set-body>&lol3;</set-body></inbound></policies>
`;

describe('bad input: exit 1 with a finding naming the file (and line), never a crash', () => {
  const cases: Array<[string, RepoFiles, { rule: string; file: string; line?: number; message: RegExp }]> = [
    ['truncated YAML', { 'apis/orders/api.yaml': 'displayName: Orders\npath: [orders' }, { rule: 'schema', file: 'apis/orders/api.yaml', message: /YAML syntax error/ }],
    ['truncated policy XML', { 'apis/orders/policy.xml': '<policies>\n    <inbound>\n        <base />\n        <set-header name="x" exists' }, { rule: 'xml-syntax', file: 'apis/orders/policy.xml', line: 4, message: /./ }],
    ['binary file', { 'products/partners/product.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]) }, { rule: 'schema', file: 'products/partners/product.yaml', line: 1, message: /binary/ }],
    ['UTF-16 file (as Windows editors save it)', { 'apis/orders/policy.xml': Buffer.from('\ufeff<policies />', 'utf16le') }, { rule: 'schema', file: 'apis/orders/policy.xml', line: 1, message: /UTF-16.*save the file as UTF-8/ }],
    ['invalid UTF-8', { 'backends/orders-functions.yaml': Buffer.concat([Buffer.from('url: https://x.example\nprotocol: http\ntitle: caf'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]) }, { rule: 'schema', file: 'backends/orders-functions.yaml', line: 3, message: /UTF-8/ }],
    ['truncated UTF-8 sequence at the end', { 'apis/orders/policy.xml': Buffer.concat([Buffer.from('<policies>\n<inbound>\u00e9'), Buffer.from([0xe2, 0x82])]) }, { rule: 'schema', file: 'apis/orders/policy.xml', line: 2, message: /UTF-8/ }],
    ['YAML alias bomb', { 'named-values/bomb.yaml': ALIAS_BOMB }, { rule: 'schema', file: 'named-values/bomb.yaml', message: /^YAML cannot be expanded: its aliases \(\*name\) would expand more than 100 times.*billion laughs/ }],
    ['duplicate keys', { 'apis/orders/api.yaml': 'displayName: Orders\npath: orders\ndisplayName: Again\n' }, { rule: 'schema', file: 'apis/orders/api.yaml', line: 3, message: /^duplicate key 'displayName' \(first on line 1\)$/ }],
    ['duplicate quoted key in a nested map', { 'backends/orders-functions.yaml': 'url: https://x.example\nprotocol: http\ntls:\n  validateCertificateChain: true\n  "validateCertificateChain": false\n' }, { rule: 'schema', file: 'backends/orders-functions.yaml', line: 5, message: /^duplicate key 'validateCertificateChain' \(first on line 4\)$/ }],
    ['two YAML documents in one file', { 'backends/orders-functions.yaml': 'url: https://x.example\nprotocol: http\n---\nurl: https://y.example\n' }, { rule: 'schema', file: 'backends/orders-functions.yaml', line: 3, message: /^more than one YAML document .*own file$/ }],
    ['wrong type', { 'products/partners/product.yaml': 'displayName: Partners\nsubscriptionsLimit: many\napis: [orders]\n' }, { rule: 'schema', file: 'products/partners/product.yaml', line: 2, message: /subscriptionsLimit: must be integer/ }],
    ['API path with a leading slash, explained in words', { 'apis/orders/api.yaml': 'displayName: Orders\npath: /orders\n' }, { rule: 'schema', file: 'apis/orders/api.yaml', line: 2, message: /^path: must be a URL suffix without a leading or trailing slash/ }],
    ['wrong type in a list', { 'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nprotocols:\n  - https\n  - ftp\n' }, { rule: 'schema', file: 'apis/orders/api.yaml', line: 5, message: /protocols\.1: must be one of: http, https, ws, wss/ }],
    ['unknown property', { 'backends/orders-functions.yaml': 'url: https://x.example\nprotocol: http\npasword: hunter2\n' }, { rule: 'schema', file: 'backends/orders-functions.yaml', line: 3, message: /pasword: unknown property/ }],
    ['XML entity bomb', { 'policies/global.xml': ENTITY_BOMB }, { rule: 'xml-syntax', file: 'policies/global.xml', line: 2, message: /DTD|DOCTYPE/i }],
    ['3000-deep policy nesting', { 'apis/orders/policy.xml': deepPolicy(3000) }, { rule: 'xml-syntax', file: 'apis/orders/policy.xml', line: 1, message: /deep|nest/i }],
    ['3000-deep YAML nesting', { 'backends/orders-functions.yaml': `url: https://x.example\nprotocol: http\ntls: ${'['.repeat(3000)}${']'.repeat(3000)}\n` }, { rule: 'schema', file: 'backends/orders-functions.yaml', message: /./ }],
    ['empty YAML file', { 'apis/orders/api.yaml': '' }, { rule: 'schema', file: 'apis/orders/api.yaml', line: 1, message: /empty/ }],
    ['empty policy file', { 'apis/orders/policy.xml': '  \n' }, { rule: 'schema', file: 'apis/orders/policy.xml', line: 1, message: /empty/ }],
    ['YAML that is not a mapping', { 'named-values/support-email.yaml': '- just\n- a list\n' }, { rule: 'schema', file: 'named-values/support-email.yaml', line: 1, message: /mapping/ }],
    ['missing referenced spec', { 'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nspecification: orders-v2.yaml\n' }, { rule: 'schema', file: 'apis/orders/api.yaml', line: 3, message: /orders-v2\.yaml' not found/ }],
    ['spec outside the API folder', { 'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nspecification: ../../apiops.config.yaml\n' }, { rule: 'schema', file: 'apis/orders/api.yaml', line: 3, message: /outside/ }],
    ['policy for an operation the spec lacks', { 'apis/orders/operations/deleteOrder.xml': '<policies><inbound><base /></inbound></policies>' }, { rule: 'schema', file: 'apis/orders/operations/deleteOrder.xml', message: /'deleteOrder' is not an operation .*getOrder/ }],
    ['operation without operationId', { 'apis/orders/openapi.yaml': 'openapi: 3.0.1\ninfo: { title: O, version: "1" }\npaths:\n  /orders:\n    get:\n      summary: List\n      responses: {}\n' }, { rule: 'schema', file: 'apis/orders/openapi.yaml', line: 5, message: /GET \/orders has no operationId/ }],
    ['duplicate operationId', { 'apis/orders/openapi.yaml': 'openapi: 3.0.1\ninfo: { title: O, version: "1" }\npaths:\n  /a:\n    get: { operationId: same }\n  /b:\n    get: { operationId: same }\n' }, { rule: 'schema', file: 'apis/orders/openapi.yaml', line: 7, message: /used twice/ }],
    ['not an OpenAPI document', { 'apis/orders/openapi.yaml': 'title: hello\n' }, { rule: 'schema', file: 'apis/orders/openapi.yaml', message: /openapi: 3\.x/ }],
    ['backend the repository lacks', { 'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nbackend: nowhere\n' }, { rule: 'schema', file: 'apis/orders/api.yaml', line: 3, message: /backend 'nowhere' is not defined/ }],
    ['an API listed twice in a product, at the repetition', { 'products/partners/product.yaml': 'displayName: P\napis:\n  - orders\n  - orders\n' }, { rule: 'schema', file: 'products/partners/product.yaml', line: 4, message: /^apis: "orders" is listed twice$/ }],
    ['product naming an API the repository lacks', { 'products/partners/product.yaml': 'displayName: P\napis:\n  - orders\n  - ordres\n' }, { rule: 'schema', file: 'products/partners/product.yaml', line: 4, message: /API 'ordres' is not defined/ }],
    ['undefined template variable', { 'apis/orders/policy.xml': '<policies>\n<inbound>\n<base />\n<authentication-managed-identity resource="{{values.backendAp}}" />\n</inbound>\n</policies>' }, { rule: 'template', file: 'apis/orders/policy.xml', line: 4, message: /backendAp/ }],
    ['fragment root in a policy file', { 'apis/orders/policy.xml': '<!-- api -->\n<fragment>\n  <base />\n</fragment>\n' }, { rule: 'xml-syntax', file: 'apis/orders/policy.xml', line: 2, message: /root element of a policy must be <policies>, not <fragment>/ }],
    ['policies root in a fragment', { 'policies/fragments/auth.xml': '<policies>\n  <inbound />\n</policies>\n' }, { rule: 'xml-syntax', file: 'policies/fragments/auth.xml', line: 1, message: /must be <fragment>/ }],
    ['two APIs on one path', { 'apis/orders-v2/api.yaml': 'displayName: Orders 2\npath: Orders\n' }, { rule: 'schema', file: 'apis/orders-v2/api.yaml', line: 2, message: /path 'Orders' is already used by API 'orders'/ }],
    ['API ids differing only in case', { 'apis/Orders/api.yaml': 'displayName: O\npath: o2\n' }, { rule: 'schema', file: 'apis/orders/api.yaml', message: /differs only in letter case from apis\/Orders\/api\.yaml/ }],
    ['API id APIM refuses', { 'apis/or:ders/api.yaml': 'displayName: O\npath: o2\n' }, { rule: 'schema', file: 'apis/or:ders/api.yaml', message: /API id 'or:ders' has characters/ }],
    ['fragment id APIM refuses', { 'policies/fragments/-bad.xml': '<fragment />' }, { rule: 'schema', file: 'policies/fragments/-bad.xml', message: /policy fragment id '-bad'/ }],
    ['operation id with a slash (one segment of the ARM path)', { 'apis/orders/openapi.yaml': 'openapi: 3.0.1\ninfo: { title: O, version: "1" }\npaths:\n  /a:\n    get: { operationId: ../../etc/orders }\n' }, { rule: 'schema', file: 'apis/orders/openapi.yaml', line: 5, message: /operation id '\.\.\/\.\.\/etc\/orders' has characters APIM does not allow/ }],
    ['group id with a slash', { 'products/partners/product.yaml': 'displayName: P\napis: [orders]\ngroups: [developers, partners/gold]\n' }, { rule: 'schema', file: 'products/partners/product.yaml', line: 3, message: /group id 'partners\/gold' has characters/ }],
    ['operation id too long', { 'apis/orders/openapi.yaml': `openapi: 3.0.1\ninfo: { title: O, version: "1" }\npaths:\n  /a:\n    get: { operationId: ${'x'.repeat(81)} }\n` }, { rule: 'schema', file: 'apis/orders/openapi.yaml', line: 5, message: /at most 80/ }],
    ['secret value inline in a named value', { 'named-values/support-email.yaml': 'displayName: support-email\nsecret: true\nvalue: hunter2\n' }, { rule: 'schema', file: 'named-values/support-email.yaml', message: /secret value must not live in the repository/ }],
    ['two named values with one displayName', { 'named-values/other.yaml': 'displayName: support-email\nvalue: x\n' }, { rule: 'schema', file: 'named-values/support-email.yaml', line: 1, message: /already used/ }],
    ['operation policies in a misspelt operations folder', { 'apis/orders/operation/getOrder.xml': '<policies><inbound><base /></inbound></policies>' }, { rule: 'schema', file: 'apis/orders/operation', line: 1, message: /^not read by apiops: .*operations\/<operation-id>\.xml$/ }],
    ['a policy file next to global.xml', { 'policies/orders.xml': '<policies />' }, { rule: 'schema', file: 'policies/orders.xml', message: /^not read by apiops: policies\/ holds global\.xml and fragments\// }],
    ['a product written as a file', { 'products/gold.yaml': 'displayName: Gold\n' }, { rule: 'schema', file: 'products/gold.yaml', message: /^not read by apiops: products\/ holds one folder per product/ }],
    ['file of the wrong kind in named-values/', { 'named-values/notes.txt': 'hello' }, { rule: 'schema', file: 'named-values/notes.txt', message: /unexpected file/ }],
    ['API folder without api.yaml', { 'apis/billing/openapi.yaml': 'openapi: 3.0.1\n' }, { rule: 'schema', file: 'apis/billing/api.yaml', message: /no api\.yaml/ }],
    ['a product naming an API in other letter case, with the spelling to use', { 'products/partners/product.yaml': 'displayName: P\napis: [Orders]\n' }, { rule: 'schema', file: 'products/partners/product.yaml', line: 2, message: /^API 'Orders' is not defined in apis\/ \(apis\/orders differs only in letter case; write 'orders'\)$/ }],
    ['Swagger version read as a number (unquoted 2.0)', { 'apis/orders/openapi.yaml': 'swagger: 2.0\ninfo: { title: O, version: "1" }\npaths: {}\n' }, { rule: 'schema', file: 'apis/orders/openapi.yaml', line: 1, message: /the version must be a string: quote it \(swagger: "2\.0"\)$/ }],
    ['a file where a folder belongs (backends)', { 'backends/orders-functions.yaml': null, 'apis/orders/api.yaml': 'displayName: Orders\npath: orders\n', backends: 'orders-functions: https://x.example\n' }, { rule: 'schema', file: 'backends', line: 1, message: /^not read by apiops: backends must be a folder$/ }],
    ['a file named like the operations folder', { 'apis/orders/operations': '<policies />' }, { rule: 'schema', file: 'apis/orders/operations', line: 1, message: /must be a folder/ }],
    ['api.yml instead of api.yaml', { 'apis/orders/api.yaml': null, 'apis/orders/api.yml': 'displayName: Orders\npath: orders\n' }, { rule: 'schema', file: 'apis/orders/api.yaml', message: /^API folder apis\/orders\/ has no api\.yaml \(rename api\.yml to api\.yaml\)$/ }],
    ['invalid config target', { 'apiops.config.yaml': 'environments:\n  dev:\n    target:\n      subscriptionId: not-a-guid\n      resourceGroup: rg\n      serviceName: apim\n' }, { rule: 'schema', file: 'apiops.config.yaml', line: 4, message: /subscriptionId: must match pattern/ }],
  ];

  it.each(cases)('%s', async (_name, overrides, expected) => {
    const { code, findings } = await findingsFor(overrides);
    expect(code).toBe(1);
    const match = findings.find((f) => f.rule === expected.rule && f.file === expected.file && expected.message.test(f.message));
    if (!match) throw new Error(`no ${expected.rule} finding for ${expected.file} matching ${expected.message}; got ${JSON.stringify(findings, null, 1)}`);
    if (expected.line !== undefined) expect(match.line).toBe(expected.line);
    expect(match.column).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['a version set without its header name', { 'api-version-sets/orders.yaml': 'displayName: Orders\nversioningScheme: Header\n' }, 'api-version-sets/orders.yaml:1:1', /missing required property 'versionHeaderName'/],
    ['a version set with an unknown scheme', { 'api-version-sets/orders.yaml': 'displayName: Orders\nversioningScheme: Path\n' }, 'api-version-sets/orders.yaml:2:19', /versioningScheme: must be one of: Segment, Header, Query/],
    ['a file for a built-in group', { 'groups/developers.yaml': 'displayName: Developers\n' }, 'groups/developers.yaml:1:1', /built-in APIM group/],
    ['a product naming a group groups/ does not define', { 'products/partners/product.yaml': 'displayName: P\napis: [orders]\ngroups:\n  - developers\n  - fabrikam\n' }, 'products/partners/product.yaml:5:5', /^group 'fabrikam' is not defined in groups\//],
    ['a subscription with two scopes', { 'subscriptions/s.yaml': 'displayName: S\nproduct: partners\napi: orders\n' }, 'subscriptions/s.yaml:3:1', /exactly one of product, api or allApis/],
    ['a subscription for an undefined product', { 'subscriptions/s.yaml': 'displayName: S\nproduct: gold\n' }, 'subscriptions/s.yaml:2:10', /^product 'gold' is not defined in products\//],
    ['a subscription key written in the file', { 'subscriptions/s.yaml': 'displayName: S\napi: orders\nprimaryKey: 0123456789abcdef\n' }, 'subscriptions/s.yaml:3:1', /primaryKey: unknown property/],
    ['a literal logger credential', { 'loggers/ai.yaml': 'type: applicationInsights\ncredentials:\n  instrumentationKey: 5f0c1d7e-0000-4000-8000-00000000a1b2\n' }, 'loggers/ai.yaml:3:23', /must be a \{\{named value\}\} reference/],
    ['a logger credential naming an undefined named value', { 'loggers/ai.yaml': 'type: applicationInsights\ncredentials: { connectionString: "{{ai-connection}}" }\n' }, 'loggers/ai.yaml:2:34', /references named value 'ai-connection', which no file in named-values\/ has/],
    ['tags for an operation the specification does not have', { 'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nbackend: orders-functions\noperationTags:\n  get-order: [Read]\n' }, 'apis/orders/api.yaml:5:3', /operationTags: 'get-order' is not an operation of the API \(operationIds: getOrder\)/],
    ['a diagnostic naming an undefined logger', { 'diagnostics/applicationinsights.yaml': 'logger: ai\n' }, 'diagnostics/applicationinsights.yaml:1:9', /^logger 'ai' is not defined in loggers\//],
    ['an API diagnostic logging too many body bytes', { 'loggers/ai.yaml': 'type: azureMonitor\n', 'apis/orders/diagnostics/azuremonitor.yaml': 'logger: ai\nbackend:\n  response:\n    body: { bytes: 100000 }\n' }, 'apis/orders/diagnostics/azuremonitor.yaml:4:20', /bytes: must be <= 8192/],
  ])('%s: file:line:column', async (_name, overrides, where, message) => {
    const { code, findings } = await findingsFor(overrides);
    expect(code).toBe(1);
    const match = findings.find((f) => f.rule === 'schema' && message.test(f.message));
    if (!match) throw new Error(`no schema finding matching ${message}; got ${JSON.stringify(findings, null, 1)}`);
    expect(`${match.file}:${match.line}:${match.column}`).toBe(where);
  });

  it('follows symbolic links, and reports a dangling one or one to something that is not a file', async () => {
    const fs = await import('fs');
    const path = await import('path');
    const root = makeRepo({ 'shared/support.yaml': 'displayName: shared-support\nvalue: x\n' });
    try {
      fs.symlinkSync(path.join(root, 'shared', 'support.yaml'), path.join(root, 'named-values', 'shared-support.yaml'));
      fs.symlinkSync(path.join(root, 'nowhere.yaml'), path.join(root, 'named-values', 'dangling.yaml'));
      fs.symlinkSync('/dev/null', path.join(root, 'apis', 'orders', 'policy.xml.tmp'));
      fs.renameSync(path.join(root, 'apis', 'orders', 'policy.xml.tmp'), path.join(root, 'apis', 'orders', 'policy.xml'));
      const { code, report } = await validateJson(root);
      expect(code).toBe(1);
      const messages = report.findings.map((f) => `${f.file}: ${f.message}`);
      expect(messages).toEqual(expect.arrayContaining(['named-values/dangling.yaml: file not found', 'apis/orders/policy.xml: not a regular file']));
      expect(messages.filter((m) => m.startsWith('named-values/shared-support.yaml'))).toEqual([]);
    } finally {
      removeRepo(root);
    }
  });

  it('reports every bad file at once: one bad file does not hide the others', async () => {
    const { code, findings } = await findingsFor({
      'apis/orders/api.yaml': 'displayName: Orders\npath: orders\ndisplayName: twice\n',
      'apis/orders/policy.xml': '<policies><inbound><base /></inbund></policies>',
      'products/partners/product.yaml': '',
      'backends/orders-functions.yaml': 'url: 42\nprotocol: ftp\n',
      'policies/global.xml': '<policies><inbound>{{values.nope}}</inbound></policies>',
    });
    expect(code).toBe(1);
    const files = new Set(findings.map((f) => f.file));
    for (const file of ['apis/orders/api.yaml', 'apis/orders/policy.xml', 'products/partners/product.yaml', 'backends/orders-functions.yaml', 'policies/global.xml']) {
      expect(files).toContain(file);
    }
  });

  it.each([
    ['binary', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0])],
    ['empty', ''],
  ])('an unreadable (%s) api.yaml is the one finding: the API still stands for product references and its policies', async (_kind, content) => {
    const { findings } = await findingsFor({ 'apis/orders/api.yaml': content, 'apis/orders/policy.xml': '<policies><inbound>' });
    expect(findings.map((f) => `${f.rule} ${f.file}`).sort()).toEqual(['schema apis/orders/api.yaml', 'xml-syntax apis/orders/policy.xml']);
  });

  it('still checks the policies of an API whose api.yaml breaks its schema', async () => {
    const { findings } = await findingsFor({
      'apis/orders/api.yaml': 'displayName: 42\npath: orders\nprotocols: https\n',
      'apis/orders/policy.xml': '<policies><inbound><base /></inbound>',
    });
    expect(findings.map((f) => `${f.rule} ${f.file}`)).toEqual(
      expect.arrayContaining(['schema apis/orders/api.yaml', 'xml-syntax apis/orders/policy.xml']),
    );
  });
});

it('--env naming an environment of a configuration that breaks its schema: the schema finding (exit 1), not "unknown environment"', async () => {
  const root = makeRepo({ 'apiops.config.yaml': MINIMAL_REPO['apiops.config.yaml'].replace('serviceName: apim-orders', 'serviceName: 42') });
  try {
    const { code, report, stderr } = await validateJson(root, ['--env', 'local']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'schema', file: 'apiops.config.yaml', line: 11, message: expect.stringMatching(/serviceName: must be string/) })]);
  } finally {
    removeRepo(root);
  }
});

describe('could not run: exit 2', () => {
  it('without apiops.config.yaml', async () => {
    const root = makeRepo({ 'apiops.config.yaml': null });
    try {
      const { code, io } = await runCli(['validate'], root);
      expect(code).toBe(2);
      expect(io.err).toMatch(/no apiops\.config\.yaml/);
      expect(io.err).not.toMatch(/\n\s+at /);
    } finally {
      removeRepo(root);
    }
  });

  it('with apiops.config.yml instead of .yaml, saying so', async () => {
    const root = makeRepo({ 'apiops.config.yaml': null, 'apiops.config.yml': MINIMAL_REPO['apiops.config.yaml'] });
    try {
      const { code, io } = await runCli(['validate'], root);
      expect(code).toBe(2);
      expect(io.err).toMatch(/no apiops\.config\.yaml in .* \(rename apiops\.config\.yml to apiops\.config\.yaml\)\n$/);
    } finally {
      removeRepo(root);
    }
  });

  it('with an unknown --env, naming the environments there are', async () => {
    const root = makeRepo();
    try {
      const { code, io } = await runCli(['validate', '--env', 'staging'], root);
      expect(code).toBe(2);
      expect(io.err).toMatch(/apiops\.config\.yaml:2:3: error: unknown environment 'staging' \(apiops\.config\.yaml defines: local, prod\)/);
    } finally {
      removeRepo(root);
    }
  });

  it('--repo points elsewhere', async () => {
    const root = makeRepo();
    try {
      const { code } = await runCli(['validate', '--repo', root], '/');
      expect(code).toBe(0);
    } finally {
      removeRepo(root);
    }
  });
});

// Keep the fixture honest: the cases above break exactly one file of a repository that is otherwise clean.
it('MINIMAL_REPO has the files the cases override', () => {
  expect(Object.keys(MINIMAL_REPO)).toEqual(expect.arrayContaining(['apis/orders/api.yaml', 'apis/orders/policy.xml', 'policies/global.xml']));
});
