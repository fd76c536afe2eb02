import { numberOption, ONE_VALUE, POSITIVE_INTEGER, type ApiopsCommand } from '../command';
import { TEST_REPORT_FORMATS, type TestReportFormat } from '../output/test-results';

/**
 * Test files run at once by default. Each has a gateway of its own, but all share this process's one thread: more at
 * once overlaps their waits (backend stub delays, the loopback round trips), not their work.
 */
export const DEFAULT_TEST_CONCURRENCY = 4;

export interface TestArgs {
  env?: string;
  format: TestReportFormat;
  output?: string;
  concurrency: number;
  paths?: string[];
}

/** `apiops test`: runs the behavioural tests (tests/**\/*.test.yaml) through an in-process gateway. */
export const testCommand: ApiopsCommand<TestArgs> = {
  name: 'test [paths..]',
  describe: 'Run the behavioural policy tests (tests/**/*.test.yaml) through an in-process gateway',
  errorExitCode: 2,
  exitCodes: '0 all cases pass; 1 a case failed or used what the gateway cannot run; 2 could not run.',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'Test files or folders (default: tests/ of the repository)' })
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Environment whose template values are used (default: the first)' })
      .option('format', { choices: TEST_REPORT_FORMATS, ...ONE_VALUE, default: 'stylish' as TestReportFormat, describe: 'Report format' })
      .option('output', { type: 'string', ...ONE_VALUE, describe: 'Write the report to this file (a summary line still goes to stdout)' })
      .option('concurrency', { ...numberOption('concurrency', POSITIVE_INTEGER), default: DEFAULT_TEST_CONCURRENCY, describe: 'Test files run at once (each against its own gateway state)' })
      .example('$0 test', 'Run every test of tests/ against the first environment')
      .example('$0 test --env prod --format junit --output test-results.xml', 'JUnit XML for Azure Pipelines or a GitHub test reporter'),
  load: () => import('../actions/test'),
};
