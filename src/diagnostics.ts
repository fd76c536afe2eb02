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

export function formatPos(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.column}`;
}
