import * as fs from 'fs';
import * as path from 'path';
import type { Severity } from '../../diagnostics';
import { UserError } from '../../diagnostics';
import { lintRepository } from '../../lint';
import { loadAndRender } from '../../render';
import { ONE_VALUE, wantsColor, type ApiopsCommand } from '../command';
import { formatFindings, meetsLevel, OUTPUT_FORMATS, type OutputFormat } from '../output';

interface ValidateArgs {
  env?: string;
  format: OutputFormat;
  output?: string;
  failOn: Severity;
}

export function repositoryRoot(args: { repo?: string }, cwd: string): string {
  return path.resolve(cwd, args.repo ?? '.');
}

/** `dir` relative to `cwd` with forward slashes when it lies inside it, else '' (also when they are the same). */
function pathInside(cwd: string, dir: string): string {
  const relative = path.relative(cwd, dir);
  return relative.startsWith('..') || path.isAbsolute(relative) ? '' : relative.split(path.sep).join('/');
}

export const validateCommand: ApiopsCommand<ValidateArgs> = {
  name: 'validate',
  describe: 'Check schemas, templates, policy XML and lint rules',
  errorExitCode: 2,
  builder: (y) =>
    y
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Environment whose template values are used (default: the first)' })
      .option('format', { choices: OUTPUT_FORMATS, ...ONE_VALUE, default: 'stylish' as OutputFormat, describe: 'Report format' })
      .option('output', { type: 'string', ...ONE_VALUE, describe: 'Write the report to this file instead of stdout' })
      .option('fail-on', { choices: ['error', 'warn'] as const, ...ONE_VALUE, default: 'error' as Severity, describe: 'Lowest severity that fails the run (exit 1)' })
      .example('$0 validate', 'Validate the repository in the current directory')
      .example('$0 validate --env prod --format sarif --output apiops.sarif', 'SARIF for GitHub code scanning'),
  run: async (args, io) => {
    const root = repositoryRoot(args, io.cwd);
    const rendered = loadAndRender(root, args.env, io.env);
    const findings = lintRepository(rendered);
    const report = formatFindings(args.format, findings, {
      color: wantsColor(io) && !args.output,
      failOn: args.failOn,
      repositoryPath: pathInside(io.cwd, root),
    });
    if (args.output) {
      const target = path.resolve(io.cwd, args.output);
      try {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, report);
      } catch (error) {
        throw new UserError(`cannot write ${target}: ${(error as Error).message}`);
      }
    } else {
      io.stdout(report);
    }
    return findings.some((f) => meetsLevel(f.severity, args.failOn)) ? 1 : 0;
  },
};
