/**
 * Attribute values and texts of policies as the gateway runs them: named values (`{{name}}`, matched by displayName
 * in any letter case) replaced as APIM replaces them when it loads a policy, then either a literal or one policy
 * expression (`@(...)` / `@{...}`) that is evaluated per call.
 */
import type { SourcePos } from '../diagnostics';
import { isPolicyExpression, splitExpressions } from '../policy/expression';
import type { Call } from './call';
import { PolicyConfigurationError, UnsupportedError } from './errors';
import { compileCallExpression } from './expression-bridge';
import type { ResolvedNamedValue } from './repository';

export interface Value {
  /** The literal after named-value replacement; undefined for an expression. */
  readonly literal?: string;
  readonly pos: SourcePos;
  /** Named values in it that have no value offline: the statement that reads it names them on the response. */
  readonly placeholders: readonly string[];
  evaluate(call: Call): unknown;
}

const NAMED_VALUE = /\{\{([A-Za-z0-9._-]+)\}\}/g;

export class ValueCompiler {
  constructor(private readonly namedValues: ReadonlyMap<string, ResolvedNamedValue>) {}

  /** Replaces `{{name}}` references; unknown names fail as APIM refuses such a policy. */
  substitute(text: string, pos: SourcePos): { text: string; placeholders: string[] } {
    if (!text.includes('{{')) return { text, placeholders: [] };
    const placeholders: string[] = [];
    const replaced = text.replace(NAMED_VALUE, (_all, name: string) => {
      const resolved = this.namedValues.get(name.toLowerCase());
      if (!resolved) throw new PolicyConfigurationError(`named value '${name}' is not defined (named-values/ has no displayName '${name}')`, pos);
      if (resolved.placeholder) placeholders.push(resolved.name);
      return resolved.value;
    });
    return { text: replaced, placeholders };
  }

  compile(raw: string, pos: SourcePos): Value {
    let substituted: { text: string; placeholders: string[] };
    try {
      substituted = this.substitute(raw, pos);
    } catch (error) {
      return failing(error, pos, []);
    }
    const { text, placeholders } = substituted;
    if (isPolicyExpression(text)) {
      let evaluate: (call: Call) => unknown;
      try {
        evaluate = compileCallExpression(text.trim(), pos);
      } catch (error) {
        return failing(error, pos, placeholders);
      }
      return {
        pos,
        placeholders,
        evaluate: (call) => {
          const value = evaluate(call);
          call.recorder?.expression(pos, value);
          return value;
        },
      };
    }
    if (splitExpressions(text).some((segment) => segment.expression)) {
      return failing(new UnsupportedError('literal text mixed with a policy expression (APIM evaluates only a whole-value expression)', pos), pos, placeholders);
    }
    return { literal: text, pos, placeholders, evaluate: () => text };
  }
}

/** A value that could not be compiled fails when the call reaches it, not when the gateway starts. */
function failing(error: unknown, pos: SourcePos, placeholders: readonly string[]): Value {
  return {
    pos,
    placeholders,
    evaluate: () => {
      throw error;
    },
  };
}

/** The value as a string, as APIM converts an expression's result for an attribute. */
export function asString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

export function asInteger(value: unknown, what: string, pos: SourcePos): number {
  const number = typeof value === 'number' ? value : Number(asString(value).trim());
  if (!Number.isInteger(number)) throw new PolicyConfigurationError(`${what} must be an integer, got '${asString(value)}'`, pos);
  return number;
}

export function asBoolean(value: unknown, what: string, pos: SourcePos): boolean {
  if (typeof value === 'boolean') return value;
  const text = asString(value).trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new PolicyConfigurationError(`${what} must be true or false, got '${asString(value)}'`, pos);
}
