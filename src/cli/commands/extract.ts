import { DEFAULT_CONCURRENCY } from '../../azure/concurrency';
import { numberOption, ONE_VALUE, POSITIVE_INTEGER, type ApiopsCommand } from '../command';

export interface ExtractArgs {
  env?: string;
  out?: string;
  api?: string[];
  product?: string[];
  concurrency: number;
}

export const extractCommand: ApiopsCommand<ExtractArgs> = {
  name: 'extract',
  describe: 'Write an existing instance into the repository format',
  errorExitCode: 1,
  exitCodes: '0 written; 1 error (nothing written).',
  builder: (y) =>
    y
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Environment whose target is read (default: the first)' })
      .option('out', { type: 'string', ...ONE_VALUE, describe: 'Repository to write (default: the repository itself)' })
      .option('api', { type: 'string', array: true, describe: 'Extract only these APIs (ids)' })
      .option('product', { type: 'string', array: true, describe: 'Extract only these products (ids), with the APIs they hold' })
      .option('concurrency', { ...numberOption('concurrency', POSITIVE_INTEGER), default: DEFAULT_CONCURRENCY, describe: 'Requests in flight at once' })
      .example('$0 extract --env dev', 'Update the repository from the dev instance')
      .example('$0 extract --env dev --out ../adopted --api orders', 'One API (and what its policies use) into another folder'),
  load: () => import('../actions/extract'),
};
