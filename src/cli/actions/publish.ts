import { applyPlan, type ApplyResult, type ChangeOutcome } from '../../apply/apply';
import { outcomeLine, publishJson, resultSummary } from '../../apply/report';
import { lintRepository } from '../../lint';
import { printPlan, styleFor } from '../../plan/print';
import { UserError } from '../../diagnostics';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '../../plan/plan';
import { instanceChangedSince, repositoryChangedSince, savedPlanProblem, type SavedPlan } from '../../plan/saved';
import type { RenderedRepository } from '../../render/desired';
import type { OpenTarget } from '../../azure/target';
import { repositoryRoot, requireEnvironmentInCi, wantsColor, type CommandIO, type CommandOutput, type GlobalArgs } from '../command';
import type { PublishArgs } from '../commands/publish';
import { planWithProgress, reportBlockingFindings, selectionOf, withTarget } from './diff';
import { selectDesired, type SelectedState } from '../../plan/selection';
import { changedSinceOf } from '../../plan/changed-since';

/**
 * Progress while applying: on a terminal one line rewritten in place; elsewhere (CI logs) one plain line per
 * settled change. With --json stdout carries only the JSON, so progress goes to stderr.
 */
function progressReporter(io: CommandIO, json: boolean): (outcome: ChangeOutcome, settled: number, total: number) => void {
  const write = json ? io.stderr : io.stdout;
  const style = styleFor(wantsColor(io) && !json);
  if (io.isTTY && !json) {
    return (outcome, settled, total) => {
      const line = `[${settled}/${total}] ${outcomeLine(outcome, style)}`;
      write(outcome.outcome === 'failed' ? `\r\u001b[K${line}\n` : `\r\u001b[K${line}${settled === total ? '\n' : ''}`);
    };
  }
  // Changes an interrupt kept from starting are counted in the summary, not listed one by one.
  return (outcome) => {
    if (!outcome.interrupted) write(`${outcomeLine(outcome, style)}\n`);
  };
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Runs `apply` with Ctrl-C (or a pipeline's cancellation, SIGTERM) turned into a stop: the changes in flight finish,
 * nothing new starts, and the report says what was written. A second signal quits at once.
 */
async function stoppable<T>(io: CommandIO, apply: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    stop.abort();
    io.stderr(`\napiops publish: ${signal} received, stopping: the requests in flight finish, nothing new starts (again to quit at once).\n`);
  };
  STOP_SIGNALS.forEach((signal) => process.on(signal, onSignal));
  try {
    return await apply(stop.signal);
  } finally {
    STOP_SIGNALS.forEach((signal) => process.off(signal, onSignal));
  }
}

function readSavedPlan(file: string, cwd: string): SavedPlan {
  const absolute = path.resolve(cwd, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(absolute, 'utf8'));
  } catch (error) {
    throw new UserError(`cannot read the plan ${file}: ${(error as Error).message}`);
  }
  const problem = savedPlanProblem(parsed);
  if (problem) throw new UserError(`${file}: ${problem}`);
  return parsed as SavedPlan;
}

/** Resources a refusal lists; the rest are counted (a plan already applied differs on every resource it changes). */
const REFUSAL_LIST_LIMIT = 20;

function refusal(file: string, what: string, names: string[]): UserError {
  const listed = names.slice(0, REFUSAL_LIST_LIMIT).map((name) => `  ${name}`);
  if (names.length > REFUSAL_LIST_LIMIT) listed.push(`  … and ${names.length - REFUSAL_LIST_LIMIT} more`);
  const shown = listed.join('\n');
  return new UserError(`${file}: refused, the ${what} changed since the plan was made:\n${shown}\nRun \`apiops diff --out ${file}\` again and review the new plan.`);
}

/**
 * The saved plan, once the repository and the instance are checked to be as they were when it was made: the repository
 * by its content hashes (before reading the instance), the instance by planning again and comparing, ETags included.
 * Apply then writes with If-Match on the plan's ETags, so a change made after this check still fails rather than being overwritten.
 */
async function checkedSavedPlan(saved: SavedPlan, file: string, rendered: RenderedRepository, target: OpenTarget, io: CommandIO, selected: SelectedState | undefined): Promise<Plan> {
  if (saved.target !== target.label) {
    throw new UserError(`${file}: refused, the plan was made for ${saved.target}, environment "${saved.environment}" now targets ${target.label}`);
  }
  const repositoryChanges = repositoryChangedSince(saved, selected?.desired ?? rendered.desired);
  if (repositoryChanges.length) throw refusal(file, 'repository', repositoryChanges);
  const instanceChanges = instanceChangedSince(saved.plan, await planWithProgress(target, rendered, io, selected));
  if (instanceChanges.length) throw refusal(file, 'instance', instanceChanges);
  return saved.plan;
}

/** `apiops publish`: plans against the live instance and applies the plan (nothing with `--dry-run`). */
export async function run(args: PublishArgs & GlobalArgs, io: CommandOutput): Promise<number> {
  const saved = args.plan ? readSavedPlan(args.plan, io.cwd) : undefined;
  // A saved plan names its environment.
  if (!saved) requireEnvironmentInCi(args.env, io, 'publish');
  if (saved && args.env && args.env !== saved.environment) {
    throw new UserError(`${args.plan}: the plan is for environment "${saved.environment}", not "${args.env}"`);
  }
  if (saved && (args.api?.length || args.product?.length || args.changedSince !== undefined)) {
    throw new UserError(`--api, --product and --changed-since cannot be combined with --plan: the saved plan applies the selection it was made with`);
  }
  const changed = changedSinceOf(repositoryRoot(args, io.cwd), args);
  const style = styleFor(wantsColor(io) && !args.json);
  const exitCode = await withTarget(
    { ...args, env: saved?.environment ?? args.env },
    io,
    { concurrency: args.concurrency },
    async (rendered, target) => {
      // A saved plan is checked by planning again as diff planned it (diff does not prune).
      const selected = saved?.selection ? selectDesired(rendered, saved.selection, false) : selectionOf(rendered, args, io, changed, args.prune);
      const plan = saved ? await checkedSavedPlan(saved, args.plan!, rendered, target, io, selected) : await planWithProgress(target, rendered, io, selected);
      const deleteNote = args.prune ? undefined : 'not deleted without --prune';
      if (!args.json) io.stdout(printPlan(plan, { style, prune: args.prune, deleteNote }));
      let result: ApplyResult | undefined;
      if (args.dryRun) {
        if (!args.json) io.stdout('Dry run: nothing was written.\n');
      } else if (plan.changes.length) {
        result = await stoppable(io, (signal) =>
          applyPlan(target.connection, plan, selected?.desired ?? rendered.desired, {
            prune: args.prune,
            onSettled: progressReporter(io, args.json),
            signal,
          }),
        );
        if (!args.json) io.stdout(resultSummary(result, style));
      }
      if (args.json) {
        const report = publishJson(plan, result, target.connection.requests, { dryRun: args.dryRun, prune: args.prune });
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      }
      return result && !result.ok ? 1 : 0;
    },
    (rendered) => !reportBlockingFindings(lintRepository(rendered), io, 'publish'),
  );
  return exitCode ?? 1;
}
