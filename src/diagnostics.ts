/** Positions, findings and user-facing errors shared by every stage. */

export type Severity = 'error' | 'warn';

/** A place in a user's file. `file` is relative to the repository root, `line` and `column` are 1-based. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

/** One lint/validation result, in the contract's `validate --format json` shape. */
export interface Finding extends SourcePos {
  rule: string;
  severity: Severity;
  message: string;
  /** `validate` across environments: the environments it holds in, when not every one (absent: all, or the one checked). */
  environments?: string[];
}

/**
 * An error caused by the user's input or environment, printed without a stack trace (unless --debug).
 * `pos` names the offending place when there is one.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly pos?: SourcePos,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * A position worked out only when something reads its line or column, which is when there is a finding to report:
 * finding it can take a second parse of the file (a JSON file's positions come from parsing it again as YAML).
 */
export function lazyPos(file: string, find: () => { line: number; column: number }): SourcePos {
  let found: { line: number; column: number } | undefined;
  const at = () => (found ??= find());
  return Object.defineProperties({ file } as SourcePos, {
    line: { get: () => at().line, enumerable: true },
    column: { get: () => at().column, enumerable: true },
  });
}

export function formatPos(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.column}`;
}

/** Report order of findings: by file, line, column, then rule and message (stable across runs). */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
