import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { formatSarif } from '../../src/cli/output/sarif';
import type { Finding } from '../../src/diagnostics';
import { ruleMetadata } from '../../src/lint';
import { lintFiles, MANAGED_IDENTITY, policy, repo, type Files } from './helpers';

const TENANT = '4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37';
const PRODUCTION_POLICY = 'products/partner-production/policy.xml';
const API_POLICY = 'apis/orders/policy.xml';
const OPERATION_POLICY = 'apis/orders/operations/get-order.xml';
const ORPHAN = 'named-values/legacy-partner-key.yaml';

/**
 * The mistakes issue 15 found a new user making, all in one repository (`mistaken`), and its clean twin: the
 * production product's inbound without <base /> (dropping the global validate-jwt and key stripping), a misspelt
 * exists-action, an operation-level validate-jwt requiring another audience than the global one, and a secret
 * named value nothing uses any more.
 */
function zeroTrustRepository(mistaken: boolean): Files {
  const pick = (bad: string, good: string) => (mistaken ? bad : good);
  return repo({
    [PRODUCTION_POLICY]: `<policies>
  <inbound>${pick('', '\n    <base />')}
    <set-header name="X-Partner-Tier" exists-action="override"><value>production</value></set-header>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
`,
    [API_POLICY]: policy({ inbound: `    ${MANAGED_IDENTITY}\n    <set-header name="X-Debug-Token" ${pick('exist-action', 'exists-action')}="delete" />` }),
    [OPERATION_POLICY]: policy({
      inbound: `    <validate-jwt header-name="Authorization">
      <openid-config url="https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration" />
      <audiences><audience>${pick('api://orders', 'api://partner-api')}</audience></audiences>
      <required-claims><claim name="roles" match="any"><value>Orders.Read</value></claim></required-claims>
    </validate-jwt>`,
    }),
    [ORPHAN]: mistaken ? '# the partner key before Entra ID tokens\ndisplayName: legacy-partner-key\nsecret: true\nvalueFromEnv: LEGACY_PARTNER_KEY\n' : null,
  });
}

/** Each mistake: the rule, the file and line it is reported at, and the least severity it must have. */
const EXPECTED: Array<{ rule: string; file: string; line: number; severity: Finding['severity'] }> = [
  { rule: 'caller-authenticated', file: PRODUCTION_POLICY, line: 2, severity: 'error' },
  { rule: 'base-inherited', file: PRODUCTION_POLICY, line: 2, severity: 'error' },
  { rule: 'policy-attributes', file: API_POLICY, line: 4, severity: 'error' },
  { rule: 'jwt-unsatisfiable', file: OPERATION_POLICY, line: 3, severity: 'warn' },
  { rule: 'unreferenced', file: ORPHAN, line: 2, severity: 'warn' },
];

describe('the zero-trust mistakes of issue 15', () => {
  const findings = lintFiles(zeroTrustRepository(true));

  test.each(EXPECTED.map((e) => [e.rule, e] as const))('%s is reported at the right file and line, at least at its severity', (_rule, expected) => {
    const ofRule = findings.filter((f) => f.rule === expected.rule);
    expect(ofRule.map((f) => `${f.file}:${f.line}`)).toEqual([`${expected.file}:${expected.line}`]);
    if (expected.severity === 'error') expect(ofRule[0].severity).toBe('error');
  });

  test('base-inherited names what is lost', () => {
    const [finding] = findings.filter((f) => f.rule === 'base-inherited');
    expect(finding.message).toMatch(/drops token validation \(validate-jwt at policies\/fragments\/validate-caller\.xml:2:5\), subscription-key stripping \(set-header at policies\/global\.xml:4:5\)$/);
  });

  test('nothing else but the key stripping the same <base /> drops', () => {
    const others = findings.filter((f) => !EXPECTED.some((e) => e.rule === f.rule));
    expect(others.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([`subscription-key-stripped ${PRODUCTION_POLICY}:2`]);
  });

  test('the clean twin reports nothing', () => {
    expect(lintFiles(zeroTrustRepository(false))).toEqual([]);
  });

  test('its SARIF report passes the SARIF 2.1.0 schema, with an https help link and a full description for every rule', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'));
    const log = JSON.parse(formatSarif(findings, ruleMetadata()));
    // unicodeRegExp: false: the published schema's `language` pattern is not valid with the `u` flag.
    const ajv = addFormats(new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }));
    ajv.validate(schema, log);
    expect(ajv.errors ?? []).toEqual([]);
    const { driver } = log.runs[0].tool;
    expect(driver.rules.map((rule: { id: string }) => rule.id).sort()).toEqual(ruleMetadata().map((rule) => rule.id).sort());
    for (const rule of driver.rules) {
      expect(rule.helpUri).toMatch(new RegExp(`^https://[^ ]+/docs/rules/${rule.id}\\.md$`));
      expect(rule.fullDescription.text).toMatch(/\w.*\./);
    }
    const reported = log.runs[0].results.map((result: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => `${result.ruleId} ${result.locations[0].physicalLocation.artifactLocation.uri}`);
    expect(reported).toEqual(expect.arrayContaining(EXPECTED.map((e) => `${e.rule} ${e.file}`)));
  });
});
