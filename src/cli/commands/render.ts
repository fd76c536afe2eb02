import * as path from 'path';
import { UserError } from '../../diagnostics';
import { didYouMean } from '../../suggest';
import { printEffectivePolicies } from '../../effective';
import { loadAndRender, writeDesiredState } from '../../render';
import { ONE_VALUE, wantsColor, type ApiopsCommand } from '../command';
import { formatFindings, sortFindings } from '../output';
import { repositoryRoot } from './validate';

interface RenderArgs {
  env?: string;
  out?: string;
  effective: boolean;
  api?: string[];
}

export const renderCommand: ApiopsCommand<RenderArgs> = {
  name: 'render',
  describe: 'Write the rendered desired state (what publish would send)',
  errorExitCode: 2,
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
  run: async (args, io) => {
    const rendered = loadAndRender(repositoryRoot(args, io.cwd), args.env, io.env);
    const errors = sortFindings(rendered.findings.filter((f) => f.severity === 'error'));
    if (errors.length) {
      io.stderr(formatFindings('stylish', errors, { color: wantsColor(io), failOn: 'error' }));
      io.stderr('apiops render: nothing written; fix the errors above first\n');
      return 2;
    }
    if (args.effective) {
      const known = new Set(rendered.model.apis.map((api) => api.id));
      const unknown = (args.api ?? []).filter((id) => !known.has(id));
      if (unknown.length) {
        const named = unknown.map((id) => `${id}${didYouMean(id, known)}`).join(', ');
        throw new UserError(`no API ${named} in apis/ (APIs: ${[...known].sort().join(', ') || 'none'})`);
      }
      io.stdout(printEffectivePolicies(rendered, { apis: args.api }));
      return 0;
    }
    const outDir = path.resolve(io.cwd, args.out as string);
    const written = writeDesiredState(rendered.desired, outDir);
    const shown = path.relative(io.cwd, outDir);
    const where = shown === '' ? '.' : shown.startsWith('..') || path.isAbsolute(shown) ? outDir : shown;
    io.stdout(`Rendered environment '${rendered.environment.name}': ${written.length} files in ${where}\n`);
    return 0;
  },
};
