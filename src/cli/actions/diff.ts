import type { Finding } from '../../diagnostics';
import { openTarget, readFailure, type OpenTarget } from '../../azure/target';
import { planAgainstLive } from '../../plan/live';
import { diffJson, printPlan, styleFor } from '../../plan/print';
import type { Plan } from '../../plan/plan';
import { planMarkdown } from '../../plan/markdown';
import { resolveSelection, selectDesired, type SelectedState } from '../../plan/selection';
import { changedSinceOf, changeScope, describeScope, type ChangedSince } from '../../plan/changed-since';
import { savedPlan } from '../../plan/saved';
import { packageInfo } from '../../package-root';
import { lintRepository } from '../../lint';
import { loadAndRender } from '../../render';
import type { RenderedRepository } from '../../render/desired';
import { repositoryRoot, requireEnvironmentInCi, wantsColor, writeOutputFile, type CommandIO, type CommandOutput, type GlobalArgs } from '../command';
import type { DiffArgs } from '../commands/diff';
import { formatFindings } from '../output';

/** Prints error findings (stylish, to stderr) and says whether there were any: a repository with errors is not compared or published. */
export function reportBlockingFindings(findings: Finding[], io: CommandIO, what: string): boolean {
  const errors = findings.filter((f) => f.severity === 'error');
  if (!errors.length) return false;
  io.stderr(formatFindings('stylish', errors, { color: wantsColor(io), failOn: 'error' }));
  io.stderr(`apiops ${what}: stopped, the repository has ${errors.length} error${errors.length === 1 ? '' : 's'} (see \`apiops validate\`).\n`);
  return true;
}

const PROGRESS_INTERVAL_MS = 200;

/**
 * Planning reads the live instance, which on Azure takes a while: on a terminal a line counting the requests is
 * rewritten in place (on stderr, so stdout stays the plan or the JSON); in CI one line before and one after; both end
 * with the number of requests it took.
 */
export async function planWithProgress(target: OpenTarget, rendered: RenderedRepository, io: CommandIO, selected?: SelectedState): Promise<Plan> {
  const { requests } = target.connection;
  const status = () => `Reading ${target.label}: ${requests.total} requests`;
  if (!io.isTTY) io.stderr(`Reading ${target.label}…\n`);
  const timer = io.isTTY ? setInterval(() => io.stderr(`\r\u001b[K${status()}`), PROGRESS_INTERVAL_MS) : undefined;
  let plan: Plan;
  try {
    plan = await planAgainstLive(target.connection, selected?.desired ?? rendered.desired, selected);
  } catch (error) {
    throw readFailure(error, target);
  } finally {
    clearInterval(timer);
    // Clear the line rewritten in place, so that what follows (the request count, or the error) starts on a clean line.
    if (io.isTTY) io.stderr('\r\u001b[K');
  }
  // The request count stays, on a terminal too; only a read that finished reports one (a failure is the error alone).
  io.stderr(`Read ${target.label} in ${requests.total} requests.\n`);
  return plan;
}

/** Loads and renders the repository for `--env`, opens the environment's target, and runs `work` with both. */
export async function withTarget<T>(
  args: GlobalArgs & { env?: string },
  io: CommandOutput,
  connectOptions: { concurrency?: number },
  work: (rendered: RenderedRepository, target: OpenTarget) => Promise<T>,
  check: (rendered: RenderedRepository) => boolean,
): Promise<T | undefined> {
  const root = repositoryRoot(args, io.cwd);
  const rendered = loadAndRender(root, args.env, io.env);
  io.redact(rendered.secrets);
  if (!check(rendered)) return undefined;
  const target = await openTarget(rendered.environment, root, connectOptions);
  try {
    return await work(rendered, target);
  } finally {
    await target.close();
  }
}

/**
 * diff validates as publish does, and says so, but only a repository it cannot plan (a schema, template or XML error)
 * stops it: with policy rule errors alone (an extracted instance without caller authentication) the plan is still what
 * publish would apply once they are fixed, and worth reviewing.
 */
function reportLintErrors(rendered: RenderedRepository, io: CommandIO): true {
  const errors = lintRepository(rendered).filter((finding) => finding.severity === 'error');
  if (errors.length) {
    io.stderr(formatFindings('stylish', errors, { color: wantsColor(io), failOn: 'error' }));
    io.stderr(`apiops diff: publish would stop on ${errors.length === 1 ? 'this error' : `these ${errors.length} errors`} (see \`apiops validate\`); the plan is what it applies once they are fixed.\n`);
  }
  return true;
}

const DIFF_DELETE_NOTE = 'publish deletes it only with --prune';

/**
 * `--api` / `--product`, or `--changed-since` (plan/changed-since.ts, said on stderr): the selected part of the
 * repository (see plan/selection.ts); undefined for all of it.
 */
export function selectionOf(rendered: RenderedRepository, args: { api?: string[]; product?: string[] }, io: CommandIO, changed?: ChangedSince, prune = false): SelectedState | undefined {
  if (changed) {
    const scope = changeScope(rendered, changed.files);
    io.stderr(`${describeScope(changed.ref, scope)}\n`);
    return scope.everything ? undefined : selectDesired(rendered, scope.selection, prune);
  }
  if (!args.api?.length && !args.product?.length) return undefined;
  return selectDesired(rendered, resolveSelection(rendered, args.api, args.product), prune);
}

/** `apiops diff`: the plan against the live instance, as text, JSON or markdown, and saved with `--out`. */
export async function run(args: DiffArgs & GlobalArgs, io: CommandOutput): Promise<number> {
  requireEnvironmentInCi(args.env, io, 'diff');
  const format = args.json ? 'json' : args.format;
  const changed = changedSinceOf(repositoryRoot(args, io.cwd), args);
  const result = await withTarget(
    args,
    io,
    {},
    async (rendered, target) => {
      const selected = selectionOf(rendered, args, io, changed);
      return { plan: await planWithProgress(target, rendered, io, selected), desired: selected?.desired ?? rendered.desired, selection: selected?.selection, target: target.label };
    },
    (rendered) => !reportBlockingFindings(rendered.findings, io, 'diff') && reportLintErrors(rendered, io),
  );
  if (!result) return 1;
  const { plan, target } = result;
  if (args.out) {
    const file = writeOutputFile(io, args.out, `${JSON.stringify(savedPlan(plan, result.desired, target, packageInfo().version, result.selection), null, 2)}\n`);
    io.stderr(`Plan saved to ${file}: \`apiops publish --plan ${args.out}\` applies exactly these changes.\n`);
  }
  if (format === 'json') io.stdout(`${JSON.stringify(diffJson(plan), null, 2)}\n`);
  else if (format === 'markdown') io.stdout(planMarkdown(plan, { target, deleteNote: DIFF_DELETE_NOTE }));
  else io.stdout(printPlan(plan, { style: styleFor(wantsColor(io)), prune: false, deleteNote: DIFF_DELETE_NOTE }));
  return args.exitCode && plan.changes.length ? 2 : 0;
}
