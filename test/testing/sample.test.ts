/** `apiops test` on the sample repository at the project root: every case passes, in every report format. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { XMLParser } from 'fast-xml-parser';
import { runCli } from '../fixtures/repo';
import { ROOT } from './helpers';

describe('apiops test on the sample', () => {
  it('passes every case of tests/ (stylish), naming each with its file:line', async () => {
    const { code, io } = await runCli(['test'], ROOT);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toMatch(/✓ a call without a subscription key is refused before any policy runs {2}tests\/zero-trust\.test\.yaml:\d+:5/);
    const total = Number(/Tests: (\d+) passed, (\d+) total/.exec(io.out)?.[2]);
    expect(total).toBeGreaterThanOrEqual(8);
    expect(io.out).toContain(`${total} passed, ${total} total (4 files, environment 'local')`);
  });

  it('writes JUnit XML with one suite per file and one case per test case, and a summary line on stdout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-junit-'));
    const output = path.join(dir, 'results', 'apiops-tests.xml');
    try {
      const { code, io } = await runCli(['test', '--format', 'junit', '--output', output], ROOT);
      expect(code).toBe(0);
      expect(io.out).toMatch(/^apiops test: (\d+) of \1 cases passed; report written to /);
      const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(fs.readFileSync(output, 'utf8'));
      const suites = [].concat(xml.testsuites.testsuite);
      expect(suites.map((s: { name: string }) => s.name)).toEqual(['tests/catalog-cache.test.yaml', 'tests/orders.test.yaml', 'tests/throttling.test.yaml', 'tests/zero-trust.test.yaml']);
      const cases = suites.flatMap((s: { testcase: unknown }) => [].concat(s.testcase as never));
      expect(cases.length).toBe(Number(xml.testsuites.tests));
      expect(xml.testsuites.failures).toBe('0');
      // What strict JUnit readers require of each suite (the Ant schema's attributes), its counts matching its cases.
      for (const suite of suites as Array<Record<string, string> & { testcase: unknown }>) {
        expect(suite).toEqual(expect.objectContaining({ tests: String([].concat(suite.testcase as never).length), failures: '0', errors: '0', skipped: '0', time: expect.stringMatching(/^\d+\.\d{3}$/), timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/), hostname: 'localhost' }));
      }
      expect(cases[0]).toEqual(expect.objectContaining({ classname: 'tests/catalog-cache.test.yaml', file: 'tests/catalog-cache.test.yaml', line: expect.stringMatching(/^\d+$/) }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs only the files named, and reports them as JSON (formatVersion 1)', async () => {
    const { code, io } = await runCli(['test', 'tests/throttling.test.yaml', '--format', 'json'], ROOT);
    expect(code).toBe(0);
    const report = JSON.parse(io.out);
    expect(report.formatVersion).toBe(1);
    expect(report.environment).toBe('local');
    expect(report.files.map((f: { file: string }) => f.file)).toEqual(['tests/throttling.test.yaml']);
    expect(report.files[0].cases[0]).toEqual({ name: 'a developer key gets devCallsPerMinute calls a minute', line: 9, column: 5, outcome: 'passed', durationMs: expect.any(Number) });
    expect(report.summary).toEqual({ passed: 5, failed: 0, unsupported: 0, total: 5, files: 1, durationMs: expect.any(Number) });
  });

  it('passes for the prod environment too: the template values make one test serve every environment', async () => {
    const { code, io } = await runCli(['test', '--env', 'prod', 'tests/zero-trust.test.yaml'], ROOT);
    expect(io.out).toContain("environment 'prod'");
    expect(code).toBe(0);
  });
});
