import type { Finding, Severity } from '../../diagnostics';
import { groupByFile, meetsLevel, messageOf } from './findings';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/**
 * JUnit XML for Azure Pipelines (PublishTestResults): one testsuite per file with findings, one testcase per finding;
 * findings at or above the fail level are failures, the others are reported as passing cases with their text in
 * system-out. A clean run is one passing testcase, so the pipeline shows that validation ran.
 */
export function formatJunit(findings: readonly Finding[], options: { failOn: Severity }): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const [file, group] of groupByFile(findings)) {
    const cases = group.map((f) => {
      const name = escapeXml(`${f.rule} ${f.line}:${f.column}`);
      const text = escapeXml(`${f.file}:${f.line}:${f.column}: ${f.severity}: ${messageOf(f)} (${f.rule})`);
      const body = meetsLevel(f.severity, options.failOn)
        ? `<failure message="${escapeXml(messageOf(f))}" type="${f.severity}">${text}</failure>`
        : `<system-out>${text}</system-out>`;
      return `    <testcase classname="${escapeXml(file)}" name="${name}">${body}</testcase>`;
    });
    const suiteFailures = group.filter((f) => meetsLevel(f.severity, options.failOn)).length;
    tests += group.length;
    failures += suiteFailures;
    suites.push(`  <testsuite name="${escapeXml(file)}" tests="${group.length}" failures="${suiteFailures}" errors="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  if (!suites.length) {
    tests = 1;
    suites.push('  <testsuite name="apiops validate" tests="1" failures="0" errors="0">\n    <testcase classname="apiops" name="repository validates"/>\n  </testsuite>');
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="apiops validate" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}
