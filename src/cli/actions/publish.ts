import { applyPlan, type ApplyResult, type ChangeOutcome } from '../../apply/apply';
import { outcomeLine, publishJson, resultSummary } from '../../apply/report';
import { lintRepository } from '../../lint';
import { printPlan, styleFor } from '../../plan/print';
import { UserError } from '../../diagnostics';
import { wantsColor, type CommandIO, type CommandOutput, type GlobalArgs } from '../command';
import type { PublishArgs } from '../commands/publish';
import { planWithProgress, reportBlockingFindings, withTarget } from './diff';

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

/** `apiops publish`: plans against the live instance and applies the plan (nothing with `--dry-run`). */
export async function run(args: PublishArgs & GlobalArgs, io: CommandOutput): Promise<number> {
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1) {
    throw new UserError(`--concurrency must be a positive whole number, got ${args.concurrency}`);
  }
  const style = styleFor(wantsColor(io) && !args.json);
  const exitCode = await withTarget(
    args,
    io,
    { concurrency: args.concurrency },
    async (rendered, target) => {
      const plan = await planWithProgress(target, rendered, io);
      const deleteNote = args.prune ? undefined : 'not deleted without --prune';
      if (!args.json) io.stdout(printPlan(plan, { style, deleteNote }));
      let result: ApplyResult | undefined;
      if (args.dryRun) {
        if (!args.json) io.stdout('Dry run: nothing was written.\n');
      } else if (plan.changes.length) {
        result = await stoppable(io, (signal) =>
          applyPlan(target.connection, plan, rendered.desired, {
            prune: args.prune,
            onSettled: progressReporter(io, args.json),
            signal,
          }),
        );
        if (!args.json) io.stdout(resultSummary(result, style));
      }
      if (args.json) {
        const report = publishJson(plan, result, target.connection.requests, args.dryRun);
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      }
      return result && !result.ok ? 1 : 0;
    },
    (rendered) => !reportBlockingFindings(lintRepository(rendered), io, 'publish'),
  );
  return exitCode ?? 1;
}
