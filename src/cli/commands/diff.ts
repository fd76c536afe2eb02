import { ONE_VALUE, type ApiopsCommand } from '../command';

export interface DiffArgs {
  env?: string;
  json: boolean;
  exitCode: boolean;
}

export const diffCommand: ApiopsCommand<DiffArgs> = {
  name: 'diff',
  describe: 'Show what would change on the live instance',
  errorExitCode: 1,
  builder: (y) =>
    y
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Environment to compare (default: the first in apiops.config.yaml)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the changes as JSON (formatVersion 1)' })
      .option('exit-code', { type: 'boolean', default: false, describe: 'Exit 2 when there are changes (0 when none)' })
      .example('$0 diff --env dev', 'What publish would change on the dev instance')
      .example('$0 diff --env prod --json --exit-code', 'Machine-readable drift check for a pipeline'),
  load: () => import('../actions/diff'),
};
