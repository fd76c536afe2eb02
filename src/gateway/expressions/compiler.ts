/**
 * Compiles a parsed policy expression to JS closures. Names are resolved once: locals become slots in one array
 * per evaluation, static members and type names are looked up at compile time, instance members are dispatched
 * on the receiver's run-time type. Statements return a completion signal instead of throwing for control flow.
 */
import type { SourcePos } from '../../diagnostics';
import type { Argument, Expr, Initializer, Stmt, TypeName } from './ast';
import type { GatewayCallState } from './context';
import { ExpressionRuntimeError, ExpressionSyntaxError, UnsupportedExpressionError } from './errors';
import type { CompiledExpression } from './index';
import { parseExpressionText, PREDEFINED_TYPES, SyntaxProblem, UnsupportedSyntax } from './parser';
import { contextView } from './runtime/context-model';
import { asType, castTo, coerce } from './runtime/convert';
import {
  canonicalTypeName,
  CsException,
  csEquals,
  csString,
  enumerate,
  isInstance,
  isKnownMember,
  nullReference,
  numeric,
  Ref,
  typeOf,
  UnsupportedMember,
  type CallSite,
  type CsType,
  type TypeRef,
} from './runtime/core';
import { CsDateTime, CsDateTimeOffset, CsTimeSpan } from './runtime/datetime';
import { formatItem } from './runtime/format';
import { AnonymousObject, anonymousType } from './runtime/json';
import { compareKeys, CsEnum, CsExceptionValue, defaultOf } from './runtime/primitives';
import { STATICS, type StaticType } from './runtime/statics';
import { CsDouble } from './runtime/values';
import './runtime/jwt';

interface Env {
  slots: unknown[];
  state: GatewayCallState;
  context: unknown;
  ret: unknown;
  /** Loop iterations left in this evaluation. */
  budget: number;
}

/**
 * Loop iterations one evaluation may run. A policy that loops for longer would hold a real gateway's request until
 * it times out; the emulator stops it and reports it rather than hang.
 */
const LOOP_BUDGET = 10_000_000;

function iterate(env: Env): void {
  if (--env.budget < 0) throw new UnsupportedMember(`more than ${LOOP_BUDGET.toLocaleString('en')} loop iterations in one evaluation`);
}

type Fn = (env: Env) => unknown;
type Signal = undefined | typeof BREAK | typeof CONTINUE | typeof RETURN;
type StmtFn = (env: Env) => Signal;

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
const RETURN = Symbol('return');
/** What a `?.` link yields when its receiver is null: the rest of the chain is skipped. */
const SHORT = Symbol('short-circuit');

/** A construct found unsupported while compiling. */
class CompileUnsupported extends Error {
  constructor(
    readonly construct: string,
    readonly offset: number,
  ) {
    super(construct);
  }
}

/** C# the compiler rejects (APIM refuses to save). */
class CompileSyntax extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Invalid C# only detectable once the receiver's type is known (e.g. calling a property). */
class RuntimeSyntax extends Error {
  offset = -1;
}

interface Variable {
  slot: number;
  type?: TypeRef;
}

interface LocalFunction {
  params: { slot: number; type: TypeRef }[];
  body?: StmtFn;
  firstSlot: number;
  lastSlot: number;
}

class Scope {
  readonly variables = new Map<string, Variable>();
  readonly functions = new Map<string, LocalFunction>();
  constructor(readonly parent?: Scope) {}
  variable(name: string): Variable | undefined {
    return this.variables.get(name) ?? this.parent?.variable(name);
  }
  func(name: string): LocalFunction | undefined {
    return this.functions.get(name) ?? this.parent?.func(name);
  }
}

/** Attaches the position of the node where a run-time error surfaced (the innermost one wins). */
function located(fn: Fn, at: number): Fn {
  return (env) => {
    try {
      return fn(env);
    } catch (error) {
      if ((error instanceof CsException || error instanceof UnsupportedMember || error instanceof RuntimeSyntax) && error.offset < 0) error.offset = at;
      throw error;
    }
  };
}

const EXCEPTION_BASES: Record<string, string[]> = {
  ArgumentNullException: ['ArgumentException'],
  ArgumentOutOfRangeException: ['ArgumentException'],
  JsonReaderException: ['JsonException'],
  JsonSerializationException: ['JsonException'],
  KeyNotFoundException: [],
  UriFormatException: ['FormatException'],
  OverflowException: ['ArithmeticException'],
  DivideByZeroException: ['ArithmeticException'],
};

function exceptionMatches(error: CsException, type: TypeRef | undefined): boolean {
  if (!type) return true;
  const name = type.name;
  if (name === 'Exception' || name === error.exceptionType) return true;
  if (name === 'SystemException') return error.exceptionType !== 'ApplicationException';
  return (EXCEPTION_BASES[error.exceptionType] ?? []).includes(name);
}

export function compile(text: string, pos: SourcePos): CompiledExpression {
  const positionOf = (offset: number): SourcePos => {
    const before = text.slice(0, Math.max(0, offset));
    const newlines = before.split('\n').length - 1;
    if (!newlines) return { file: pos.file, line: pos.line, column: pos.column + offset };
    return { file: pos.file, line: pos.line + newlines, column: offset - before.lastIndexOf('\n') };
  };
  let run: (env: Env) => unknown;
  let slotCount: number;
  try {
    const parsed = parseExpressionText(text);
    const compiler = new Compiler();
    if (parsed.kind === 'expression') {
      const fn = compiler.expression(parsed.expr);
      run = fn;
    } else {
      const body = compiler.statements(parsed.body, new Scope(compiler.root));
      if (!alwaysExits(parsed.body)) throw new CompileSyntax('not all code paths return a value', text.length - 1);
      run = (env) => (body(env) === RETURN ? env.ret : undefined);
    }
    slotCount = compiler.slots;
  } catch (error) {
    if (error instanceof SyntaxProblem || error instanceof CompileSyntax) throw new ExpressionSyntaxError(error.message, positionOf(error.offset));
    if (error instanceof UnsupportedSyntax || error instanceof CompileUnsupported) throw new UnsupportedExpressionError(error.construct, positionOf(error.offset));
    if (error instanceof RangeError) throw new UnsupportedExpressionError('an expression too large to compile', pos);
    throw error;
  }
  return {
    text,
    pos,
    evaluate(state: GatewayCallState): unknown {
      const env: Env = { slots: new Array(slotCount), state, context: contextView(state), ret: undefined, budget: LOOP_BUDGET };
      try {
        return run(env);
      } catch (error) {
        if (error instanceof CsException) throw new ExpressionRuntimeError(error.exceptionType, error.message, positionOf(Math.max(0, error.offset)));
        if (error instanceof UnsupportedMember) throw new UnsupportedExpressionError(error.construct, positionOf(Math.max(0, error.offset)));
        if (error instanceof RuntimeSyntax) throw new ExpressionSyntaxError(error.message, positionOf(Math.max(0, error.offset)));
        if (error instanceof RangeError && /call stack/.test(error.message))
          throw new ExpressionRuntimeError('InsufficientExecutionStackException', 'Insufficient stack to continue executing the program safely.', pos);
        throw error;
      }
    },
  };
}

/** C#'s reachability rule for "not all code paths return a value" (CS0161), for the statements used here. */
function alwaysExits(body: Stmt[]): boolean {
  return body.some(exits);
}

function exits(stmt: Stmt): boolean {
  switch (stmt.kind) {
    case 'return':
    case 'throw':
      return true;
    case 'block':
      return alwaysExits(stmt.body);
    case 'if':
      return stmt.otherwise !== undefined && exits(stmt.then) && exits(stmt.otherwise);
    case 'try':
      return (exits(stmt.block) && stmt.catches.every((c) => exits(c.block))) || (stmt.final !== undefined && exits(stmt.final));
    case 'using':
      return exits(stmt.body);
    case 'while':
      return isTrueLiteral(stmt.test) && !breaks(stmt.body);
    case 'for':
      return (stmt.test === undefined || isTrueLiteral(stmt.test)) && !breaks(stmt.body);
    case 'do':
      return exits(stmt.body) || (isTrueLiteral(stmt.test) && !breaks(stmt.body));
    case 'switch':
      return stmt.sections.some((s) => s.labels.includes('default')) && stmt.sections.every((s) => alwaysExits(s.body) && !s.body.some(breaks));
    default:
      return false;
  }
}

function isTrueLiteral(expr: Expr): boolean {
  return expr.kind === 'literal' && expr.value === true;
}

/** Whether a loop body can `break` out of that loop. */
function breaks(stmt: Stmt): boolean {
  switch (stmt.kind) {
    case 'break':
      return true;
    case 'block':
      return stmt.body.some(breaks);
    case 'if':
      return breaks(stmt.then) || (stmt.otherwise !== undefined && breaks(stmt.otherwise));
    case 'try':
      return breaks(stmt.block) || stmt.catches.some((c) => breaks(c.block)) || (stmt.final !== undefined && breaks(stmt.final));
    case 'using':
      return breaks(stmt.body);
    default:
      return false;
  }
}

const NAMESPACE_ROOTS = new Set(['System', 'Newtonsoft', 'Microsoft']);

function isNullish(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

function requireBool(value: unknown): boolean {
  if (value === true) return true;
  if (value === false) return false;
  if (value === null || value === undefined) throw new CsException('InvalidOperationException', 'Nullable object must have a value.');
  throw new CsException('InvalidCastException', `Unable to cast object of type '${typeOf(value).fullName}' to type 'System.Boolean'.`);
}

// ---- operators

function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'string' || typeof b === 'string') return (isNullish(a) ? '' : csString(a)) + (isNullish(b) ? '' : csString(b));
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (isNullish(a) || isNullish(b)) return null;
  if (a instanceof CsDateTime && b instanceof CsTimeSpan) return a.addMs(0, b.ticks);
  if (a instanceof CsDateTimeOffset && b instanceof CsTimeSpan) return a.addMs(0, b.ticks);
  if (a instanceof CsTimeSpan && b instanceof CsTimeSpan) return new CsTimeSpan(a.ticks + b.ticks);
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return new CsDouble(x + y);
  throw operatorError('+', a, b);
}

function subtract(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (isNullish(a) || isNullish(b)) return null;
  if (a instanceof CsDateTime && b instanceof CsDateTime) return a.since(b);
  if (a instanceof CsDateTime && b instanceof CsTimeSpan) return a.addMs(0, -b.ticks);
  if (a instanceof CsDateTimeOffset && b instanceof CsDateTimeOffset) return new CsTimeSpan((a.ms - b.ms) * 10000 + a.sub - b.sub);
  if (a instanceof CsDateTimeOffset && b instanceof CsTimeSpan) return a.addMs(0, -b.ticks);
  if (a instanceof CsTimeSpan && b instanceof CsTimeSpan) return new CsTimeSpan(a.ticks - b.ticks);
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return new CsDouble(x - y);
  throw operatorError('-', a, b);
}

function arithmetic(op: '*' | '/' | '%', a: unknown, b: unknown): unknown {
  if (isNullish(a) || isNullish(b)) return null;
  if (typeof a === 'number' && typeof b === 'number') {
    if (op === '*') return a * b;
    if (b === 0) throw new CsException('DivideByZeroException', 'Attempted to divide by zero.');
    return op === '/' ? Math.trunc(a / b) : a % b;
  }
  const x = numeric(a);
  const y = numeric(b);
  if (x === undefined || y === undefined) throw operatorError(op, a, b);
  return new CsDouble(op === '*' ? x * y : op === '/' ? x / y : x % y);
}

function operatorError(op: string, a: unknown, b: unknown): CsException {
  const name = (v: unknown) => (isNullish(v) ? 'null' : typeOf(v).fullName);
  return new CsException('InvalidOperationException', `Operator '${op}' cannot be applied to operands of type '${name(a)}' and '${name(b)}'.`);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (isNullish(a) || isNullish(b)) return false;
  let c: number;
  if (typeof a === 'number' && typeof b === 'number') c = a - b;
  else if (typeof a === 'string' && typeof b === 'string') {
    if (a.length !== 1 || b.length !== 1) throw operatorError(op, a, b);
    c = a.charCodeAt(0) - b.charCodeAt(0);
  } else if (a instanceof CsEnum && b instanceof CsEnum) c = a.value - b.value;
  else c = compareKeys(a, b);
  switch (op) {
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    default:
      return c >= 0;
  }
}

function bitwise(op: '&' | '|' | '^', a: unknown, b: unknown): unknown {
  if (typeof a === 'boolean' && typeof b === 'boolean') return op === '&' ? a && b : op === '|' ? a || b : a !== b;
  if (a instanceof CsEnum && b instanceof CsEnum) {
    const value = op === '&' ? a.value & b.value : op === '|' ? a.value | b.value : a.value ^ b.value;
    return new CsEnum(a.typeName, [a.name, b.name].join(', '), value);
  }
  if (typeof a === 'number' && typeof b === 'number') {
    if (Math.abs(a) <= 0x7fffffff && Math.abs(b) <= 0x7fffffff) return op === '&' ? a & b : op === '|' ? a | b : a ^ b;
    const x = BigInt(a);
    const y = BigInt(b);
    return Number(BigInt.asIntN(64, op === '&' ? x & y : op === '|' ? x | y : x ^ y));
  }
  if (isNullish(a) || isNullish(b)) return null;
  throw operatorError(op, a, b);
}

function shift(op: '<<' | '>>', a: unknown, b: unknown): unknown {
  if (typeof a !== 'number' || typeof b !== 'number') {
    if (isNullish(a) || isNullish(b)) return null;
    throw operatorError(op, a, b);
  }
  if (Math.abs(a) <= 0x7fffffff && b < 32 && op === '>>') return a >> b;
  const x = BigInt.asIntN(64, BigInt(a));
  const count = BigInt(b & 63);
  return Number(BigInt.asIntN(64, op === '<<' ? x << count : x >> count));
}

function binaryOperator(op: string): (a: unknown, b: unknown) => unknown {
  switch (op) {
    case '+':
      return add;
    case '-':
      return subtract;
    case '*':
    case '/':
    case '%':
      return (a, b) => arithmetic(op, a, b);
    case '==':
      return (a, b) => csEquals(a, b) || (isNullish(a) && isNullish(b));
    case '!=':
      return (a, b) => !(csEquals(a, b) || (isNullish(a) && isNullish(b)));
    case '<':
    case '>':
    case '<=':
    case '>=':
      return (a, b) => compare(op, a, b);
    case '&':
    case '|':
    case '^':
      return (a, b) => bitwise(op, a, b);
    case '<<':
    case '>>':
      return (a, b) => shift(op, a, b);
  }
  throw new Error(`no operator ${op}`);
}

function negate(value: unknown): unknown {
  if (typeof value === 'number') return -value;
  if (value instanceof CsDouble) return new CsDouble(-value.value);
  if (value instanceof CsTimeSpan) return new CsTimeSpan(-value.ticks);
  if (isNullish(value)) return null;
  throw new CsException('InvalidOperationException', `Operator '-' cannot be applied to operand of type '${typeOf(value).fullName}'.`);
}

function increment(value: unknown, delta: number): unknown {
  if (typeof value === 'number') return value + delta;
  if (value instanceof CsDouble) return new CsDouble(value.value + delta);
  if (typeof value === 'string' && value.length === 1) return String.fromCharCode(value.charCodeAt(0) + delta);
  throw new CsException('InvalidOperationException', `Operator '${delta > 0 ? '++' : '--'}' cannot be applied to operand of type '${isNullish(value) ? 'null' : typeOf(value).fullName}'.`);
}

// ---- the compiler

class Compiler {
  slots = 0;
  readonly root = new Scope();
  private scope: Scope = this.root;
  /** The slot holding the exception of each enclosing catch block (for `throw;`). */
  private catchSlots: number[] = [];

  private newSlot(): number {
    return this.slots++;
  }

  private declare(name: string, at: number, type?: TypeRef): Variable {
    if (name === '_') return { slot: this.newSlot(), type };
    if (this.scope.variable(name) || this.scope.func(name))
      throw new CompileSyntax(`a local variable named '${name}' cannot be declared in this scope because it would give a different meaning to '${name}'`, at);
    const variable = { slot: this.newSlot(), type };
    this.scope.variables.set(name, variable);
    return variable;
  }

  private withScope<T>(fn: () => T): T {
    const saved = this.scope;
    this.scope = new Scope(saved);
    try {
      return fn();
    } finally {
      this.scope = saved;
    }
  }

  // ---- types

  type(type: TypeName): TypeRef {
    const name = canonicalTypeName(type.name);
    if (type.name === 'var') throw new CompileSyntax("'var' is not a type here", type.at);
    if (!PREDEFINED_TYPES.has(name) && !(name in STATICS)) throw new CompileUnsupported(`type ${type.name}`, type.at);
    if (name === 'void') throw new CompileSyntax("'void' is not a value type", type.at);
    const ref: TypeRef = { name: name === 'Nullable' ? canonicalTypeName(type.args[0]?.name ?? 'object') : name, args: type.args.map((a) => this.type(a)), arrays: type.arrays, nullable: type.nullable || name === 'Nullable' };
    return ref;
  }

  /** The static type a dotted name chain denotes (`System.Text.Encoding`, `JObject`, `string`), if any. */
  private staticType(expr: Expr): { name: string; type: StaticType } | undefined {
    if (expr.kind === 'predefined') {
      const name = canonicalTypeName(expr.type.name);
      return STATICS[name] ? { name, type: STATICS[name] } : undefined;
    }
    const dotted = this.dottedName(expr);
    if (dotted === undefined) return undefined;
    const name = canonicalTypeName(dotted);
    const last = dotted.slice(dotted.lastIndexOf('.') + 1);
    const qualified = dotted === last || /^(System|Newtonsoft)\./.test(dotted);
    return STATICS[name] && qualified && canonicalTypeName(last) === name ? { name, type: STATICS[name] } : undefined;
  }

  /** `a.b.c` when the chain is plain names rooted in something that is not a local, `context` or a function. */
  private dottedName(expr: Expr): string | undefined {
    if (expr.kind === 'name') {
      if (expr.typeArgs || this.scope.variable(expr.name) || this.scope.func(expr.name) || expr.name === 'context') return undefined;
      return expr.name;
    }
    if (expr.kind === 'member' && !expr.conditional && !expr.typeArgs) {
      const inner = this.dottedName(expr.target);
      return inner === undefined ? undefined : `${inner}.${expr.name}`;
    }
    return undefined;
  }

  /** Whether some prefix of a name chain is a type (`Encoding.UTF8` → Encoding): the rest are its static members. */
  private hasStaticPrefix(expr: Expr): boolean {
    for (let e: Expr = expr; e.kind === 'member'; e = e.target) if (this.staticType(e.target)) return true;
    return false;
  }

  /** A name chain that resolves to nothing: an unsupported type if it looks like one, else CS0103. */
  private unresolved(dotted: string, member: string, kind: 'method' | 'member', at: number): never {
    const root = dotted.split('.')[0];
    if (NAMESPACE_ROOTS.has(root) || /^[A-Z]/.test(root)) {
      // Name the type when a prefix of the chain is one we know (then only the member is missing).
      throw new CompileUnsupported(`${kind} ${dotted}.${member}`, at);
    }
    throw new CompileSyntax(`the name '${root}' does not exist in the current context`, at);
  }

  // ---- expressions

  expression(expr: Expr): Fn {
    switch (expr.kind) {
      case 'member':
      case 'call':
      case 'index': {
        const fn = this.link(expr);
        return this.hasConditional(expr) ? (env) => {
          const value = fn(env);
          return value === SHORT ? null : value;
        } : fn;
      }
    }
    return this.plain(expr);
  }

  private hasConditional(expr: Expr): boolean {
    switch (expr.kind) {
      case 'member':
        return expr.conditional || this.hasConditional(expr.target);
      case 'index':
        return expr.conditional || this.hasConditional(expr.target);
      case 'call':
        return this.hasConditional(expr.callee);
      default:
        return false;
    }
  }

  /** A member / call / index link: may return SHORT, which the chain's top turns into null. */
  private link(expr: Expr): Fn {
    switch (expr.kind) {
      case 'member':
        return this.member(expr);
      case 'call':
        return this.call(expr);
      case 'index':
        return this.index(expr);
      default:
        return this.plain(expr);
    }
  }

  private member(expr: Extract<Expr, { kind: 'member' }>): Fn {
    const at = expr.at;
    const owner = this.staticType(expr.target);
    if (owner) {
      const prop = owner.type.props?.[expr.name];
      if (!prop) {
        if (owner.type.methods?.[expr.name]) throw new CompileUnsupported(`method group ${owner.name}.${expr.name}`, at);
        throw new CompileUnsupported(`member ${owner.name}.${expr.name}`, at);
      }
      return located((env) => prop(env.state), at);
    }
    const target = this.instanceTarget(expr.target, expr.name, 'member', at);
    const name = expr.name;
    return this.onReceiver(target, expr.conditional, at, (value, type) => {
      const getter = type.props[name];
      if (getter) return getter(value);
      if (type.methods[name]) throw new RuntimeSyntax(`'${name}' is a method of ${type.fullName}, not a property`);
      throw new UnsupportedMember(`member ${type.fullName}.${name}`);
    });
  }

  /** The compiled target of an instance member: a value (not an unknown name chain), and the member a known name. */
  private instanceTarget(target: Expr, name: string, kind: 'method' | 'member', at: number): Fn {
    const dotted = this.dottedName(target);
    if (dotted !== undefined && !this.hasStaticPrefix(target)) this.unresolved(dotted, name, kind, at);
    const fn = this.link(target);
    if (!isKnownMember(name)) throw new CompileUnsupported(`${kind} ${name}`, at);
    return fn;
  }

  /** A link on a receiver: null gives SHORT after `?.`, else NullReferenceException; `use` gets the receiver and its type. */
  private onReceiver(target: Fn, conditional: boolean, at: number, use: (value: unknown, type: CsType, env: Env) => unknown): Fn {
    return located((env) => {
      const value = target(env);
      if (value === SHORT) return SHORT;
      if (value === null || value === undefined) {
        if (conditional) return SHORT;
        throw nullReference();
      }
      return use(value, typeOf(value), env);
    }, at);
  }

  private typeArgs(types: TypeName[] | undefined): TypeRef[] {
    return (types ?? []).map((t) => this.type(t));
  }

  private call(expr: Extract<Expr, { kind: 'call' }>): Fn {
    const callee = expr.callee;
    if (callee.kind === 'name' && !callee.typeArgs) {
      const fn = this.scope.func(callee.name);
      if (fn) return this.localCall(fn, expr.args, expr.at);
      const variable = this.scope.variable(callee.name);
      if (variable) {
        const args = this.args(expr.args);
        const slot = variable.slot;
        return located((env) => {
          const delegate = env.slots[slot];
          if (typeof delegate !== 'function') throw nullReference();
          return delegate(...args.values(env));
        }, expr.at);
      }
      if (callee.name === 'nameof') throw new CompileSyntax('nameof needs a name', callee.at);
      throw new CompileSyntax(`the name '${callee.name}' does not exist in the current context`, callee.at);
    }
    if (callee.kind !== 'member') throw new CompileUnsupported('invocation of an expression', expr.at);
    const at = callee.at;
    const site: CallSite = { typeArgs: this.typeArgs(callee.typeArgs), names: expr.args.some((a) => a.name) ? expr.args.map((a) => a.name) : undefined };
    const owner = this.staticType(callee.target);
    if (owner) {
      const method = owner.type.methods?.[callee.name];
      if (!method) {
        const prop = owner.type.props?.[callee.name];
        if (prop) throw new CompileSyntax(`'${owner.name}.${callee.name}' is not a method`, at);
        throw new CompileUnsupported(`method ${owner.name}.${callee.name}`, at);
      }
      const args = this.args(expr.args);
      return located((env) => method(args.values(env), site, env.state), at);
    }
    const target = this.instanceTarget(callee.target, callee.name, 'method', at);
    const args = this.args(expr.args);
    const name = callee.name;
    return this.onReceiver(target, callee.conditional, at, (value, type, env) => {
      const method = type.methods[name];
      if (method) return method(value, args.values(env), site);
      const prop = type.props[name];
      if (prop) {
        const delegate = prop(value);
        if (typeof delegate === 'function') return delegate(...args.values(env));
        throw new RuntimeSyntax(`'${name}' is a property of ${type.fullName}, not a method`);
      }
      throw new UnsupportedMember(`method ${type.fullName}.${name}`);
    });
  }

  /** Compiled arguments: `values(env)` evaluates them (out/ref as `Ref`s). */
  private args(args: Argument[]): { values: (env: Env) => unknown[] } {
    const fns = args.map((arg) => {
      if (!arg.modifier) return this.expression(arg.value);
      let variable: Variable | undefined;
      if (arg.declares) variable = this.declare(arg.declares.name, arg.value.at, arg.declares.type ? this.type(arg.declares.type) : undefined);
      else if (arg.value.kind === 'name') variable = this.scope.variable(arg.value.name);
      if (!variable) throw new CompileUnsupported(`${arg.modifier} argument that is not a local variable`, arg.value.at);
      const { slot, type } = variable;
      return (env: Env) =>
        new Ref(
          () => env.slots[slot],
          (value) => {
            env.slots[slot] = coerce(value, type);
          },
        );
    });
    const count = fns.length;
    if (count === 0) return { values: () => [] };
    return {
      values: (env) => {
        const values = new Array(count);
        for (let i = 0; i < count; i++) values[i] = fns[i](env);
        return values;
      },
    };
  }

  private localCall(fn: LocalFunction, args: Argument[], at: number): Fn {
    const compiled = this.args(args);
    return located((env) => {
      const values = compiled.values(env);
      if (values.length !== fn.params.length) throw new RuntimeSyntax(`the local function takes ${fn.params.length} arguments`);
      // Save the function's own slots so recursion does not clobber the caller's frame.
      const saved = env.slots.slice(fn.firstSlot, fn.lastSlot);
      const savedRet = env.ret;
      try {
        for (let i = 0; i < values.length; i++) env.slots[fn.params[i].slot] = coerce(values[i], fn.params[i].type);
        const signal = fn.body!(env);
        return signal === RETURN ? env.ret : undefined;
      } finally {
        for (let i = 0; i < saved.length; i++) env.slots[fn.firstSlot + i] = saved[i];
        env.ret = savedRet;
      }
    }, at);
  }

  private index(expr: Extract<Expr, { kind: 'index' }>): Fn {
    const args = expr.args.map((a) => this.expression(a));
    return this.onReceiver(this.link(expr.target), expr.conditional, expr.at, (value, type, env) => {
      if (!type.index) throw new UnsupportedMember(`indexer of ${type.fullName}`);
      return type.index(value, args.map((a) => a(env)));
    });
  }

  private plain(expr: Expr): Fn {
    switch (expr.kind) {
      case 'literal': {
        const value = expr.type === 'double' || expr.type === 'float' || expr.type === 'decimal' ? new CsDouble(expr.value as number) : expr.value;
        return () => value;
      }
      case 'name':
        return this.name(expr);
      case 'predefined':
        throw new CompileSyntax(`'${expr.type.name}' is a type, which is not valid in the given context`, expr.at);
      case 'unary': {
        const operand = this.expression(expr.operand);
        switch (expr.op) {
          case '!':
            return located((env) => !requireBool(operand(env)), expr.at);
          case '-':
            return located((env) => negate(operand(env)), expr.at);
          case '+':
            return operand;
          case '~':
            return located((env) => {
              const v = operand(env);
              if (typeof v !== 'number') throw new CsException('InvalidOperationException', "Operator '~' needs an integer.");
              return ~v;
            }, expr.at);
        }
        break;
      }
      case 'increment':
        return this.incrementExpr(expr);
      case 'binary':
        return this.binary(expr);
      case 'conditional': {
        const test = this.expression(expr.test);
        const then = this.expression(expr.then);
        const otherwise = this.expression(expr.otherwise);
        return located((env) => (requireBool(test(env)) ? then(env) : otherwise(env)), expr.at);
      }
      case 'assign':
        return this.assign(expr);
      case 'cast': {
        const type = this.type(expr.type);
        const operand = this.expression(expr.operand);
        return located((env) => castTo(operand(env), type), expr.at);
      }
      case 'is':
        return this.isExpr(expr);
      case 'as': {
        const type = this.type(expr.type);
        const operand = this.expression(expr.operand);
        return (env) => asType(operand(env), type);
      }
      case 'lambda':
        return this.lambda(expr);
      case 'new':
        return this.creation(expr);
      case 'newArray':
        return this.array(expr);
      case 'anonymous': {
        const names = expr.members.map((m) => m.name);
        const type = anonymousType(names);
        const values = expr.members.map((m) => this.expression(m.value));
        return (env) => new AnonymousObject(type, names.map((name, i) => [name, values[i](env)]));
      }
      case 'interpolated': {
        const parts = expr.parts.map((part) => {
          if (typeof part === 'string') return () => part;
          const value = this.expression(part.value);
          const alignment = part.alignment ? this.expression(part.alignment) : undefined;
          const format = part.format;
          return (env: Env) => formatItem(value(env), alignment ? Number(alignment(env)) : undefined, format);
        });
        return located((env) => {
          let out = '';
          for (const part of parts) out += part(env);
          return out;
        }, expr.at);
      }
      case 'typeof':
        throw new CompileUnsupported('typeof', expr.at);
      case 'default': {
        const value = expr.type ? defaultOf(this.type(expr.type)) : null;
        return () => value;
      }
      case 'nameof': {
        const name = expr.name;
        return () => name;
      }
      case 'throw': {
        const value = this.expression(expr.value);
        return located((env) => {
          throw thrown(value(env));
        }, expr.at);
      }
      case 'checked':
        return this.expression(expr.operand);
      case 'member':
      case 'call':
      case 'index':
        return this.expression(expr);
    }
    throw new CompileUnsupported(`expression ${(expr as Expr).kind}`, (expr as Expr).at);
  }

  private name(expr: Extract<Expr, { kind: 'name' }>): Fn {
    const variable = this.scope.variable(expr.name);
    if (variable) {
      const slot = variable.slot;
      return (env) => env.slots[slot];
    }
    if (expr.name === 'context') return (env) => env.context;
    if (this.scope.func(expr.name)) throw new CompileUnsupported('local function used as a value', expr.at);
    if (this.staticType(expr)) throw new CompileSyntax(`'${expr.name}' is a type, which is not valid in the given context`, expr.at);
    if (/^[A-Z]/.test(expr.name)) throw new CompileUnsupported(`name ${expr.name}`, expr.at);
    throw new CompileSyntax(`the name '${expr.name}' does not exist in the current context`, expr.at);
  }

  private binary(expr: Extract<Expr, { kind: 'binary' }>): Fn {
    const left = this.expression(expr.left);
    const right = this.expression(expr.right);
    switch (expr.op) {
      case '&&':
        return located((env) => requireBool(left(env)) && requireBool(right(env)), expr.at);
      case '||':
        return located((env) => requireBool(left(env)) || requireBool(right(env)), expr.at);
      case '??':
        return (env) => {
          const value = left(env);
          return value === null || value === undefined ? right(env) : value;
        };
    }
    const op = binaryOperator(expr.op);
    return located((env) => op(left(env), right(env)), expr.at);
  }

  /** Reads and writes of an assignable expression (local, property, indexer). */
  private place(target: Expr): { read: Fn; write: (env: Env, value: unknown) => unknown; prepare?: (env: Env) => unknown } {
    if (target.kind === 'name') {
      const variable = this.scope.variable(target.name);
      if (!variable) {
        if (target.name === 'context') throw new CompileSyntax("'context' is read-only", target.at);
        throw new CompileSyntax(`the name '${target.name}' does not exist in the current context`, target.at);
      }
      const { slot, type } = variable;
      return {
        read: (env) => env.slots[slot],
        write: (env, value) => (env.slots[slot] = coerce(value, type)),
      };
    }
    if (target.kind === 'member') {
      if (this.staticType(target.target)) throw new CompileUnsupported(`assignment to static member ${target.name}`, target.at);
      const receiver = nonNull(this.expression(target.target));
      const name = target.name;
      return {
        read: (env) => {
          const value = receiver(env);
          const getter = typeOf(value).props[name];
          if (!getter) throw new UnsupportedMember(`member ${typeOf(value).fullName}.${name}`);
          return getter(value);
        },
        write: (env, value) => {
          const o = receiver(env);
          const setter = typeOf(o).setters[name];
          if (!setter) {
            if (typeOf(o).props[name]) throw new RuntimeSyntax(`property ${typeOf(o).fullName}.${name} is read only`);
            throw new UnsupportedMember(`member ${typeOf(o).fullName}.${name}`);
          }
          setter(o, value);
          return value;
        },
      };
    }
    if (target.kind === 'index') {
      const receiver = nonNull(this.expression(target.target));
      const args = target.args.map((a) => this.expression(a));
      return {
        read: (env) => {
          const o = receiver(env);
          const type = typeOf(o);
          if (!type.index) throw new UnsupportedMember(`indexer of ${type.fullName}`);
          return type.index(o, args.map((a) => a(env)));
        },
        write: (env, value) => {
          const o = receiver(env);
          const type = typeOf(o);
          if (!type.setIndex) {
            if (type.index) throw new RuntimeSyntax(`the indexer of ${type.fullName} is read only`);
            throw new UnsupportedMember(`indexer of ${type.fullName}`);
          }
          type.setIndex(o, args.map((a) => a(env)), value);
          return value;
        },
      };
    }
    throw new CompileSyntax('the left-hand side of an assignment must be a variable, property or indexer', target.at);
  }

  private assign(expr: Extract<Expr, { kind: 'assign' }>): Fn {
    const place = this.place(expr.target);
    const value = this.expression(expr.value);
    if (expr.op === '=') return located((env) => place.write(env, value(env)), expr.at);
    if (expr.op === '??=') {
      return located((env) => {
        const current = place.read(env);
        return current === null || current === undefined ? place.write(env, value(env)) : current;
      }, expr.at);
    }
    const op = binaryOperator(expr.op.slice(0, -1));
    return located((env) => place.write(env, op(place.read(env), value(env))), expr.at);
  }

  private incrementExpr(expr: Extract<Expr, { kind: 'increment' }>): Fn {
    const place = this.place(expr.target);
    const delta = expr.op === '++' ? 1 : -1;
    return located((env) => {
      const before = place.read(env);
      const after = increment(before, delta);
      place.write(env, after);
      return expr.prefix ? after : before;
    }, expr.at);
  }

  private isExpr(expr: Extract<Expr, { kind: 'is' }>): Fn {
    const operand = this.expression(expr.operand);
    const negated = expr.negated === true;
    if (expr.pattern) {
      const pattern = this.expression(expr.pattern);
      return (env) => {
        const value = operand(env);
        const expected = pattern(env);
        const match = expected === null ? value === null || value === undefined : csEquals(value, expected);
        return negated ? !match : match;
      };
    }
    const type = this.type(expr.type!);
    if (expr.declares) {
      const { slot } = this.declare(expr.declares, expr.at, type);
      return (env) => {
        const value = operand(env);
        const match = isInstance(value, type);
        if (match) env.slots[slot] = value;
        return negated ? !match : match;
      };
    }
    return (env) => {
      const match = isInstance(operand(env), type);
      return negated ? !match : match;
    };
  }

  private lambda(expr: Extract<Expr, { kind: 'lambda' }>): Fn {
    return this.withScope(() => {
      const slots = expr.params.map((name) => this.declare(name, expr.at).slot);
      const count = slots.length;
      if (expr.body.kind === 'block') {
        const body = this.statement(expr.body as Stmt);
        return (env: Env) =>
          (...args: unknown[]) => {
            for (let i = 0; i < count; i++) env.slots[slots[i]] = args[i];
            const savedRet = env.ret;
            const signal = body(env);
            const result = signal === RETURN ? env.ret : undefined;
            env.ret = savedRet;
            return result;
          };
      }
      const body = this.expression(expr.body as Expr);
      if (count === 1) {
        const slot = slots[0];
        return (env: Env) => (arg: unknown) => {
          env.slots[slot] = arg;
          return body(env);
        };
      }
      return (env: Env) =>
        (...args: unknown[]) => {
          for (let i = 0; i < count; i++) env.slots[slots[i]] = args[i];
          return body(env);
        };
    });
  }

  private creation(expr: Extract<Expr, { kind: 'new' }>): Fn {
    const name = canonicalTypeName(expr.type.name);
    const statics = STATICS[name];
    if (!statics?.construct) {
      if (statics || PREDEFINED_TYPES.has(name)) throw new CompileUnsupported(`constructor ${name}`, expr.at);
      throw new CompileUnsupported(`type ${expr.type.name}`, expr.type.at);
    }
    const construct = statics.construct;
    const site: CallSite = { typeArgs: this.typeArgs(expr.type.args) };
    const args = this.args(expr.args);
    const init = expr.init ? this.initializer(expr.init) : undefined;
    return located((env) => {
      const instance = construct(args.values(env), site, env.state);
      if (init) init(env, instance);
      return instance;
    }, expr.at);
  }

  private initializer(init: Initializer): (env: Env, instance: unknown) => void {
    const none: CallSite = { typeArgs: [] };
    switch (init.kind) {
      case 'object': {
        const members = init.members.map((m) => ({ name: m.name, value: this.expression(m.value) }));
        return (env, instance) => {
          const type = typeOf(instance);
          for (const member of members) {
            const setter = type.setters[member.name];
            if (!setter) throw new UnsupportedMember(`member ${type.fullName}.${member.name}`);
            setter(instance, member.value(env));
          }
        };
      }
      case 'collection': {
        const items = init.items.map((item) => item.map((e) => this.expression(e)));
        return (env, instance) => {
          const add = typeOf(instance).methods.Add;
          if (!add) throw new UnsupportedMember(`collection initializer of ${typeOf(instance).fullName}`);
          for (const item of items) add(instance, item.map((e) => e(env)), none);
        };
      }
      case 'indexed': {
        const items = init.items.map((item) => ({ key: item.key.map((k) => this.expression(k)), value: this.expression(item.value) }));
        return (env, instance) => {
          const type = typeOf(instance);
          if (!type.setIndex) throw new UnsupportedMember(`index initializer of ${type.fullName}`);
          for (const item of items) type.setIndex(instance, item.key.map((k) => k(env)), item.value(env));
        };
      }
    }
  }

  private array(expr: Extract<Expr, { kind: 'newArray' }>): Fn {
    const element = expr.type ? this.type(expr.type) : undefined;
    const bytes = element?.name === 'byte' && element.arrays === 0;
    const items = (expr.items ?? []).map((i) => this.expression(i));
    if (expr.sizes.length) {
      const size = this.expression(expr.sizes[0]);
      const fill = element ? defaultOf(element) : null;
      return located((env) => {
        const n = size(env);
        if (typeof n !== 'number' || n < 0) throw new CsException('OverflowException', 'Arithmetic operation resulted in an overflow.');
        if (items.length && items.length !== n) throw new CsException('InvalidOperationException', 'An array initializer of the wrong length.');
        if (bytes) return items.length ? Uint8Array.from(items.map((i) => Number(castTo(i(env), element!)))) : new Uint8Array(n);
        return items.length ? items.map((i) => i(env)) : new Array(n).fill(fill);
      }, expr.at);
    }
    if (bytes) return located((env) => Uint8Array.from(items.map((i) => Number(castTo(i(env), element!)))), expr.at);
    return (env) => items.map((i) => coerce(i(env), element));
  }

  // ---- statements

  statements(body: Stmt[], scope: Scope): StmtFn {
    const saved = this.scope;
    this.scope = scope;
    try {
      // Local functions are visible in their whole block (C#), so declare them first.
      const functions = body.filter((s): s is Extract<Stmt, { kind: 'function' }> => s.kind === 'function');
      for (const fn of functions) this.declareFunction(fn);
      const fns = body.filter((s) => s.kind !== 'function').map((s) => this.statement(s));
      // Their bodies see every local of the block, so they are compiled once the block's locals are declared.
      for (const fn of functions) this.defineFunction(fn);
      const count = fns.length;
      if (count === 1) return fns[0];
      return (env) => {
        for (let i = 0; i < count; i++) {
          const signal = fns[i](env);
          if (signal !== undefined) return signal;
        }
        return undefined;
      };
    } finally {
      this.scope = saved;
    }
  }

  private declareFunction(fn: Extract<Stmt, { kind: 'function' }>): void {
    if (this.scope.func(fn.name) || this.scope.variable(fn.name)) throw new CompileSyntax(`'${fn.name}' is already defined`, fn.at);
    this.scope.functions.set(fn.name, { params: [], firstSlot: 0, lastSlot: 0 });
  }

  private defineFunction(fn: Extract<Stmt, { kind: 'function' }>): void {
    const info = this.scope.functions.get(fn.name)!;
    this.withScope(() => {
      info.firstSlot = this.slots;
      info.params = fn.params.map((p) => {
        const type = this.type(p.type);
        return { slot: this.declare(p.name, fn.at, type).slot, type };
      });
      info.body = this.statement(fn.body);
      info.lastSlot = this.slots;
      if (fn.returns.name !== 'void' && !exits(fn.body)) throw new CompileSyntax(`'${fn.name}': not all code paths return a value`, fn.at);
    });
  }

  private statement(stmt: Stmt): StmtFn {
    switch (stmt.kind) {
      case 'block':
        return this.statements(stmt.body, new Scope(this.scope));
      case 'empty':
        return () => undefined;
      case 'declare':
        return this.declaration(stmt);
      case 'expr': {
        const fn = this.expression(stmt.expr);
        return (env) => {
          fn(env);
          return undefined;
        };
      }
      case 'if': {
        const test = this.expression(stmt.test);
        const then = this.withScope(() => this.statement(stmt.then));
        const otherwise = stmt.otherwise ? this.withScope(() => this.statement(stmt.otherwise!)) : undefined;
        const at = stmt.test.at;
        return (env) => {
          let condition: boolean;
          try {
            condition = requireBool(test(env));
          } catch (error) {
            if (error instanceof CsException && error.offset < 0) error.offset = at;
            throw error;
          }
          return condition ? then(env) : otherwise ? otherwise(env) : undefined;
        };
      }
      case 'foreach':
        return this.withScope(() => {
          const iterable = this.expression(stmt.iterable);
          const type = stmt.type ? this.type(stmt.type) : undefined;
          const { slot } = this.declare(stmt.name, stmt.at, type);
          const body = this.statement(stmt.body);
          const at = stmt.iterable.at;
          return (env) => {
            let items: Iterable<unknown>;
            try {
              const value = iterable(env);
              if (value === null || value === undefined) throw nullReference();
              items = enumerate(value);
            } catch (error) {
              if (error instanceof CsException && error.offset < 0) error.offset = at;
              throw error;
            }
            for (const item of Array.isArray(items) ? [...items] : items) {
              iterate(env);
              env.slots[slot] = type ? castTo(item, type) : item;
              const signal = body(env);
              if (signal === BREAK) break;
              if (signal === RETURN) return signal;
            }
            return undefined;
          };
        });
      case 'for':
        return this.withScope(() => {
          const init = stmt.init.map((s) => this.statement(s));
          const test = stmt.test ? this.expression(stmt.test) : undefined;
          const update = stmt.update.map((u) => this.expression(u));
          const body = this.statement(stmt.body);
          return (env) => {
            for (const s of init) s(env);
            while (!test || requireBool(test(env))) {
              iterate(env);
              const signal = body(env);
              if (signal === BREAK) break;
              if (signal === RETURN) return signal;
              for (const u of update) u(env);
            }
            return undefined;
          };
        });
      case 'while': {
        const test = this.expression(stmt.test);
        const body = this.withScope(() => this.statement(stmt.body));
        return (env) => {
          while (requireBool(test(env))) {
            iterate(env);
            const signal = body(env);
            if (signal === BREAK) break;
            if (signal === RETURN) return signal;
          }
          return undefined;
        };
      }
      case 'do': {
        const test = this.expression(stmt.test);
        const body = this.withScope(() => this.statement(stmt.body));
        return (env) => {
          do {
            iterate(env);
            const signal = body(env);
            if (signal === BREAK) break;
            if (signal === RETURN) return signal;
          } while (requireBool(test(env)));
          return undefined;
        };
      }
      case 'break':
        return () => BREAK;
      case 'continue':
        return () => CONTINUE;
      case 'return': {
        if (!stmt.value) return () => RETURN;
        const value = this.expression(stmt.value);
        return (env) => {
          env.ret = value(env);
          return RETURN;
        };
      }
      case 'throw': {
        if (!stmt.value) {
          const slot = this.catchSlots.at(-1);
          if (slot === undefined) throw new CompileSyntax('a throw statement with no arguments is not allowed outside of a catch clause', stmt.at);
          return (env) => {
            throw (env.slots[slot] as CsExceptionValue).error;
          };
        }
        const value = this.expression(stmt.value);
        const at = stmt.at;
        return (env) => {
          const error = thrown(value(env));
          if (error.offset < 0) error.offset = at;
          throw error;
        };
      }
      case 'switch':
        return this.switchStatement(stmt);
      case 'try':
        return this.tryStatement(stmt);
      case 'using':
        return this.withScope(() => {
          const resource = this.statement(stmt.resource);
          const body = this.statement(stmt.body);
          return (env) => {
            resource(env);
            return body(env);
          };
        });
      case 'function':
        throw new CompileUnsupported('local function outside a block', stmt.at);
    }
  }

  private declaration(stmt: Extract<Stmt, { kind: 'declare' }>): StmtFn {
    const type = stmt.type ? this.type(stmt.type) : undefined;
    const parts = stmt.declarators.map((d) => {
      if (!type && !d.init) throw new CompileSyntax('implicitly-typed variables must be initialized', d.at);
      if (!type && d.init?.kind === 'literal' && d.init.type === 'null') throw new CompileSyntax('cannot assign <null> to an implicitly-typed variable', d.at);
      // The initializer is compiled before the name exists (`var x = x;` is an error in C#).
      const init = d.init ? (d.init.kind === 'newArray' && !d.init.type && type ? this.array({ ...d.init, type: { name: type.name, args: [], arrays: type.arrays - 1, nullable: false, at: d.at } }) : this.expression(d.init)) : undefined;
      const { slot } = this.declare(d.name, d.at, type);
      return { slot, init };
    });
    return (env) => {
      for (const part of parts) env.slots[part.slot] = part.init ? coerce(part.init(env), type) : undefined;
      return undefined;
    };
  }

  private switchStatement(stmt: Extract<Stmt, { kind: 'switch' }>): StmtFn {
    const value = this.expression(stmt.value);
    const sections = this.withScope(() =>
      stmt.sections.map((section) => ({
        labels: section.labels.map((l) => (l === 'default' ? 'default' : this.expression(l))),
        body: this.statements(section.body, this.scopeHere()),
      })),
    );
    return (env) => {
      const v = value(env);
      let chosen = sections.find((s) => s.labels.some((l) => l !== 'default' && csEquals(v, l(env))));
      chosen ??= sections.find((s) => s.labels.includes('default'));
      if (!chosen) return undefined;
      const signal = chosen.body(env);
      return signal === BREAK ? undefined : signal;
    };
  }

  private scopeHere(): Scope {
    return this.scope;
  }

  private tryStatement(stmt: Extract<Stmt, { kind: 'try' }>): StmtFn {
    const block = this.withScope(() => this.statement(stmt.block));
    const catches = stmt.catches.map((c) =>
      this.withScope(() => {
        const type = c.type ? this.type(c.type) : undefined;
        const variable = c.name ? this.declare(c.name, stmt.at) : { slot: this.newSlot() };
        const filter = c.filter ? this.expression(c.filter) : undefined;
        this.catchSlots.push(variable.slot);
        try {
          return { type, slot: variable.slot, filter, block: this.statement(c.block) };
        } finally {
          this.catchSlots.pop();
        }
      }),
    );
    const final = stmt.final ? this.withScope(() => this.statement(stmt.final!)) : undefined;
    return (env) => {
      try {
        return block(env);
      } catch (error) {
        if (!(error instanceof CsException)) throw error;
        for (const c of catches) {
          if (!exceptionMatches(error, c.type)) continue;
          env.slots[c.slot] = new CsExceptionValue(error);
          if (c.filter && !requireBool(c.filter(env))) continue;
          return c.block(env);
        }
        throw error;
      } finally {
        if (final) {
          const signal = final(env);
          if (signal !== undefined) return signal; // eslint-disable-line no-unsafe-finally
        }
      }
    };
  }
}

/** The receiver of an assignment: NullReferenceException when null. */
function nonNull(fn: Fn): Fn {
  return (env) => {
    const value = fn(env);
    if (value === null || value === undefined) throw nullReference();
    return value;
  };
}

/** The CsException a `throw` raises. */
function thrown(value: unknown): CsException {
  if (value instanceof CsExceptionValue) {
    const error = new CsException(value.error.exceptionType, value.error.message);
    return error;
  }
  if (value === null || value === undefined) return nullReference();
  throw new CsException('InvalidCastException', 'The type caught or thrown must be derived from System.Exception.');
}
