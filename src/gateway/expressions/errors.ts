import { formatPos, type SourcePos } from '../../diagnostics';

/**
 * A construct the interpreter cannot execute (a C# feature, type or member outside its subset). APIM would run
 * it, so the emulator must not guess: the gateway answers HTTP 500 with `x-apiops-unsupported: <construct>` and
 * names `pos`. Thrown by `compileExpression` for what is visible in the text, and by `evaluate` for an instance
 * member only known once the receiver's type is (e.g. a method of a value taken from a JObject).
 */
export class UnsupportedExpressionError extends Error {
  constructor(
    /** What is not supported, e.g. "LINQ query syntax", "method System.Xml.Linq.XElement.Parse". */
    readonly construct: string,
    readonly pos: SourcePos,
  ) {
    super(`${formatPos(pos)}: policy expression uses ${construct}, which the gateway emulator does not support`);
    this.name = 'UnsupportedExpressionError';
  }
}

/** Text that is not valid C# (APIM refuses to save such a policy). */
export class ExpressionSyntaxError extends Error {
  constructor(
    /** The problem, without the position. */
    readonly reason: string,
    readonly pos: SourcePos,
  ) {
    super(`${formatPos(pos)}: invalid policy expression: ${reason}`);
    this.name = 'ExpressionSyntaxError';
  }
}

/**
 * A .NET exception raised while an expression ran. APIM turns it into an error of the running policy:
 * context.LastError gets Source = the policy's element name (e.g. "set-variable"), Reason
 * "ExpressionValueEvaluationFailure", Message "Expression evaluation failed. " + `message`, then on-error runs
 * (unhandled → 500). `exceptionType` is the .NET name without namespace (NullReferenceException,
 * KeyNotFoundException, FormatException, InvalidCastException, JsonReaderException, ArgumentException, …);
 * `message` is the text .NET would give.
 */
export class ExpressionRuntimeError extends Error {
  constructor(
    readonly exceptionType: string,
    message: string,
    /** Where in the policy the failing operation is. */
    readonly pos: SourcePos,
  ) {
    super(message);
    this.name = 'ExpressionRuntimeError';
  }
}
