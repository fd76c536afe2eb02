/** Policy expressions: compiled once per policy, evaluated per call against the call's `context`. */
import type { SourcePos } from '../diagnostics';
import type { Call } from './call';
import { UnsupportedError } from './errors';

export function compileCallExpression(text: string, pos: SourcePos): (call: Call) => unknown {
  throw new UnsupportedError(`policy expression ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`, pos);
}
