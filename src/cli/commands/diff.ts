import { CHANGED_SINCE, ONE_VALUE, type ApiopsCommand } from '../command';

export interface DiffArgs {
  env?: string;
  json: boolean;
  format: DiffFormat;
  out?: string;
  exitCode: boolean;
  api?: string[];
  product?: string[];
  changedSince?: string;
}

export const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export const diffCommand: ApiopsCommand<DiffArgs> = {
  name: 'diff',
  describe: 'Show what would change on the live instance',
  errorExitCode: 1,
  exitCodes: '0 compared (no changes, or changes without --exit-code); 2 changes with --exit-code; 1 error (invalid repository, instance unreachable).',
  builder: (y) =>
    y
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Environment to compare (default: the first in apiops.config.yaml)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the changes as JSON (formatVersion 1); the same as --format json' })
      .option('format', { choices: DIFF_FORMATS, ...ONE_VALUE, default: 'text' as DiffFormat, describe: 'text, json, or markdown (a pull-request comment)' })
      .option('out', { type: 'string', ...ONE_VALUE, describe: 'Also save the plan to this file, for `apiops publish --plan FILE`' })
      .option('exit-code', { type: 'boolean', default: false, describe: 'Exit 2 when there are changes (0 when none)' })
      .option('api', { type: 'string', array: true, describe: 'Only these APIs (ids), and what their policies use' })
      .option('product', { type: 'string', array: true, describe: 'Only these products (ids), and what their policies use' })
      .option('changed-since', CHANGED_SINCE)
      .example('$0 diff --env dev', 'What publish would change on the dev instance')
      .example('$0 diff --env prod --json --exit-code', 'Machine-readable drift check for a pipeline')
      .example('$0 diff --env prod --api media-orders', 'One API (and the named values, backends and fragments it uses)')
      .example('$0 diff --env prod --changed-since origin/main', 'What this branch changed (and what that uses), against prod')
      .example('$0 diff --env prod --format markdown --out plan.json', 'A pull-request comment, and the plan to publish after review'),
  load: () => import('../actions/diff'),
};
