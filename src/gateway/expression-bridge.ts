/**
 * Policy expressions: compiled once per policy by the interpreter, evaluated per call. The interpreter's errors
 * become the gateway's: an unsupported construct → 500 naming it, invalid C# → a policy APIM would refuse, a .NET
 * exception at run time → ExpressionValueEvaluationFailure of the running policy (on-error runs).
 */
import type { SourcePos } from '../diagnostics';
import type { Call } from './call';
import { PolicyConfigurationError, PolicyFailure, UnsupportedError } from './errors';
import { compileExpression, ExpressionRuntimeError, ExpressionSyntaxError, UnsupportedExpressionError } from './expressions';

export function compileCallExpression(text: string, pos: SourcePos): (call: Call) => unknown {
  let compiled;
  try {
    compiled = compileExpression(text, pos);
  } catch (error) {
    throw translated(error);
  }
  return (call) => {
    try {
      return compiled.evaluate(call);
    } catch (error) {
      throw translated(error);
    }
  };
}

function translated(error: unknown): unknown {
  if (error instanceof UnsupportedExpressionError) return new UnsupportedError(error.construct, error.pos);
  if (error instanceof ExpressionSyntaxError) return new PolicyConfigurationError(`invalid policy expression: ${error.reason}`, error.pos);
  if (error instanceof ExpressionRuntimeError) {
    // Source is the running policy's name, filled in where the failure is caught.
    return new PolicyFailure('', 'ExpressionValueEvaluationFailure', `Expression evaluation failed. ${error.message}`);
  }
  return error;
}
