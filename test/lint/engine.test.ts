import * as fs from 'node:fs';
import * as path from 'node:path';
import { ruleMetadata } from '../../src/lint';
import { scanSuppressions } from '../../src/lint/suppressions';
import { compliantRepository, lintFiles, MANAGED_IDENTITY, policy, summary } from './helpers';

const API_POLICY = 'apis/orders/policy.xml';
const DEV_PRODUCT = 'products/partner-developer/product.yaml';

describe('suppressions', () => {
  test('an XML suppression with a reason removes the finding on the next line', () => {
    const files = {
      ...compliantRepository(),
      [API_POLICY]: policy({
        inbound: `    ${MANAGED_IDENTITY}
    <!-- apiops-disable-next-line cors-wildcard: the public status page is embedded by any site, without credentials -->
    <cors><allowed-origins><origin>*</origin></allowed-origins></cors>`,
      }),
    };
    expect(lintFiles(files)).toEqual([]);
  });

  test('an XML suppression above a multi-line element covers the whole element, and only for the rules it names', () => {
    const files = {
      ...compliantRepository(),
      [API_POLICY]: policy({
        inbound: `    ${MANAGED_IDENTITY}
    <!-- apiops-disable-next-line cors-wildcard: the public status page is embedded by any site, without credentials -->
    <cors>
        <allowed-origins>
            <origin>*</origin>
        </allowed-origins>
        <allowed-methods><method>GET</method></allowed-methods>
    </cors>
    <cors>
        <allowed-origins><origin>*</origin></allowed-origins>
    </cors>
    <!-- apiops-disable-next-line cors-wildcard: nothing to suppress in this element -->
    <set-header name="a"
        exists-action="delete" />`,
      }),
    };
    expect(summary(lintFiles(files))).toEqual([`cors-wildcard ${API_POLICY}:12`, `suppression ${API_POLICY}:14`]);
    expect(lintFiles(files)[1].message).toBe('suppression of cors-wildcard suppresses nothing on lines 15–16; remove it');
  });

  test('an XML directive in a comment spanning several lines applies to the line after the comment', () => {
    const files = {
      ...compliantRepository(),
      [API_POLICY]: policy({
        inbound: `    ${MANAGED_IDENTITY}
    <!--
        apiops-disable-next-line cors-wildcard: the public status page is embedded by any site,
        without credentials (ticket PLAT-77)
    -->
    <cors><allowed-origins><origin>*</origin></allowed-origins></cors>
    <!-- apiops-disable-next-line
         https-only -->
    <set-variable name="a" value="b" />`,
      }),
    };
    const findings = lintFiles(files);
    expect(summary(findings)).toEqual([`suppression ${API_POLICY}:9`]);
    expect(findings[0].message).toMatch(/^suppression of https-only has no reason/);
    const [suppression] = scanSuppressions(API_POLICY, '<a>\n<!-- apiops-disable-next-line\n  cors-wildcard: embedded\n  by any site -->\n\n<cors />\n</a>', 'xml');
    expect(suppression).toMatchObject({ pos: { line: 2, column: 1 }, rules: ['cors-wildcard'], reason: 'embedded by any site', targetLine: 6 });
  });

  test('a YAML suppression with a reason removes the finding on the next line', () => {
    const files = {
      ...compliantRepository(),
      [DEV_PRODUCT]: 'displayName: Partner developer\ntier: developer\n# apiops-disable-next-line product-subscription-required: open sandbox, mock backend only\nsubscriptionRequired: false\napis: [orders]\n',
    };
    expect(lintFiles(files)).toEqual([]);
  });

  test('a YAML suppression above a key with a nested block covers the whole block', () => {
    // Without the named value the backend's credentials used: this backend's key is literal.
    const { 'named-values/backend-key.yaml': _unused, ...repository } = compliantRepository();
    const backend = (directive: string) => ({
      ...repository,
      'backends/orders.yaml': `url: https://func-orders.azurewebsites.net/api
protocol: http
${directive}credentials:
  header:
    x-functions-key:
      - Qm9vdHN0cmFwS2V5MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A=
tls: { validateCertificateChain: true }
`,
    });
    expect(summary(lintFiles(backend('')))).toEqual(['inline-secret backends/orders.yaml:6']);
    expect(lintFiles(backend('# apiops-disable-next-line inline-secret: rotated test key of the mock backend\n'))).toEqual([]);
    const files = backend('');
    const belowTheBlock = files['backends/orders.yaml'].replace('tls:', '# apiops-disable-next-line inline-secret: not here\ntls:');
    expect(summary(lintFiles({ ...files, 'backends/orders.yaml': belowTheBlock }))).toEqual([
      'inline-secret backends/orders.yaml:6',
      'suppression backends/orders.yaml:7',
    ]);
  });

  test('YAML suppressions cover the entry starting on the next line: a key with its block or flow value, a list item', () => {
    const text = `a: 1
# apiops-disable-next-line r: why
b:
  c: [1,
    2]
  d: 3
e:
  # apiops-disable-next-line r: why
  - f: 1
    g: 2
  - h
# apiops-disable-next-line r: why
i: 4
`;
    expect(scanSuppressions('x.yaml', text, 'yaml').map((s) => [s.targetLine, s.lastLine])).toEqual([
      [3, 6],
      [9, 10],
      [13, undefined],
    ]);
  });

  test('a suppression without a reason is reported and does not suppress', () => {
    const files = {
      ...compliantRepository(),
      [DEV_PRODUCT]: 'displayName: Partner developer\ntier: developer\n# apiops-disable-next-line product-subscription-required\nsubscriptionRequired: false\napis: [orders]\n',
    };
    const findings = lintFiles(files);
    expect(summary(findings)).toEqual([`suppression ${DEV_PRODUCT}:3`, `product-subscription-required ${DEV_PRODUCT}:4`]);
    expect(findings[0]).toMatchObject({ severity: 'warn', column: 1 });
    expect(findings[0].message).toMatch(/has no reason/);
  });

  test('a suppression that suppresses nothing, and one naming an unknown rule, are reported', () => {
    const files = {
      ...compliantRepository(),
      [API_POLICY]: policy({
        inbound: `    <!-- apiops-disable-next-line inline-secret: the value is a public test key -->
    ${MANAGED_IDENTITY}
    <!-- apiops-disable-next-line no-such-rule: because -->
    <set-variable name="a" value="b" />`,
      }),
    };
    const findings = lintFiles(files);
    expect(summary(findings)).toEqual([`suppression ${API_POLICY}:3`, `suppression ${API_POLICY}:5`]);
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/suppresses nothing on line 4/), expect.stringMatching(/unknown rule no-such-rule/)]);
  });

  test('stacked directives apply to the same line; several ids may be listed', () => {
    const text = '<policies>\n  <!-- apiops-disable-next-line a, b: why -->\n\n  <!-- apiops-disable-next-line c: why -->\n  <inbound />\n</policies>';
    const found = scanSuppressions('p.xml', text, 'xml');
    expect(found.map((s) => [s.rules, s.targetLine, s.pos.line, s.pos.column, s.reason])).toEqual([
      [['a', 'b'], 5, 2, 3, 'why'],
      [['c'], 5, 4, 3, 'why'],
    ]);
  });
});

describe('configured severities', () => {
  const withWildcardCors = (config: string) => ({
    ...compliantRepository(),
    'apiops.config.yaml': config,
    [API_POLICY]: policy({ inbound: `${MANAGED_IDENTITY}<cors><allowed-origins><origin>*</origin></allowed-origins></cors>` }),
  });
  const environment = 'environments:\n  local:\n    target: { emulator: .apiops/local }\n    values: { tenantId: t, audience: a, functionsAppId: f }\n';

  test('lint.rules raises a warning to an error', () => {
    const findings = lintFiles(withWildcardCors(`${environment}lint:\n  rules: { cors-wildcard: error }\n`));
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['cors-wildcard', 'error']]);
  });

  test('an explicit warn level does not lower a finding the rule escalates (wildcard origin with credentials); off silences it', () => {
    const files = (level: string) => ({
      ...withWildcardCors(`${environment}lint:\n  rules: { cors-wildcard: ${level} }\n`),
      [API_POLICY]: policy({
        inbound: `${MANAGED_IDENTITY}
    <cors><allowed-origins><origin>*</origin></allowed-origins></cors>
    <cors allow-credentials="true"><allowed-origins><origin>*</origin></allowed-origins></cors>`,
      }),
    });
    expect(lintFiles(files('warn')).map((f) => [f.rule, f.line, f.severity])).toEqual([
      ['cors-wildcard', 4, 'warn'],
      ['cors-wildcard', 5, 'error'],
    ]);
    expect(lintFiles(files('error')).map((f) => f.severity)).toEqual(['error', 'error']);
    expect(lintFiles(files('off'))).toEqual([]);
  });

  test('off turns a rule off, and an environment overrides the repository-wide level', () => {
    const config = `${environment}    lint: { rules: { cors-wildcard: error } }\n  ci:\n    target: { emulator: .apiops/ci }\n    values: { tenantId: t, audience: a, functionsAppId: f }\nlint:\n  rules: { cors-wildcard: off }\n`;
    expect(lintFiles(withWildcardCors(config), 'ci')).toEqual([]);
    expect(lintFiles(withWildcardCors(config), 'local').map((f) => [f.rule, f.severity])).toEqual([['cors-wildcard', 'error']]);
  });

  test('a misspelt rule id in lint.rules (repository-wide or per environment) is a schema finding with a suggestion', () => {
    const config = compliantRepository()['apiops.config.yaml'];
    const findings = lintFiles({
      ...compliantRepository(),
      'apiops.config.yaml': `${config}  dev:\n    target: { emulator: .apiops/dev }\n    lint:\n      rules: { base-inherited: off, https-olny: warn }\nlint:\n  rules:\n    cors-wildcrd: error\n    inline-secret: error\n`,
    });
    expect(findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([
      "schema apiops.config.yaml:8:37 environments.dev.lint.rules: unknown rule 'https-olny' (did you mean https-only?)",
      "schema apiops.config.yaml:11:5 lint.rules: unknown rule 'cors-wildcrd' (did you mean cors-wildcard?)",
    ]);
  });

  test('load and render findings take configured severities too', () => {
    const files = { ...compliantRepository(), 'apiops.config.yaml': `${environment}lint:\n  rules: { xml-syntax: warn }\n`, [API_POLICY]: '<policies><inbound>' };
    const findings = lintFiles(files).filter((f) => f.rule === 'xml-syntax');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.severity === 'warn')).toBe(true);
  });
});

describe('files that did not parse', () => {
  test('only their own syntax finding is reported: effective-policy rules do not guess what they would contain', () => {
    const files = {
      ...compliantRepository(),
      [API_POLICY]: '<policies><inbound><base /><authentication-managed-identity resource="api://x"></inbound></policies>',
      'policies/fragments/validate-caller.xml': '<fragment><validate-jwt header-name="Authorization"></fragment>',
      'products/partner-developer/policy.xml': policy({ inbound: '<include-fragment fragment-id="validate-caller" />' }),
    };
    expect([...new Set(lintFiles(files).map((f) => `${f.rule} ${f.file}`))].sort()).toEqual([
      `xml-syntax ${API_POLICY}`,
      'xml-syntax policies/fragments/validate-caller.xml',
    ]);
  });
  test('a template that did not render counts as unknown too, not as a policy without statements', () => {
    const files = {
      ...compliantRepository(),
      [API_POLICY]: policy({ inbound: `    ${MANAGED_IDENTITY}\n    <set-header name="x" exists-action="override"><value>{{values.undefinedValue}}</value></set-header>` }),
      'products/partner-developer/policy.xml': policy({ inbound: '{{#if values.audience}}<rate-limit calls="5" renewal-period="60" />' }),
    };
    expect([...new Set(lintFiles(files).map((f) => `${f.rule} ${f.file}`))].sort()).toEqual([
      `template ${API_POLICY}`,
      'template products/partner-developer/policy.xml',
    ]);
  });

  test('a policy file that cannot be read (binary) is unknown, not absent: no finding follows from its missing statements', () => {
    const findings = lintFiles({
      ...compliantRepository(),
      [API_POLICY]: '<policies>\u0000</policies>',
      'policies/fragments/validate-caller.xml': '   \n',
    });
    expect(summary(findings)).toEqual([`schema ${API_POLICY}:1`, 'schema policies/fragments/validate-caller.xml:1']);
  });

  test('a configuration without environments renders no template, and the effective-policy rules stay silent', () => {
    const findings = lintFiles({ ...compliantRepository(), 'apiops.config.yaml': 'lint: {}\n' });
    expect(summary(findings)).toEqual(['schema apiops.config.yaml:1']);
  });
});

describe('rule metadata', () => {
  test('lists every rule of the contract with a description, docs page and default severity', () => {
    const metadata = ruleMetadata();
    const contract = [
      'schema', 'xml-syntax', 'template', 'managed-identity-auth', 'dev-product-throttled', 'product-subscription-required',
      'jwt-issuer-version', 'jwt-audience-required', 'subscription-key-stripped', 'base-inherited', 'inline-secret', 'https-only',
      'unknown-policy', 'policy-placement', 'fragment-missing', 'named-value-missing', 'backend-missing', 'cors-wildcard', 'policy-attributes', 'suppression',
      'unreferenced', 'caller-authenticated', 'jwt-unsatisfiable',
      'subscription-tracing', 'subscription-all-apis', 'diagnostic-sensitive-data', 'api-version-set-consistent',
    ];
    expect(metadata.map((m) => m.id).sort()).toEqual([...contract].sort());
    for (const m of metadata) {
      expect(m.helpUri).toBe(`docs/rules/${m.id}.md`);
      expect(m.description.length).toBeGreaterThan(20);
      const page = fs.readFileSync(path.join(__dirname, '..', '..', m.helpUri), 'utf8');
      expect(m.helpMarkdown).toBe(page);
      for (const heading of [`# ${m.id}`, '## What it catches', '## Why it matters', '## Failing example', '## Passing example', '## How to fix']) {
        expect(`${m.id}: ${page.includes(heading)}`).toBe(`${m.id}: true`);
      }
    }
    expect(Object.fromEntries(metadata.map((m) => [m.id, m.defaultSeverity]))).toMatchObject({
      'subscription-key-stripped': 'warn', 'base-inherited': 'warn', 'cors-wildcard': 'warn', suppression: 'warn', 'inline-secret': 'error',
    });
  });

  test("docs/rules/README.md's table lists every rule once, with its default severity", () => {
    const table = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules', 'README.md'), 'utf8');
    const rows = [...table.matchAll(/^\| \[([a-z-]+)\]\(\1\.md\) \| (error|warn)\b/gm)].map(([, id, severity]) => `${id} ${severity}`);
    expect(rows.sort()).toEqual(ruleMetadata().map((m) => `${m.id} ${m.defaultSeverity}`).sort());
  });
});
