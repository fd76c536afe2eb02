/**
 * The policy-expression interpreter of the gateway emulator: the C# subset APIM policies use in `@(...)` and
 * `@{...}`, compiled once to closures and evaluated against a `GatewayCallState`.
 *
 * Value model (what `evaluate` returns and what `state.variables` holds):
 * - string and char → JS string; bool → boolean; null → null;
 * - int / long (and the other integral types) → JS number holding an integer;
 * - double / float / decimal → `CsDouble` (kept apart from integers so `5 / 2` is 2 and `5.0 / 2` is 2.5);
 * - byte[] → Uint8Array; arrays and List<T> → JS arrays; Dictionary → Map;
 * - DateTime, DateTimeOffset, TimeSpan, Guid, JObject/JArray/JValue/JProperty, Jwt and the rest → interpreter
 *   classes. `toPolicyString` turns any of them into the text APIM would use (C# ToString semantics).
 */
import type { SourcePos } from '../../diagnostics';
import type { GatewayCallState, ResponseState } from './context';
import { compile } from './compiler';
import { decodeJwt } from './runtime/jwt';
import { responseView } from './runtime/context-model';
import { csString } from './runtime/core';

export type { GatewayCallState, RequestState, ResponseState, MessageBody, UrlState, SubscriptionInfo, ProductInfo } from './context';
export type { ApiInfo, OperationInfo, UserInfo, DeploymentInfo, LastErrorInfo } from './context';
export { NameValues } from './context';
export { UnsupportedExpressionError, ExpressionSyntaxError, ExpressionRuntimeError } from './errors';
export { CsDouble } from './runtime/values';

export interface CompiledExpression {
  /** The expression as written, `@(...)` or `@{...}`. */
  readonly text: string;
  /** Where its `@` is. */
  readonly pos: SourcePos;
  /**
   * Runs the expression against the call. Throws `ExpressionRuntimeError` for a .NET exception and
   * `UnsupportedExpressionError` for a member the interpreter lacks on a receiver only known at run time.
   */
  evaluate(state: GatewayCallState): unknown;
}

/**
 * Parses and compiles `text` (the whole `@(...)` or `@{...}`, XML-decoded) whose `@` is at `pos`. Throws
 * `ExpressionSyntaxError` for invalid C# and `UnsupportedExpressionError` for a construct outside the subset,
 * each with the position of the offending token. Compile once and reuse: evaluation allocates little.
 */
export function compileExpression(text: string, pos: SourcePos): CompiledExpression {
  return compile(text, pos);
}

/** The text APIM uses where a policy attribute or element text holds an expression (C# `ToString()`; null → ""). */
export function toPolicyString(value: unknown): string {
  return value === null || value === undefined ? '' : csString(value);
}

/** The `Jwt` value validate-jwt stores under `output-token-variable-name` (null when `token` is not a JWT). */
export function jwtValue(token: string): unknown {
  return decodeJwt(token);
}

/** The `IResponse` value send-request stores under `response-variable-name`. */
export function responseValue(response: ResponseState): unknown {
  return responseView(response);
}
