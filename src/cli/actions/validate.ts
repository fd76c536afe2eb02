import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../../diagnostics';
import { lintRepository } from '../../lint';
import { loadAndRender } from '../../render';
import { repositoryRoot, wantsColor, type CommandOutput, type GlobalArgs } from '../command';
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
      fs.writeFileSync(target, io.redacted(report));
    } catch (error) {
      throw new UserError(`cannot write ${target}: ${(error as Error).message}`);
    }
  } else {
    io.stdout(report);
  }
  return findings.some((f) => meetsLevel(f.severity, args.failOn)) ? 1 : 0;
}
