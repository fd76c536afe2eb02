import * as path from 'path';
import { lintRepository } from '../../lint';
import { loadAndRender } from '../../render';
import { sharingReads } from '../../repo/sharing';
import { testFileFindings } from '../../testing/load';
import { repositoryRoot, wantsColor, writeOutputFile, type CommandOutput, type GlobalArgs } from '../command';
import type { ValidateArgs } from '../commands/validate';
import { formatFindings, meetsLevel, mergeEnvironmentFindings } from '../output';

/** `dir` relative to `cwd` with forward slashes when it lies inside it, else '' (also when they are the same). */
function pathInside(cwd: string, dir: string): string {
  const relative = path.relative(cwd, dir);
  return relative.startsWith('..') || path.isAbsolute(relative) ? '' : relative.split(path.sep).join('/');
}

/** `apiops validate`: the findings of every environment (or `--env`'s) in the chosen format; exit 1 at or above `--fail-on`. */
export async function run(args: ValidateArgs & GlobalArgs, io: CommandOutput): Promise<number> {
  const root = repositoryRoot(args, io.cwd);
  const perEnvironment = sharingReads(() => {
    const first = loadAndRender(root, args.env, io.env);
    // Without --env, every environment: a template branch, a templated YAML value or a scoped file that only some
    // environment renders is checked there too.
    const others = args.env === undefined ? Object.keys(first.model.config.data.environments).filter((name) => name !== first.environment.name) : [];
    return [first, ...others.map((name) => loadAndRender(root, name, io.env))].map((rendered) => {
      io.redact(rendered.secrets);
      // Test files are part of the repository: a broken one fails validation as a broken policy does.
      return { environment: rendered.environment.name, findings: [...lintRepository(rendered), ...testFileFindings(root, rendered)] };
    });
  });
  const findings = perEnvironment.length > 1 ? mergeEnvironmentFindings(perEnvironment) : perEnvironment[0].findings;
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
