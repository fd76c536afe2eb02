/** `apiops test` reports: stylish for people, json for scripts (formatVersion 1), JUnit XML for CI test tabs. */
import { formatPos } from '../../diagnostics';
import type { CaseResult, RunResult } from '../../testing/run';
import { ANSI, painter } from './ansi';
import { plural } from './findings';
import { escapeXml } from './junit';
import { formatTrace } from './trace';

export const TEST_REPORT_FORMATS = ['stylish', 'json', 'junit'] as const;
export type TestReportFormat = (typeof TEST_REPORT_FORMATS)[number];

export function summarizeRun(run: RunResult): { passed: number; failed: number; unsupported: number; total: number; files: number } {
  const cases = run.files.flatMap((f) => f.cases);
  const count = (outcome: CaseResult['outcome']) => cases.filter((c) => c.outcome === outcome).length;
  return { passed: count('passed'), failed: count('failed'), unsupported: count('unsupported'), total: cases.length, files: run.files.length };
}

export function formatTestResults(format: TestReportFormat, run: RunResult, options: { color: boolean }): string {
  switch (format) {
    case 'stylish':
      return formatStylishResults(run, options);
    case 'json':
      return formatJsonResults(run);
    case 'junit':
      return formatJunitResults(run);
  }
}

const ms = (value: number) => Math.round(value);

/** Above the trace of a failed case's request, in the reports for people. */
const TRACE_HEADING = 'what the gateway did with the request:';

function formatStylishResults(run: RunResult, options: { color: boolean }): string {
  const paint = painter(options.color);
  const lines: string[] = [];
  for (const file of run.files) {
    lines.push(paint(ANSI.underline, file.file));
    for (const result of file.cases) {
      const mark = result.outcome === 'passed' ? paint(ANSI.green, '✓') : result.outcome === 'failed' ? paint(ANSI.red, '✗') : paint(ANSI.yellow, '!');
      lines.push(`  ${mark} ${result.name}  ${paint(ANSI.dim, `${formatPos(result.pos)}  ${ms(result.durationMs)} ms`)}`);
      if (result.failure) {
        lines.push(`      ${result.failure.message}`);
        lines.push(`      ${paint(ANSI.dim, `at ${formatPos(result.failure.pos)}`)}`);
        if (result.failure.trace) lines.push(`      ${TRACE_HEADING}`, formatTrace(result.failure.trace, { color: options.color, indent: '        ' }).trimEnd());
      }
    }
    lines.push('');
  }
  const { passed, failed, unsupported, total, files } = summarizeRun(run);
  const parts = [failed && paint(ANSI.red, `${failed} failed`), unsupported && paint(ANSI.yellow, `${unsupported} unsupported by the gateway`), paint(ANSI.green, `${passed} passed`)].filter(Boolean);
  lines.push(`${paint(ANSI.bold, 'Tests:')} ${parts.join(', ')}, ${total} total (${plural(files, 'file')}, environment '${run.environment}') in ${(run.durationMs / 1000).toFixed(2)} s`);
  return `${lines.join('\n')}\n`;
}

function formatJsonResults(run: RunResult): string {
  const document = {
    formatVersion: 1,
    environment: run.environment,
    files: run.files.map((file) => ({
      file: file.file,
      durationMs: ms(file.durationMs),
      cases: file.cases.map((result) => ({
        name: result.name,
        line: result.pos.line,
        column: result.pos.column,
        outcome: result.outcome,
        durationMs: ms(result.durationMs),
        ...(result.failure
          ? {
              failure: {
                expectation: result.failure.expectation,
                ...(result.failure.expected !== undefined ? { expected: result.failure.expected } : {}),
                ...(result.failure.actual !== undefined ? { actual: result.failure.actual } : {}),
                message: result.failure.message,
                file: result.failure.pos.file,
                line: result.failure.pos.line,
                column: result.failure.pos.column,
                ...(result.failure.request !== undefined ? { request: result.failure.request } : {}),
                ...(result.failure.trace ? { trace: result.failure.trace } : {}),
              },
            }
          : {}),
      })),
    })),
    summary: { ...summarizeRun(run), durationMs: ms(run.durationMs) },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

const seconds = (value: number) => (value / 1000).toFixed(3);

/**
 * One testsuite per file, one testcase per case (with `file` and `line`, which GitHub test reporters link to); a failed
 * expectation is a <failure type="expectation">, a construct the gateway cannot run a <failure type="unsupported">.
 */
function formatJunitResults(run: RunResult): string {
  const { total, failed, unsupported } = summarizeRun(run);
  // The Ant schema's form (local time without zone or fraction), which strict readers of JUnit XML require.
  const timestamp = run.startedAt.toISOString().slice(0, 19);
  const suites = run.files.map((file) => {
    const cases = file.cases.map((result) => {
      const attributes = `classname="${escapeXml(file.file)}" name="${escapeXml(result.name)}" file="${escapeXml(result.pos.file)}" line="${result.pos.line}" time="${seconds(result.durationMs)}"`;
      if (!result.failure) return `    <testcase ${attributes}/>`;
      const type = result.outcome === 'unsupported' ? 'unsupported' : 'expectation';
      const trace = result.failure.trace ? `\n\n${TRACE_HEADING}\n${formatTrace(result.failure.trace, { color: false, indent: '  ' })}` : '';
      const text = escapeXml(`${formatPos(result.failure.pos)}: ${result.failure.message}${trace}`);
      return `    <testcase ${attributes}>\n      <failure type="${type}" message="${escapeXml(result.failure.message)}">${text}</failure>\n    </testcase>`;
    });
    const suiteFailures = file.cases.filter((c) => c.outcome !== 'passed').length;
    return `  <testsuite name="${escapeXml(file.file)}" tests="${file.cases.length}" failures="${suiteFailures}" errors="0" skipped="0" time="${seconds(file.durationMs)}" timestamp="${timestamp}" hostname="localhost">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="apiops test" tests="${total}" failures="${failed + unsupported}" errors="0" time="${seconds(run.durationMs)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
