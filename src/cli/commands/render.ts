import * as path from 'path';
import { loadAndRender, writeDesiredState } from '../../render';
import type { ApiopsCommand } from '../command';
import { formatFindings, sortFindings } from '../output';
import { repositoryRoot } from './validate';

interface RenderArgs {
  env?: string;
  out: string;
}

export const renderCommand: ApiopsCommand<RenderArgs> = {
  name: 'render',
  describe: 'Write the rendered desired state (what publish would send)',
  errorExitCode: 2,
  builder: (y) =>
    y
      .option('env', { type: 'string', describe: 'Environment to render (default: the first)' })
      .option('out', { type: 'string', demandOption: true, describe: 'Output directory (created; replaced if apiops wrote it)' })
      .example('$0 render --env dev --out build/dev', 'Policies as rawxml and resources as ARM JSON bodies'),
  run: async (args, io) => {
    const rendered = loadAndRender(repositoryRoot(args, io.cwd), args.env, io.env);
    const errors = sortFindings(rendered.findings.filter((f) => f.severity === 'error'));
    if (errors.length) {
      io.stderr(formatFindings('stylish', errors, { color: io.isTTY, failOn: 'error' }));
      io.stderr('apiops render: nothing written; fix the errors above first\n');
      return 2;
    }
    const outDir = path.resolve(io.cwd, args.out);
    const written = writeDesiredState(rendered.desired, outDir);
    const shown = path.relative(io.cwd, outDir);
    const where = shown === '' ? '.' : shown.startsWith('..') || path.isAbsolute(shown) ? outDir : shown;
    io.stdout(`Rendered environment '${rendered.environment.name}': ${written.length} files in ${where}\n`);
    return 0;
  },
};
