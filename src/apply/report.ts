import type { RequestCounts } from '../azure/client';
import { summarize, type Plan, type PlannedChange, type PlanSummary } from '../plan/plan';
import { changeJson, type ChangeJson, type Style } from '../plan/print';
import type { ApplyResult, ChangeOutcome, Outcome } from './apply';

/** What publish reports: the outcome of every change, as text and as the contract's `publish --json`. */

export interface PublishJson {
  formatVersion: 1;
  dryRun: boolean;
  /** The plan, as `diff --json` lists it (with --dry-run, what publish would do). */
  changes: ChangeJson[];
  /** The changes publish carried out. */
  applied: ChangeJson[];
  failed: Array<ChangeJson & { reason: string; conflict?: boolean }>;
  skipped: Array<ChangeJson & { reason: string }>;
  /** Deletions listed but not done (publish without --prune). */
  notPruned: ChangeJson[];
  summary: PlanSummary;
  requests: RequestCounts;
}

function withOutcome(outcomes: ChangeOutcome[], outcome: Outcome): ChangeOutcome[] {
  return outcomes.filter((o) => o.outcome === outcome);
}

export function publishJson(plan: Plan, result: ApplyResult | undefined, requests: RequestCounts, options: { dryRun: boolean; prune: boolean }): PublishJson {
  const outcomes = result?.outcomes ?? [];
  return {
    formatVersion: 1,
    dryRun: options.dryRun,
    changes: plan.changes.map(changeJson),
    applied: withOutcome(outcomes, 'applied').map((o) => changeJson(o.change)),
    failed: withOutcome(outcomes, 'failed').map((o) => ({
      ...changeJson(o.change),
      reason: o.reason ?? '',
      ...(o.conflict ? { conflict: true } : {}),
    })),
    skipped: withOutcome(outcomes, 'skipped').map((o) => ({ ...changeJson(o.change), reason: o.reason ?? '' })),
    notPruned: withOutcome(outcomes, 'not-pruned').map((o) => changeJson(o.change)),
    summary: summarize(plan, options.prune),
    requests: { ...requests },
  };
}

const PAST: Record<PlannedChange['action'], string> = { create: 'created', update: 'updated', delete: 'deleted' };

/**
 * One line per settled change, for CI logs (and the last line of a terminal's progress display, where a failure's
 * line stays). Printed as each change settles, so the final summary only counts.
 */
export function outcomeLine(outcome: ChangeOutcome, style: Style): string {
  const { change } = outcome;
  const what = `${change.kind} ${change.id}`;
  switch (outcome.outcome) {
    case 'applied':
      return `${style.green(PAST[change.action])} ${what}${outcome.note ? ` (${outcome.note})` : ''}`;
    case 'failed':
      // The service's complaint (e.g. "Error in element 'set-backend-service' on line 4") is about a repository file.
      return `${style.red('failed')} to ${change.action} ${what}${change.source ? ` (${change.source.file})` : ''}: ${outcome.reason}`;
    case 'skipped':
      return `${style.yellow('skipped')} ${change.action} ${what}: ${outcome.reason}`;
    case 'not-pruned':
      return `${style.dim('kept')} ${what} (deleted only with --prune)`;
  }
}

export function resultSummary(result: ApplyResult, style: Style): string {
  const count = (outcome: Outcome) => withOutcome(result.outcomes, outcome).length;
  const parts = [`${count('applied')} applied`, `${count('failed')} failed`, `${count('skipped')} skipped`];
  const kept = count('not-pruned');
  const lines = [style.bold(`Publish ${result.ok ? 'complete' : 'incomplete'}: ${parts.join(', ')}.`)];
  if (kept) lines.push(`${kept} deletion${kept === 1 ? '' : 's'} not done: run with --prune to delete what the repository no longer has.`);
  const interrupted = result.outcomes.filter((o) => o.interrupted).length;
  if (interrupted) lines.push(`Interrupted: ${interrupted} change${interrupted === 1 ? ' was' : 's were'} not carried out.`);
  if (result.outcomes.some((o) => o.conflict)) {
    // That nothing was overwritten holds only if every write could have been refused the way the conflicts were.
    const unguarded = result.outcomes.filter((o) => o.unguarded && o.outcome !== 'skipped');
    if (!unguarded.length) {
      lines.push('Some resources changed on the instance after planning; nothing of theirs was overwritten. Re-run publish to re-plan.');
    } else {
      const listed = unguarded.map((o) => `${o.change.action} ${o.change.kind} ${o.change.id}`).join(', ');
      lines.push(
        `Some resources changed on the instance after planning and were left as they are, but ${unguarded.length} write${unguarded.length === 1 ? '' : 's'} went without a precondition this service is known to honour (${listed}): a change made to ${unguarded.length === 1 ? 'it' : 'them'} meanwhile may have been replaced. Re-run publish to re-plan.`,
      );
    }
  } else if (!result.ok) {
    const what = count('failed') ? 'retry what failed' : 'finish';
    lines.push(`Re-run publish to ${what}; it plans again and writes only what still differs.`);
  }
  return `${lines.join('\n')}\n`;
}
