import type { SourcePos } from '../../diagnostics';
import type { CompiledExpression } from './index';
import { UnsupportedExpressionError } from './errors';

/** Parses `text` and compiles it to closures. (The parser lands next; until then every expression is reported unsupported.) */
export function compile(text: string, pos: SourcePos): CompiledExpression {
  throw new UnsupportedExpressionError('policy expressions (interpreter not landed yet)', pos);
}
