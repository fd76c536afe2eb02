import { DEFAULT_CONCURRENCY } from '../../azure/concurrency';
import { CHANGED_SINCE, numberOption, ONE_VALUE, POSITIVE_INTEGER, type ApiopsCommand } from '../command';

export interface PublishArgs {
  env?: string;
  dryRun: boolean;
  prune: boolean;
  concurrency: number;
  json: boolean;
  plan?: string;
  api?: string[];
  product?: string[];
  changedSince?: string;
}

export const publishCommand: ApiopsCommand<PublishArgs> = {
  name: 'publish',
  describe: 'Apply the repository to the live instance',
  errorExitCode: 1,
  exitCodes: '0 everything applied (or nothing to do); 1 an error, a failed or skipped change, or a refused plan.',
  builder: (y) =>
    y
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Environment to publish (default: the first in apiops.config.yaml)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan and write nothing' })
      .option('prune', { type: 'boolean', default: false, describe: 'Also delete what the repository no longer has' })
      .option('concurrency', { ...numberOption('concurrency', POSITIVE_INTEGER), default: DEFAULT_CONCURRENCY, describe: 'Most requests in flight at once' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the outcome as JSON (changes, summary, requests)' })
      .option('plan', { type: 'string', ...ONE_VALUE, describe: 'Apply exactly this saved plan (`apiops diff --out FILE`); refused when the repository or instance changed since' })
      .option('api', { type: 'string', array: true, describe: 'Only these APIs (ids), and what their policies use; nothing else is written or deleted' })
      .option('product', { type: 'string', array: true, describe: 'Only these products (ids), and what their policies use; nothing else is written or deleted' })
      .option('changed-since', CHANGED_SINCE)
      .example('$0 publish --env local', 'Publish the repository into the embedded emulator')
      .example('$0 publish --env prod --api media-orders', 'Ship one API: its changes and those of what it uses, nothing else')
      .example('$0 publish --env prod --dry-run', 'Show what would be written to prod')
      .example('$0 publish --env dev --changed-since v1.4.0', 'Ship what changed since the tag v1.4.0: read and write only that')
      .example('$0 publish --plan plan.json', 'Apply the plan reviewed on the pull request'),
  load: () => import('../actions/publish'),
};
