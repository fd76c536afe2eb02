import type { ChangeAction, Plan, PlannedChange } from './plan';
import { summarize, waitsForPrune } from './plan';
import { changeNote, fieldLine, shownFields } from './print';

/**
 * A plan as GitHub-flavoured markdown, for a pull-request comment: a heading naming the environment and target, a
 * table of counts by resource kind, each change with its fields, and policy changes as `diff` code blocks (folded
 * when long). Sensitive fields show as "(sensitive value)", as in the text form: the plan never holds their values.
 */

export interface MarkdownOptions {
  /** Where the plan was read from (the target's label). */
  target: string;
  /** Said after each delete that publish will not carry out without --prune. */
  deleteNote?: string;
}

const ACTIONS: ChangeAction[] = ['create', 'update', 'delete'];
const SYMBOL: Record<ChangeAction, string> = { create: '➕', update: '✏️', delete: '➖' };
/** Policy diffs longer than this are folded in a <details> block, so a comment with many stays readable. */
const FOLD_AFTER_LINES = 15;

/** Inline code that survives any content: a fence longer than the longest run of backticks inside. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** Text in a table cell or list item: pipes and markup characters escaped, one line. */
function escape(text: string): string {
  return text.replace(/[\\|*_<>[\]#]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function diffBlock(diff: string): string[] {
  const longest = Math.max(2, ...(diff.match(/^`+/gm) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}diff`, ...diff.replace(/\n$/, '').split('\n'), fence];
}

function changeLines(change: PlannedChange, options: MarkdownOptions): string[] {
  const note = changeNote(change, options);
  const lines = [`- ${SYMBOL[change.action]} **${change.action}** ${code(change.kind)} ${code(change.id)}${note ? ` — ${escape(note.slice(1, -1))}` : ''}`];
  for (const field of shownFields(change)) lines.push(`  - ${code(fieldLine(field, change.action))}`);
  if (!change.policyDiff) return lines;
  const block = diffBlock(change.policyDiff);
  const folded = block.length - 2 > FOLD_AFTER_LINES;
  const body = folded ? ['<details><summary>policy diff</summary>', '', ...block, '', '</details>'] : block;
  lines.push('', ...body.map((line) => (line ? `  ${line}` : line)), '');
  return lines;
}

function countsTable(p: Plan): string[] {
  const kinds = [...new Set(p.changes.map((c) => c.kind))];
  // Counted as a publish without --prune carries the plan out: deletions only --prune makes are kept.
  const count = (kind: string, action: ChangeAction) => p.changes.filter((c) => c.kind === kind && c.action === action && !waitsForPrune(c)).length;
  const summary = summarize(p, false);
  return [
    '| resource | create | update | delete |',
    '|---|---:|---:|---:|',
    ...kinds.map((kind) => `| ${kind} | ${ACTIONS.map((a) => count(kind, a) || '').join(' | ')} |`),
    `| **total** (${summary.kept ? `${summary.kept} kept without --prune, ` : ''}${summary.unchanged} unchanged) | ${summary.create} | ${summary.update} | ${summary.delete} |`,
  ];
}

export function planMarkdown(p: Plan, options: MarkdownOptions): string {
  const lines = [`### apiops diff: environment ${code(p.environment)}`, '', `Target: ${escape(options.target)}`, ''];
  if (!p.changes.length) {
    lines.push(`No changes: the live instance matches the repository (${p.unchanged} resources).`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(...countsTable(p), '');
  for (const change of p.changes) lines.push(...changeLines(change, options));
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
