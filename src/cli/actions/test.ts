import { formatPos, UserError } from '../../diagnostics';
import { newSigningKeys } from '../../gateway';
import { loadAndRender } from '../../render';
import { findTestFiles, loadTestFiles } from '../../testing/load';
import { runTests } from '../../testing/run';
import { repositoryRoot, wantsColor, writeOutputFile, type CommandOutput, type GlobalArgs } from '../command';
import type { TestArgs } from '../commands/test';
import { formatFindings, sortFindings } from '../output';
import { plural } from '../output/findings';
import { formatTestResults, summarizeRun } from '../output/test-results';

/**
 * `apiops test`: exit 0 when every case passes, 1 when one failed or used what the gateway cannot run, 2 when the
 * tests could not run (a bad test file, no test files, an unknown environment).
 */
export async function run(args: TestArgs & GlobalArgs, io: CommandOutput): Promise<number> {
  const root = repositoryRoot(args, io.cwd);
  // The gateway's token keys are made on the thread pool while this thread reads and renders the repository.
  const signingKeys = newSigningKeys();
  const rendered = loadAndRender(root, args.env, io.env);
  io.redact(rendered.secrets);
  const color = wantsColor(io);
  const paths = args.paths ?? [];
  const found = findTestFiles(root, io.cwd, paths);
  const loaded = loadTestFiles(root, found.files, rendered);
  const problems = sortFindings([...found.findings, ...loaded.findings]);
  if (problems.length) {
    for (const problem of problems) io.stderr(`${formatPos(problem)}: error: ${problem.message}\n`);
    io.stderr(`apiops test: ${plural(problems.length, 'problem')} in the test files; nothing was run\n`);
    return 2;
  }
  if (!loaded.files.length) throw new UserError(`no test files (*.test.yaml) ${paths.length ? `in ${paths.join(', ')}` : 'under tests/'}; see docs/testing.md`);
  const repositoryErrors = sortFindings(rendered.findings.filter((f) => f.severity === 'error'));
  if (repositoryErrors.length) {
    io.stderr(formatFindings('stylish', repositoryErrors, { color, failOn: 'error' }));
    io.stderr('apiops test: calls through the files above answer 500 until they are fixed\n');
  }
  const result = await runTests(rendered, loaded.files, { env: io.env, signingKeys, concurrency: args.concurrency });
  const summary = summarizeRun(result);
  if (args.output) {
    writeOutputFile(io, args.output, formatTestResults(args.format, result, { color: false }));
    const failed = summary.failed + summary.unsupported;
    io.stdout(`apiops test: ${summary.passed} of ${summary.total} cases passed${failed ? `, ${failed} failed` : ''}; report written to ${args.output}\n`);
  } else {
    io.stdout(formatTestResults(args.format, result, { color }));
  }
  return summary.failed + summary.unsupported > 0 ? 1 : 0;
}
