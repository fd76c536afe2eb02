import { UserError } from '../../diagnostics';
import { ONE_VALUE, type ApiopsCommand } from '../command';

export interface RenderArgs {
  env?: string;
  out?: string;
  effective: boolean;
  api?: string[];
}

export const renderCommand: ApiopsCommand<RenderArgs> = {
  name: 'render',
  describe: 'Write the rendered desired state (what publish would send)',
  errorExitCode: 2,
  exitCodes: '0 written; 2 could not run.',
  builder: (y) =>
    y
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Environment to render (default: the first)' })
      .option('out', { type: 'string', ...ONE_VALUE, describe: 'Output directory (created; replaced if apiops wrote it)' })
      .option('effective', {
        type: 'boolean',
        default: false,
        describe: 'Print the effective policy of every API (per product and operation) instead of writing files',
      })
      .option('api', { type: 'string', array: true, describe: 'With --effective: only these APIs' })
      .check((args) => {
        if (!args.effective && !args.out) throw new UserError('render needs --out DIR (or --effective to print effective policies)');
        if (!args.effective && args.api?.length) throw new UserError('--api selects what --effective prints; render --out always writes every API');
        return true;
      })
      .example('$0 render --env dev --out build/dev', 'Policies as rawxml and resources as ARM JSON bodies')
      .example('$0 render --effective --api media-orders', 'global → product → API → operation, <base /> and fragments expanded'),
  load: () => import('../actions/render'),
};
