import * as path from 'path';
import { lintRepository } from '../../lint';
import { loadAndRender } from '../../render';
import { testFileFindings } from '../../testing/load';
import { repositoryRoot, wantsColor, writeOutputFile, type CommandOutput, type GlobalArgs } from '../command';
import type { ValidateArgs } from '../commands/validate';
import { formatFindings, meetsLevel } from '../output';

/** `dir` relative to `cwd` with forward slashes when it lies inside it, else '' (also when they are the same). */
function pathInside(cwd: string, dir: string): string {
  const relative = path.relative(cwd, dir);
  return relative.startsWith('..') || path.isAbsolute(relative) ? '' : relative.split(path.sep).join('/');
}

/** `apiops validate`: the findings of every environment (or `--env`'s) in the chosen format; exit 1 at or above `--fail-on`. */
export async function run(args: ValidateArgs & GlobalArgs, io: CommandOutput): Promise<number> {
  const root = repositoryRoot(args, io.cwd);
  const rendered = loadAndRender(root, args.env, io.env);
  io.redact(rendered.secrets);
  // Test files are part of the repository: a broken one fails validation as a broken policy does.
  const findings = [...lintRepository(rendered), ...testFileFindings(root, rendered)];
  const report = formatFindings(args.format, findings, {
    color: wantsColor(io) && !args.output,
    failOn: args.failOn,
    repositoryPath: pathInside(io.cwd, root),
  });
  if (args.output) {
    writeOutputFile(io, args.output, report);
  } else {
    io.stdout(report);
  }
  return findings.some((f) => meetsLevel(f.severity, args.failOn)) ? 1 : 0;
}
