import type { Severity } from '../../diagnostics';
import { CHANGED_SINCE, ONE_VALUE, type ApiopsCommand } from '../command';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/findings';

export interface ValidateArgs {
  env?: string;
  format: OutputFormat;
  output?: string;
  failOn: Severity;
  changedSince?: string;
}

export const validateCommand: ApiopsCommand<ValidateArgs> = {
  name: 'validate',
  describe: 'Check schemas, templates, policy XML and lint rules',
  errorExitCode: 2,
  exitCodes: '0 clean; 1 findings at or above --fail-on; 2 could not run.',
  builder: (y) =>
    y
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Check only this environment (default: every environment of apiops.config.yaml)' })
      .option('format', { choices: OUTPUT_FORMATS, ...ONE_VALUE, default: 'stylish' as OutputFormat, describe: 'Report format' })
      .option('output', { type: 'string', ...ONE_VALUE, describe: 'Write the report to this file instead of stdout' })
      .option('changed-since', { ...CHANGED_SINCE, describe: 'Warnings only for what changed since REF (commits since it, and uncommitted edits) and what that uses; errors from everywhere' })
      .option('fail-on', { choices: ['error', 'warn'] as const, ...ONE_VALUE, default: 'error' as Severity, describe: 'Lowest severity that fails the run (exit 1)' })
      .example('$0 validate', 'Validate the repository in the current directory')
      .example('$0 validate --env prod --format sarif --output apiops.sarif', 'SARIF for GitHub code scanning'),
  load: () => import('../actions/validate'),
  leavesNothingRunning: true,
};
