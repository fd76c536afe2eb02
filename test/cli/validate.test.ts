import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { makeRepo, MINIMAL_REPO, removeRepo, runCli } from '../fixtures/repo';

// unicodeRegExp: false below because the schema's `language` pattern is not valid with the `u` flag (a known quirk of
// the published schema), which ajv uses by default.
const SARIF_SCHEMA = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'));

/** A repository with a broken policy (xml-syntax), a schema error and a template error. */
const BROKEN = {
  'apis/orders/policy.xml': '<policies>\n    <inbound>\n        <base />\n    </inbund>\n</policies>\n',
  'products/partners/product.yaml': 'displayName: Partners\nstate: live\napis: [orders]\n',
  'policies/global.xml': '<policies>\n  <inbound>\n    <set-header name="x" exists-action="override"><value>{{values.missing}}</value></set-header>\n  </inbound>\n</policies>\n',
};

describe('apiops validate', () => {
  let root: string;
  beforeAll(() => {
    root = makeRepo(BROKEN);
  });
  afterAll(() => removeRepo(root));

  it('--format json: the contract shape, sorted, files relative to the repository root, exit 1', async () => {
    const { code, io } = await runCli(['validate', '--format', 'json'], root);
    expect(code).toBe(1);
    const report = JSON.parse(io.out);
    expect(Object.keys(report)).toEqual(['findings', 'summary']);
    // `environments` only on a finding that holds in some of the environments (validate checks every one).
    for (const finding of report.findings) expect(Object.keys(finding)).toEqual(['rule', 'severity', 'file', 'line', 'column', 'message', ...('environments' in finding ? ['environments'] : [])]);
    const xml = report.findings.find((f: { rule: string }) => f.rule === 'xml-syntax');
    expect(xml).toMatchObject({ severity: 'error', file: 'apis/orders/policy.xml', line: 4 });
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'schema', file: 'products/partners/product.yaml', line: 2, column: 8, message: expect.stringMatching(/^state: must be one of: published, notPublished$/) }),
        expect.objectContaining({ rule: 'template', file: 'policies/global.xml', line: 3 }),
      ]),
    );
    const files = report.findings.map((f: { file: string }) => f.file);
    expect(files).toEqual([...files].sort());
    expect(report.summary.error).toBe(report.findings.filter((f: { severity: string }) => f.severity === 'error').length);
  });

  it('--format sarif: valid SARIF 2.1.0 with rule metadata and physical locations', async () => {
    const { code, io } = await runCli(['validate', '--format', 'sarif'], root);
    expect(code).toBe(1);
    const log = JSON.parse(io.out);
    const ajv = addFormats(new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }));
    const valid = ajv.validate(SARIF_SCHEMA, log);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const run = log.runs[0];
    const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ruleIds).toEqual(expect.arrayContaining(['schema', 'xml-syntax', 'template']));
    // What GitHub code scanning asks of each rule: a readable name that is not the id, short and full descriptions,
    // and a help link anyone can open (the docs page on the project's repository, from package.json).
    const repository = 'https://github.com/contoso/apiops';
    expect(run.tool.driver.informationUri).toBe(repository);
    expect(ruleIds).toEqual(expect.arrayContaining(['unreferenced', 'suppression']));
    for (const rule of run.tool.driver.rules) {
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(rule.name).not.toBe(rule.id);
      expect(rule.shortDescription.text).toBeTruthy();
      expect(rule.fullDescription.text.length).toBeGreaterThanOrEqual(rule.shortDescription.text.length);
      expect(rule.helpUri).toBe(`${repository}/blob/HEAD/docs/rules/${rule.id}.md`);
      expect(fs.existsSync(path.join(__dirname, '..', '..', 'docs', 'rules', `${rule.id}.md`))).toBe(true);
      expect(rule.help.markdown).toBeTruthy();
      expect(['error', 'warning']).toContain(rule.defaultConfiguration.level);
    }
    expect(run.tool.driver.rules.find((r: { id: string }) => r.id === 'base-inherited').name).toBe('BaseInherited');
    for (const result of run.results) expect(result.locations[0].physicalLocation.artifactLocation.uri).not.toMatch(/^[a-z]+:|^\//);
    const xml = run.results.find((r: { ruleId: string }) => r.ruleId === 'xml-syntax');
    expect(run.tool.driver.rules[xml.ruleIndex].id).toBe('xml-syntax');
    expect(xml.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'apis/orders/policy.xml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 4, startColumn: expect.any(Number) },
    });
  });

  it('--format sarif on a clean repository is valid SARIF with no results', async () => {
    const clean = makeRepo();
    try {
      const { code, io } = await runCli(['validate', '--format', 'sarif'], clean);
      expect(code).toBe(0);
      const log = JSON.parse(io.out);
      const ajv = addFormats(new Ajv({ strict: false, unicodeRegExp: false }));
      expect(ajv.validate(SARIF_SCHEMA, log)).toBe(true);
      expect(log.runs[0].results.filter((r: { level: string }) => r.level === 'error')).toEqual([]);
    } finally {
      removeRepo(clean);
    }
  });

  it('--repo naming a folder of the working directory: sarif and github paths start with it, json stays repository-relative', async () => {
    const checkout = path.dirname(root);
    const repo = path.basename(root);
    const github = await runCli(['validate', '--repo', repo, '--format', 'github'], checkout);
    expect(github.io.out).toMatch(new RegExp(`^::error file=${repo}/apis/orders/policy\\.xml,line=4,`, 'm'));
    const sarif = JSON.parse((await runCli(['validate', '--repo', repo, '--format', 'sarif'], checkout)).io.out);
    const uris = sarif.runs[0].results.map((r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => r.locations[0].physicalLocation.artifactLocation.uri);
    expect(uris).toContain(`${repo}/apis/orders/policy.xml`);
    const json = JSON.parse((await runCli(['validate', '--repo', repo, '--format', 'json'], checkout)).io.out);
    expect(json.findings.map((f: { file: string }) => f.file)).toContain('apis/orders/policy.xml');
  });

  it('--format junit: well-formed JUnit XML with one failure per error', async () => {
    const { code, io } = await runCli(['validate', '--format', 'junit'], root);
    expect(code).toBe(1);
    expect(XMLValidator.validate(io.out)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(io.out);
    const suites = doc.testsuites.testsuite as Array<{ '@_name': string; '@_failures': string; testcase: Array<{ failure?: unknown }> }>;
    expect(suites.map((s) => s['@_name'])).toEqual(expect.arrayContaining(['apis/orders/policy.xml', 'products/partners/product.yaml', 'policies/global.xml']));
    const failures = suites.flatMap((s) => s.testcase).filter((c) => c.failure);
    expect(Number(doc.testsuites['@_failures'])).toBe(failures.length);
    expect(failures.length).toBeGreaterThanOrEqual(3);
  });

  it('--format github: one workflow command per finding with file, line and col', async () => {
    const { code, io } = await runCli(['validate', '--format', 'github'], root);
    expect(code).toBe(1);
    const lines = io.out.trim().split('\n');
    expect(lines.every((l) => /^::(error|warning) file=[^,]+,line=\d+,col=\d+,title=apiops [a-z-]+::.+$/.test(l))).toBe(true);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^::error file=apis\/orders\/policy\.xml,line=4,col=\d+,title=apiops xml-syntax::/)]));
  });

  it('--format stylish (default): grouped by file, no colour off a terminal, colour on one unless NO_COLOR is set', async () => {
    const plain = await runCli(['validate'], root);
    expect(plain.code).toBe(1);
    expect(plain.io.out).not.toMatch(/\u001b\[/);
    expect(plain.io.out).toMatch(/^apis\/orders\/policy\.xml\n  4:\d+\s+error\s+.+xml-syntax$/m);
    expect(plain.io.out).toMatch(/✖ \d+ problems \(\d+ errors, \d+ warnings?\)/);
    const tty = await runCli(['validate'], root, { isTTY: true });
    expect(tty.io.out).toMatch(/\u001b\[31merror/);
    const optedOut = await runCli(['validate'], root, { isTTY: true, env: { NO_COLOR: '1' } });
    expect(optedOut.io.out).not.toMatch(/\u001b\[/);
  });

  it('--output writes the report to a file (relative to the working directory)', async () => {
    const { code, io } = await runCli(['validate', '--format', 'json', '--output', 'reports/apiops.json'], root);
    expect(code).toBe(1);
    expect(io.out).toBe('');
    const report = JSON.parse(fs.readFileSync(path.join(root, 'reports', 'apiops.json'), 'utf8'));
    expect(report.summary.error).toBeGreaterThan(0);
  });

  it('a clean repository: exit 0 and "No problems found." (stylish)', async () => {
    const clean = makeRepo();
    try {
      const { code, io } = await runCli(['validate', '--fail-on', 'warn'], clean);
      expect(io.err).toBe('');
      expect(io.out).toBe('No problems found.\n');
      expect(code).toBe(0);
    } finally {
      removeRepo(clean);
    }
  });

  it('--fail-on: warnings pass by default and fail with --fail-on warn', async () => {
    // An API policy section without <base /> is the contract's `base-inherited` warning.
    const warned = makeRepo({
      'apis/orders/policy.xml': MINIMAL_REPO['apis/orders/policy.xml'].replace('<outbound>\n        <base />\n    </outbound>', '<outbound />'),
    });
    try {
      const byDefault = await runCli(['validate', '--format', 'json'], warned);
      const report = JSON.parse(byDefault.io.out);
      expect(report.summary).toEqual({ error: 0, warn: 1 });
      expect(report.findings[0]).toMatchObject({ rule: 'base-inherited', severity: 'warn', file: 'apis/orders/policy.xml' });
      expect(byDefault.code).toBe(0);
      expect((await runCli(['validate', '--fail-on', 'warn'], warned)).code).toBe(1);
      const junit = (await runCli(['validate', '--format', 'junit'], warned)).io.out;
      expect(junit).toMatch(/<testsuites name="apiops validate" tests="1" failures="0">/);
      expect(junit).toMatch(/<system-out>apis\/orders\/policy\.xml:\d+:\d+: warn: /);
    } finally {
      removeRepo(warned);
    }
  });

  it('rejects an unknown --format with exit 2', async () => {
    const { code, io } = await runCli(['validate', '--format', 'xml'], root);
    expect(code).toBe(2);
    expect(io.err).toMatch(/Invalid values/);
  });
});
