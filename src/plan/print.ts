import { displayId } from '../resources/types';
import type { FieldChange } from './compare';
import { summarize, SPECIFICATION_FIELD, waitsForPrune, type ChangeAction, type Plan, type PlannedChange, type PlanSummary } from './plan';

/** Printers for a plan: terraform-like text for people, the contract's `diff --json` shape for machines. */

/** One change as `diff --json` and `publish --json` give it: names of the changed fields, never their values. */
export interface ChangeJson {
  action: ChangeAction;
  kind: string;
  id: string;
  fields?: string[];
}

export interface DiffJson {
  formatVersion: 1;
  changes: ChangeJson[];
  summary: PlanSummary;
}

export function changeJson(change: PlannedChange): ChangeJson {
  return {
    action: change.action,
    kind: change.kind,
    id: change.id,
    ...(change.fields.length ? { fields: change.fields.map((f) => f.field) } : {}),
  };
}

/** diff's JSON: counted as a publish without --prune would carry it out. */
export function diffJson(p: Plan): DiffJson {
  return { formatVersion: 1, changes: p.changes.map(changeJson), summary: summarize(p, false) };
}

type Paint = (text: string) => string;

export interface Style {
  green: Paint;
  yellow: Paint;
  red: Paint;
  cyan: Paint;
  bold: Paint;
  dim: Paint;
}

const ansi = (code: number): Paint => (text) => `\u001b[${code}m${text}\u001b[0m`;
const plain: Paint = (text) => text;

/** ANSI colours on a terminal, plain text elsewhere (CI logs, files, pipes). */
export function styleFor(colour: boolean): Style {
  return colour
    ? { green: ansi(32), yellow: ansi(33), red: ansi(31), cyan: ansi(36), bold: ansi(1), dim: ansi(2) }
    : { green: plain, yellow: plain, red: plain, cyan: plain, bold: plain, dim: plain };
}

const SYMBOL: Record<ChangeAction, string> = { create: '+', update: '~', delete: '-' };
const MAX_VALUE_WIDTH = 100;

export function showValue(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE_WIDTH ? `${text.slice(0, MAX_VALUE_WIDTH - 1)}…` : text;
}

export function fieldLine(field: FieldChange, action: ChangeAction): string {
  if (field.sensitive) return `${field.field}: (sensitive value)`;
  if (field.field === SPECIFICATION_FIELD) return `${field.field}: re-imported (operations differ)`;
  if (action === 'create') return `${field.field}: ${showValue(field.after)}`;
  return `${field.field}: ${showValue(field.before)} → ${showValue(field.after)}`;
}

function colourFor(action: ChangeAction, style: Style): Paint {
  return action === 'create' ? style.green : action === 'update' ? style.yellow : style.red;
}

function diffLines(diff: string, style: Style): string[] {
  return diff
    .replace(/\n$/, '')
    .split('\n')
    .map((line) =>
      line.startsWith('+') ? style.green(line) : line.startsWith('-') ? style.red(line) : line.startsWith('@@') ? style.cyan(line) : line,
    );
}

export interface PrintOptions {
  style: Style;
  /** Whether deletions of what the repository dropped altogether run (publish --prune); without it (diff too) they are kept. */
  prune?: boolean;
  /** Said after each delete that only --prune carries out, when this run does not (diff, or publish without --prune). */
  deleteNote?: string;
}

export function changeNote(change: PlannedChange, options: Pick<PrintOptions, 'deleteNote' | 'prune'>): string {
  if (change.deletedWith) return `(removed with ${change.deletedWith.kind} ${displayId(change.deletedWith)})`;
  if (change.viaImport) return '(by the specification import)';
  if (change.droppedFromList) return '(dropped from its list in the repository)';
  if (waitsForPrune(change) && !options.prune && options.deleteNote) return `(${options.deleteNote})`;
  return '';
}

/** The fields a change lists: what an import creates is the specification's; a policy's text shows as its diff. */
export function shownFields(change: PlannedChange): FieldChange[] {
  const showFields = change.action === 'update' || (change.action === 'create' && !change.viaImport);
  return showFields ? change.fields.filter((f) => f.field !== 'value' || f.sensitive || !change.policyDiff) : [];
}

function printChange(change: PlannedChange, options: PrintOptions): string[] {
  const { style } = options;
  const paint = colourFor(change.action, style);
  const note = changeNote(change, options);
  const lines = [`  ${paint(`${SYMBOL[change.action]} ${change.id}`)}${note ? ` ${style.dim(note)}` : ''}`];
  lines.push(...shownFields(change).map((field) => `      ${fieldLine(field, change.action)}`));
  if (change.policyDiff) lines.push(...diffLines(change.policyDiff, style).map((l) => `      ${l}`));
  return lines;
}

export function summaryLine(summary: PlanSummary): string {
  const kept = summary.kept ? `, ${summary.kept} kept (deleted only with --prune)` : '';
  return `Plan: ${summary.create} to create, ${summary.update} to update, ${summary.delete} to delete${kept}, ${summary.unchanged} unchanged.`;
}

/** The plan as text: changes grouped by resource kind (in apply order), then the summary line. */
export function printPlan(p: Plan, options: PrintOptions): string {
  const { style } = options;
  if (!p.changes.length) {
    return `No changes. The live instance matches the repository for environment "${p.environment}" (${p.unchanged} resources).\n`;
  }
  const lines: string[] = [`Changes for environment "${p.environment}":`];
  let group = '';
  for (const change of p.changes) {
    const heading = `${change.kind}${change.action === 'delete' ? ' (deletions)' : ''}`;
    if (heading !== group) {
      lines.push('', style.bold(heading));
      group = heading;
    }
    lines.push(...printChange(change, options));
  }
  lines.push('', style.bold(summaryLine(summarize(p, options.prune ?? false))));
  return `${lines.join('\n')}\n`;
}
