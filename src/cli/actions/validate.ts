import * as path from 'path';
import type { Finding } from '../../diagnostics';
import { lintRepository } from '../../lint';
import type { ChangedSince } from '../../plan/changed-since';
import type { RenderedRepository } from '../../render/desired';
import { loadAndRender } from '../../render';
import { readTextFile } from '../../repo/files';
import { CONFIG_FILE } from '../../repo/loader';
import { sharingReads } from '../../repo/sharing';
import { parseYaml } from '../../repo/yaml';
import { testFileFindings } from '../../testing/load';
import { repositoryRoot, wantsColor, writeOutputFile, type CommandIO, type CommandOutput, type GlobalArgs } from '../command';
import type { ValidateArgs } from '../commands/validate';
import { formatFindings, meetsLevel, mergeEnvironmentFindings } from '../output';

/** The planning modules --changed-since needs, loaded only when it is given (a plain validate plans nothing). */
function changedSince(): typeof import('../../plan/changed-since') {
  return require('../../plan/changed-since') as typeof import('../../plan/changed-since');
}

/** `dir` relative to `cwd` with forward slashes when it lies inside it, else '' (also when they are the same). */
function pathInside(cwd: string, dir: string): string {
  const relative = path.relative(cwd, dir);
  return relative.startsWith('..') || path.isAbsolute(relative) ? '' : relative.split(path.sep).join('/');
}

/**
 * `--changed-since`: the warnings in the files that changed and in those of what the change selects (with what it uses);
 * every error, wherever it is: a change can break a file it did not touch (a named value removed that a policy still
 * uses), and publish stops on any error in the repository.
 */
function withinChange(findings: Finding[], rendered: RenderedRepository, changed: ChangedSince, io: CommandIO): Finding[] {
  const { changeScope, describeScope } = changedSince();
  const { selectDesired } = require('../../plan/selection') as typeof import('../../plan/selection');
  const scope = changeScope(rendered, changed.files);
  io.stderr(`${describeScope(changed.ref, scope)}\n`);
  if (scope.everything) return findings;
  const files = new Set([...changed.files, ...selectDesired(rendered, scope.selection, false).desired.resources.map((resource) => resource.source.file)]);
  return findings.filter((finding) => finding.severity === 'error' || !finding.file || files.has(finding.file));
}

/** The environments the repository's configuration names (none when it cannot be read: loading reports why). */
function environmentNames(root: string): string[] {
  const read = readTextFile(root, CONFIG_FILE);
  const data = read.finding ? undefined : (parseYaml<{ environments?: unknown }>(CONFIG_FILE, read.text).document?.data as { environments?: unknown } | undefined);
  const environments = data?.environments;
  return environments && typeof environments === 'object' && !Array.isArray(environments) ? Object.keys(environments) : [];
}

/** `apiops validate`: the findings of every environment (or `--env`'s) in the chosen format; exit 1 at or above `--fail-on`. */
export async function run(args: ValidateArgs & GlobalArgs, io: CommandOutput): Promise<number> {
  const root = repositoryRoot(args, io.cwd);
  const changed = args.changedSince === undefined ? undefined : changedSince().changedSinceOf(root, args);
  const validateEach = () => {
    const first = loadAndRender(root, args.env, io.env);
    // Without --env, every environment: a template branch, a templated YAML value or a scoped file that only some
    // environment renders is checked there too.
    const others = args.env === undefined ? Object.keys(first.model.config.data.environments).filter((name) => name !== first.environment.name) : [];
    return [first, ...others.map((name) => loadAndRender(root, name, io.env))].map((rendered) => {
      io.redact(rendered.secrets);
      // Test files are part of the repository: a broken one fails validation as a broken policy does.
      return { rendered, environment: rendered.environment.name, findings: [...lintRepository(rendered), ...testFileFindings(root, rendered)] };
    });
  };
  // Sharing what the reads give costs each read a copy: it pays where the repository is read for several environments
  // (the configuration read to find them out among them).
  const perEnvironment = (args.env === undefined && sharingReads(() => (environmentNames(root).length > 1 ? validateEach() : undefined))) || validateEach();
  const all = perEnvironment.length > 1 ? mergeEnvironmentFindings(perEnvironment) : perEnvironment[0].findings;
  const findings = changed ? withinChange(all, perEnvironment[0].rendered, changed, io) : all;
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
