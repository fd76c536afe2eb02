/**
 * A recursive-descent parser for the C# subset of policy expressions (C# 7 expressions and statements, with the
 * few later forms real policies use: `is not null`, `using var`). Syntax outside the subset is an
 * `UnsupportedSyntax` (named construct); anything that is not C# is a `SyntaxProblem`.
 */
import type { Argument, Declarator, Expr, Initializer, InterpolationPart, Stmt, TypeName } from './ast';
import { LexError, tokenize, type RawPart, type Token } from './lexer';

export class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export class UnsupportedSyntax extends Error {
  constructor(
    readonly construct: string,
    readonly offset: number,
  ) {
    super(construct);
  }
}

/** The C# keywords that name a type. */
export const PREDEFINED_TYPES = new Set([
  'bool', 'byte', 'sbyte', 'char', 'decimal', 'double', 'float', 'int', 'uint', 'long', 'ulong', 'short', 'ushort',
  'object', 'string', 'void', 'dynamic',
]);

const RESERVED = new Set([
  'abstract', 'as', 'base', 'break', 'case', 'catch', 'checked', 'class', 'const', 'continue', 'default', 'delegate', 'do',
  'else', 'enum', 'event', 'explicit', 'extern', 'false', 'finally', 'fixed', 'for', 'foreach', 'goto', 'if', 'implicit',
  'in', 'interface', 'internal', 'is', 'lock', 'namespace', 'new', 'null', 'operator', 'out', 'override', 'params',
  'private', 'protected', 'public', 'readonly', 'ref', 'return', 'sealed', 'sizeof', 'stackalloc', 'static', 'struct',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'unchecked', 'unsafe', 'using', 'virtual', 'volatile', 'while',
]);

const BINARY_PRECEDENCE: Record<string, number> = {
  '??': 1, '||': 2, '&&': 3, '|': 4, '^': 5, '&': 6, '==': 7, '!=': 7, '<': 8, '>': 8, '<=': 8, '>=': 8, is: 8, as: 8,
  '<<': 9, '>>': 9, '+': 10, '-': 10, '*': 11, '/': 11, '%': 11,
};

/** Deepest statement/operand nesting accepted. */
const MAX_DEPTH = 200;

const ASSIGNMENT = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '??=', '<<=', '>>=']);

/** Parses the whole `@(...)` or `@{...}` text: an expression, or a block's statements. */
export function parseExpressionText(text: string): { kind: 'expression'; expr: Expr } | { kind: 'block'; body: Stmt[] } {
  if (text[0] !== '@' || (text[1] !== '(' && text[1] !== '{')) throw new SyntaxProblem("a policy expression starts with '@(' or '@{'", 0);
  const close = text[1] === '(' ? ')' : '}';
  const last = text.trimEnd().length - 1;
  if (text[last] !== close) throw new SyntaxProblem(`a policy expression starting with '@${text[1]}' ends with '${close}'`, last);
  const parser = new Parser(text, 2, last);
  if (close === ')') {
    const expr = parser.expression();
    parser.expectEnd();
    return { kind: 'expression', expr };
  }
  const body: Stmt[] = [];
  while (!parser.atEnd()) body.push(parser.statement());
  return { kind: 'block', body };
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(
    private readonly text: string,
    start: number,
    end: number,
    /** Nesting depth so far (interpolation holes continue their string's count). */
    private depth = 0,
  ) {
    try {
      this.tokens = tokenize(text, start, end);
    } catch (error) {
      if (error instanceof LexError) {
        if (error.message === 'preprocessor directive') throw new UnsupportedSyntax('preprocessor directive', error.offset);
        throw new SyntaxProblem(error.message, error.offset);
      }
      throw error;
    }
  }

  // ---- token helpers

  private get token(): Token {
    return this.tokens[this.i];
  }

  private peek(n = 1): Token {
    return this.tokens[Math.min(this.i + n, this.tokens.length - 1)];
  }

  private isPunct(value: string, token = this.token): boolean {
    return token.kind === 'punct' && token.value === value;
  }

  private isWord(value: string, token = this.token): boolean {
    return token.kind === 'ident' && !token.verbatim && token.value === value;
  }

  private eat(value: string): boolean {
    if (this.isPunct(value) || this.isWord(value)) {
      this.i++;
      return true;
    }
    return false;
  }

  private expect(value: string): Token {
    const token = this.token;
    if (!this.eat(value)) throw new SyntaxProblem(`'${value}' expected${this.describe(token)}`, token.start);
    return token;
  }

  private describe(token: Token): string {
    if (token.kind === 'eof') return ' at the end of the expression';
    return `, found '${this.text.slice(token.start, token.end)}'`;
  }

  private identifier(): string {
    const token = this.token;
    if (token.kind !== 'ident' || (!token.verbatim && RESERVED.has(token.value)))
      throw new SyntaxProblem(`identifier expected${this.describe(token)}`, token.start);
    this.i++;
    return token.value;
  }

  private isIdentifier(token = this.token): boolean {
    return token.kind === 'ident' && (token.verbatim || (!RESERVED.has(token.value) && !PREDEFINED_TYPES.has(token.value)));
  }

  atEnd(): boolean {
    return this.token.kind === 'eof';
  }

  expectEnd(): void {
    if (!this.atEnd()) throw new SyntaxProblem(`unexpected '${this.text.slice(this.token.start, this.token.end)}'`, this.token.start);
  }

  /** Runs `attempt`; on any parse failure rewinds and returns undefined. */
  private speculate<T>(attempt: () => T | undefined): T | undefined {
    const saved = this.i;
    try {
      const result = attempt();
      if (result === undefined) this.i = saved;
      return result;
    } catch (error) {
      if (!(error instanceof SyntaxProblem)) throw error;
      this.i = saved;
      return undefined;
    }
  }

  // ---- types

  /** A type name; `nullable` allows a trailing `?`. */
  type(nullable = true): TypeName {
    const at = this.token.start;
    let name: string;
    const token = this.token;
    if (token.kind === 'ident' && PREDEFINED_TYPES.has(token.value) && !token.verbatim) {
      this.i++;
      name = token.value;
    } else if (this.isPunct('(')) {
      throw new SyntaxProblem('tuple types are not supported', at);
    } else {
      name = this.identifier();
      while (this.isPunct('.') && this.peek().kind === 'ident') {
        this.i++;
        name += '.' + this.identifier();
      }
    }
    let args: TypeName[] = [];
    if (this.isPunct('<')) {
      this.i++;
      args = [this.type()];
      while (this.eat(',')) args.push(this.type());
      this.expect('>');
      while (this.isPunct('.') && this.peek().kind === 'ident') {
        throw new UnsupportedSyntax('nested generic type', this.token.start);
      }
    }
    let isNullable = false;
    if (nullable && this.isPunct('?') && !this.startsExpression(this.peek())) {
      this.i++;
      isNullable = true;
    }
    let arrays = 0;
    while (this.isPunct('[') && (this.isPunct(']', this.peek()) || this.isPunct(',', this.peek()))) {
      if (this.isPunct(',', this.peek())) throw new UnsupportedSyntax('multi-dimensional array', this.token.start);
      this.i += 2;
      arrays++;
    }
    return { name, args, arrays, nullable: isNullable, at };
  }

  private startsExpression(token: Token): boolean {
    if (token.kind === 'punct') return ['(', '!', '-', '+', '~', '++', '--'].includes(token.value);
    return token.kind !== 'eof';
  }

  /** `<T, U>` after a name when it is a type-argument list (C#'s disambiguation: followed by `(`, `.`, `)`, …). */
  private typeArguments(): TypeName[] | undefined {
    if (!this.isPunct('<')) return undefined;
    return this.speculate(() => {
      this.i++;
      const args = [this.type()];
      while (this.eat(',')) args.push(this.type());
      if (!this.eat('>')) return undefined;
      const next = this.token;
      const follows = next.kind === 'eof' || (next.kind === 'punct' && ['(', ')', ']', '}', ':', ';', ',', '.', '?', '?.', '==', '!=', '|', '^', '&&', '||', '&', '['].includes(next.value));
      return follows ? args : undefined;
    });
  }

  // ---- statements

  /** Runs a nested parse, refusing nesting deeper than any real policy needs (and the call stack allows). */
  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new UnsupportedSyntax(`nesting deeper than ${MAX_DEPTH} levels`, this.token.start);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  statement(): Stmt {
    return this.nested(() => this.statementAt());
  }

  private statementAt(): Stmt {
    const token = this.token;
    const at = token.start;
    if (this.isPunct('{')) return this.block();
    if (this.eat(';')) return { kind: 'empty', at };
    if (token.kind === 'ident' && !token.verbatim) {
      switch (token.value) {
        case 'if': {
          this.i++;
          this.expect('(');
          const test = this.expression();
          this.expect(')');
          const then = this.embedded();
          const otherwise = this.eat('else') ? this.embedded() : undefined;
          return { kind: 'if', test, then, otherwise, at };
        }
        case 'foreach': {
          this.i++;
          this.expect('(');
          let type: TypeName | undefined;
          if (this.isWord('var') && this.isIdentifier(this.peek())) this.i++;
          else if (this.isWord('var') && this.isPunct('(', this.peek())) throw new UnsupportedSyntax('deconstruction', this.token.start);
          else type = this.type();
          const name = this.identifier();
          this.expect('in');
          const iterable = this.expression();
          this.expect(')');
          return { kind: 'foreach', type, name, iterable, body: this.embedded(), at };
        }
        case 'for': {
          this.i++;
          this.expect('(');
          const init: Stmt[] = [];
          if (!this.isPunct(';')) {
            const declaration = this.declaration();
            if (declaration) init.push(declaration);
            else {
              init.push({ kind: 'expr', expr: this.expression(), at: this.token.start });
              while (this.eat(',')) init.push({ kind: 'expr', expr: this.expression(), at: this.token.start });
            }
          }
          this.expect(';');
          const test = this.isPunct(';') ? undefined : this.expression();
          this.expect(';');
          const update: Expr[] = [];
          if (!this.isPunct(')')) {
            update.push(this.expression());
            while (this.eat(',')) update.push(this.expression());
          }
          this.expect(')');
          return { kind: 'for', init, test, update, body: this.embedded(), at };
        }
        case 'while': {
          this.i++;
          this.expect('(');
          const test = this.expression();
          this.expect(')');
          return { kind: 'while', test, body: this.embedded(), at };
        }
        case 'do': {
          this.i++;
          const body = this.embedded();
          this.expect('while');
          this.expect('(');
          const test = this.expression();
          this.expect(')');
          this.expect(';');
          return { kind: 'do', body, test, at };
        }
        case 'break':
        case 'continue':
          this.i++;
          this.expect(';');
          return { kind: token.value, at };
        case 'return': {
          this.i++;
          const value = this.isPunct(';') ? undefined : this.expression();
          this.expect(';');
          return { kind: 'return', value, at };
        }
        case 'throw': {
          this.i++;
          const value = this.isPunct(';') ? undefined : this.expression();
          this.expect(';');
          return { kind: 'throw', value, at };
        }
        case 'switch':
          return this.switchStatement();
        case 'try':
          return this.tryStatement();
        case 'using': {
          this.i++;
          if (this.eat('(')) {
            const resource = this.declaration() ?? { kind: 'expr', expr: this.expression(), at: this.token.start };
            this.expect(')');
            return { kind: 'using', resource, body: this.embedded(), at };
          }
          const resource = this.declaration();
          if (!resource) throw new SyntaxProblem("'(' expected after 'using'", this.token.start);
          this.expect(';');
          return { kind: 'using', resource, body: { kind: 'empty', at }, at };
        }
        case 'checked':
        case 'unchecked':
          if (this.isPunct('{', this.peek())) {
            this.i++;
            return this.block();
          }
          break;
        case 'goto':
        case 'lock':
        case 'yield':
        case 'fixed':
        case 'unsafe':
          throw new UnsupportedSyntax(`${token.value} statement`, at);
        case 'const':
          this.i++;
          break;
        case 'else':
          throw new SyntaxProblem("'else' without 'if'", at);
      }
    }
    const localFunction = this.localFunction();
    if (localFunction) return localFunction;
    const declaration = this.declaration();
    if (declaration) {
      this.expect(';');
      return declaration;
    }
    const expr = this.expression();
    if (!['assign', 'call', 'increment', 'new'].includes(expr.kind))
      throw new SyntaxProblem('only assignment, call, increment, decrement and new object expressions can be used as a statement', expr.at);
    this.expect(';');
    return { kind: 'expr', expr, at };
  }

  /** The body of if/else/loops: a statement that is not a declaration. */
  private embedded(): Stmt {
    return this.statement();
  }

  private block(): Stmt {
    const at = this.expect('{').start;
    const body: Stmt[] = [];
    while (!this.isPunct('}')) {
      if (this.atEnd()) throw new SyntaxProblem("'}' expected", this.token.start);
      body.push(this.statement());
    }
    this.i++;
    return { kind: 'block', body, at };
  }

  /** `var x = e`, `T x = e, y`, when the tokens read as a declaration; otherwise rewinds and returns undefined. */
  private declaration(): Stmt | undefined {
    const at = this.token.start;
    return this.speculate(() => {
      let type: TypeName | undefined;
      if (this.isWord('var') && this.isIdentifier(this.peek())) this.i++;
      else if (this.isWord('var') && this.isPunct('(', this.peek())) throw new UnsupportedSyntax('deconstruction', this.token.start);
      else {
        if (this.token.kind !== 'ident') return undefined;
        type = this.type();
      }
      if (!this.isIdentifier()) return undefined;
      const next = this.peek();
      if (!(this.isPunct('=', next) || this.isPunct(';', next) || this.isPunct(',', next) || this.isPunct(')', next) || this.isWord('in', next))) return undefined;
      const declarators: Declarator[] = [];
      do {
        const declAt = this.token.start;
        const name = this.identifier();
        const init = this.eat('=') ? this.initializerValue() : undefined;
        declarators.push({ name, init, at: declAt });
      } while (this.eat(','));
      return { kind: 'declare' as const, type, declarators, at };
    });
  }

  private initializerValue(): Expr {
    if (this.isPunct('{')) {
      const at = this.token.start;
      return { kind: 'newArray', sizes: [], items: this.arrayItems(), at };
    }
    return this.expression();
  }

  private localFunction(): Stmt | undefined {
    const at = this.token.start;
    return this.speculate(() => {
      while (this.isWord('static') || this.isWord('async')) this.i++;
      if (this.token.kind !== 'ident') return undefined;
      const returns = this.type();
      if (!this.isIdentifier() || !this.isPunct('(', this.peek())) return undefined;
      const name = this.identifier();
      this.expect('(');
      const params: { name: string; type: TypeName }[] = [];
      if (!this.isPunct(')')) {
        do {
          if (this.isWord('out') || this.isWord('ref') || this.isWord('params') || this.isWord('this')) throw new UnsupportedSyntax(`'${(this.token as { value: string }).value}' parameter`, this.token.start);
          const type = this.type();
          params.push({ type, name: this.identifier() });
          if (this.isPunct('=')) throw new UnsupportedSyntax('optional parameter', this.token.start);
        } while (this.eat(','));
      }
      this.expect(')');
      if (!this.isPunct('{') && !this.isPunct('=>')) return undefined;
      let body: Stmt;
      if (this.eat('=>')) {
        const exprAt = this.token.start;
        const value = this.expression();
        this.expect(';');
        body = { kind: 'return', value, at: exprAt };
      } else body = this.block();
      return { kind: 'function' as const, name, params, returns, body, at };
    });
  }

  private switchStatement(): Stmt {
    const at = this.expect('switch').start;
    this.expect('(');
    const value = this.expression();
    this.expect(')');
    this.expect('{');
    const sections: { labels: (Expr | 'default')[]; body: Stmt[] }[] = [];
    while (!this.eat('}')) {
      const labels: (Expr | 'default')[] = [];
      while (this.isWord('case') || (this.isWord('default') && this.isPunct(':', this.peek()))) {
        if (this.eat('default')) labels.push('default');
        else {
          this.i++;
          const label = this.expression();
          if (this.isWord('when') || this.isIdentifier()) throw new UnsupportedSyntax('switch case pattern', this.token.start);
          labels.push(label);
        }
        this.expect(':');
      }
      if (!labels.length) throw new SyntaxProblem("'case' or 'default' expected", this.token.start);
      const body: Stmt[] = [];
      while (!this.isWord('case') && !(this.isWord('default') && this.isPunct(':', this.peek())) && !this.isPunct('}')) {
        if (this.atEnd()) throw new SyntaxProblem("'}' expected", this.token.start);
        body.push(this.statement());
      }
      sections.push({ labels, body });
    }
    return { kind: 'switch', value, sections, at };
  }

  private tryStatement(): Stmt {
    const at = this.expect('try').start;
    const block = this.block();
    const catches: { type?: TypeName; name?: string; filter?: Expr; block: Stmt }[] = [];
    while (this.eat('catch')) {
      let type: TypeName | undefined;
      let name: string | undefined;
      if (this.eat('(')) {
        type = this.type();
        if (this.isIdentifier()) name = this.identifier();
        this.expect(')');
      }
      let filter: Expr | undefined;
      if (this.eat('when')) {
        this.expect('(');
        filter = this.expression();
        this.expect(')');
      }
      catches.push({ type, name, filter, block: this.block() });
    }
    const final = this.eat('finally') ? this.block() : undefined;
    if (!catches.length && !final) throw new SyntaxProblem("'catch' or 'finally' expected", this.token.start);
    return { kind: 'try', block, catches, final, at };
  }

  // ---- expressions

  expression(): Expr {
    const lambda = this.lambda();
    if (lambda) return lambda;
    const at = this.token.start;
    const target = this.conditional();
    const token = this.token;
    if (token.kind === 'punct' && ASSIGNMENT.has(token.value)) {
      this.i++;
      if (!['name', 'member', 'index'].includes(target.kind)) throw new SyntaxProblem('the left-hand side of an assignment must be a variable, property or indexer', target.at);
      return { kind: 'assign', op: token.value, target, value: this.isPunct('{') ? this.initializerValue() : this.expression(), at };
    }
    if (this.isPunct('>') && this.isPunct('>=', this.peek()) && this.peek().start === token.end) {
      throw new UnsupportedSyntax('>>= operator', token.start);
    }
    return target;
  }

  private lambda(): Expr | undefined {
    const at = this.token.start;
    if (this.isIdentifier() && this.isPunct('=>', this.peek())) {
      const name = this.identifier();
      this.i++;
      return { kind: 'lambda', params: [name], body: this.lambdaBody(), at };
    }
    if (this.isWord('async')) throw new UnsupportedSyntax('async lambda', at);
    if (!this.isPunct('(')) return undefined;
    return this.speculate(() => {
      this.i++;
      const params: string[] = [];
      if (!this.isPunct(')')) {
        do {
          if (this.isIdentifier() && (this.isPunct(',', this.peek()) || this.isPunct(')', this.peek()))) params.push(this.identifier());
          else {
            this.type();
            params.push(this.identifier());
          }
        } while (this.eat(','));
      }
      if (!this.eat(')') || !this.isPunct('=>')) return undefined;
      this.i++;
      return { kind: 'lambda' as const, params, body: this.lambdaBody(), at };
    });
  }

  private lambdaBody(): Expr | Stmt {
    return this.isPunct('{') ? this.block() : this.expression();
  }

  private conditional(): Expr {
    const at = this.token.start;
    const test = this.binary(1);
    if (!this.isPunct('?')) return test;
    this.i++;
    const then = this.expression();
    this.expect(':');
    const otherwise = this.expression();
    return { kind: 'conditional', test, then, otherwise, at };
  }

  /** The binary operator at the current token (joining `>` `>` into a shift), with its token count. */
  private binaryOperator(): { op: string; length: number } | undefined {
    const token = this.token;
    if (token.kind === 'ident' && !token.verbatim && (token.value === 'is' || token.value === 'as')) return { op: token.value, length: 1 };
    if (token.kind !== 'punct') return undefined;
    if (token.value === '>' && this.isPunct('>', this.peek()) && this.peek().start === token.end) return { op: '>>', length: 2 };
    return token.value in BINARY_PRECEDENCE ? { op: token.value, length: 1 } : undefined;
  }

  private binary(minimum: number): Expr {
    let left = this.unary();
    for (let chained = 0; ; chained++) {
      const operator = this.binaryOperator();
      if (!operator) return left;
      // A chain of operators nests to the left; its depth counts like any other nesting.
      if (chained + this.depth > MAX_DEPTH * 5) throw new UnsupportedSyntax(`more than ${MAX_DEPTH * 5} chained operators`, this.token.start);
      const precedence = BINARY_PRECEDENCE[operator.op];
      if (precedence < minimum) return left;
      const at = this.token.start;
      this.i += operator.length;
      if (operator.op === 'is') {
        left = this.isPattern(left, at);
        continue;
      }
      if (operator.op === 'as') {
        left = { kind: 'as', operand: left, type: this.type(false), at };
        continue;
      }
      // `??` is right-associative; the others are left-associative.
      const right = operator.op === '??' ? this.nullCoalescingRight() : this.binary(precedence + 1);
      left = { kind: 'binary', op: operator.op, left, right, at };
    }
  }

  private nullCoalescingRight(): Expr {
    if (this.isWord('throw')) {
      const at = this.token.start;
      this.i++;
      return { kind: 'throw', value: this.expression(), at };
    }
    return this.binary(BINARY_PRECEDENCE['??']);
  }

  private isPattern(operand: Expr, at: number): Expr {
    const negated = this.eat('not');
    const token = this.token;
    if (token.kind !== 'ident' || this.isWord('null') || this.isWord('true') || this.isWord('false')) {
      if (token.kind === 'punct' && token.value !== '-') throw new UnsupportedSyntax('pattern', token.start);
      return { kind: 'is', operand, pattern: this.unary(), negated, at };
    }
    if (this.isWord('var')) throw new UnsupportedSyntax('var pattern', token.start);
    const type = this.type(false);
    const declares = this.isIdentifier() && !this.isWord('when') && !this.isWord('and') && !this.isWord('or') ? this.identifier() : undefined;
    if (this.isWord('and') || this.isWord('or')) throw new UnsupportedSyntax('pattern combinator', this.token.start);
    return { kind: 'is', operand, type, declares, negated, at };
  }

  private unary(): Expr {
    return this.nested(() => this.unaryAt());
  }

  private unaryAt(): Expr {
    const token = this.token;
    const at = token.start;
    if (token.kind === 'punct') {
      switch (token.value) {
        case '!':
        case '-':
        case '+':
        case '~':
          this.i++;
          return { kind: 'unary', op: token.value, operand: this.unary(), at };
        case '++':
        case '--':
          this.i++;
          return { kind: 'increment', op: token.value, prefix: true, target: this.unary(), at };
        case '(': {
          const cast = this.cast();
          if (cast) return cast;
          break;
        }
        case '&':
        case '*':
          throw new UnsupportedSyntax('pointer', at);
      }
    }
    if (this.isWord('await')) throw new UnsupportedSyntax('await', at);
    return this.postfix(this.primary());
  }

  private cast(): Expr | undefined {
    const at = this.token.start;
    return this.speculate(() => {
      this.i++;
      const type = this.type();
      if (!this.eat(')')) return undefined;
      const next = this.token;
      const predefined = PREDEFINED_TYPES.has(type.name) || type.arrays > 0 || type.nullable || type.args.length > 0;
      let isCast: boolean;
      if (next.kind === 'punct') isCast = ['(', '!', '~'].includes(next.value) || (predefined && ['-', '+', '++', '--'].includes(next.value));
      else if (next.kind === 'ident') isCast = next.verbatim || !['as', 'is'].includes(next.value);
      else isCast = next.kind !== 'eof';
      if (!isCast) return undefined;
      return { kind: 'cast' as const, type, operand: this.unary(), at };
    });
  }

  private primary(): Expr {
    const token = this.token;
    const at = token.start;
    switch (token.kind) {
      case 'int': {
        this.i++;
        const type = token.suffix.includes('l') || token.value > 2147483647 ? 'long' : 'int';
        return { kind: 'literal', value: token.value, type, at };
      }
      case 'real':
        this.i++;
        return { kind: 'literal', value: token.value, type: token.suffix === 'f' ? 'float' : token.suffix === 'm' ? 'decimal' : 'double', at };
      case 'string':
        this.i++;
        return { kind: 'literal', value: token.value, type: 'string', at };
      case 'char':
        this.i++;
        return { kind: 'literal', value: token.value, type: 'char', at };
      case 'interpolated':
        this.i++;
        return { kind: 'interpolated', parts: token.parts.map((part) => this.interpolationPart(part)), at };
      case 'eof':
        throw new SyntaxProblem('expression expected at the end of the expression', at);
      case 'punct':
        if (token.value === '(') {
          this.i++;
          const inner = this.expression();
          if (this.isPunct(',')) throw new UnsupportedSyntax('tuple', this.token.start);
          this.expect(')');
          return inner;
        }
        throw new SyntaxProblem(`unexpected '${token.value}'`, at);
    }
    if (token.verbatim) {
      this.i++;
      return { kind: 'name', name: token.value, at };
    }
    switch (token.value) {
      case 'true':
      case 'false':
        this.i++;
        return { kind: 'literal', value: token.value === 'true', type: 'bool', at };
      case 'null':
        this.i++;
        return { kind: 'literal', value: null, type: 'null', at };
      case 'new':
        return this.creation();
      case 'typeof': {
        this.i++;
        this.expect('(');
        const type = this.type();
        this.expect(')');
        return { kind: 'typeof', type, at };
      }
      case 'default': {
        this.i++;
        if (!this.eat('(')) return { kind: 'default', at };
        const type = this.type();
        this.expect(')');
        return { kind: 'default', type, at };
      }
      case 'nameof': {
        if (!this.isPunct('(', this.peek())) break;
        this.i += 2;
        let name = this.identifier();
        while (this.eat('.')) name = this.identifier();
        this.expect(')');
        return { kind: 'nameof', name, at };
      }
      case 'checked':
      case 'unchecked': {
        this.i++;
        this.expect('(');
        const operand = this.expression();
        this.expect(')');
        return { kind: 'checked', operand, at };
      }
      case 'this':
      case 'base':
        throw new UnsupportedSyntax(`'${token.value}'`, at);
      case 'delegate':
        throw new UnsupportedSyntax('anonymous method', at);
      case 'stackalloc':
      case 'sizeof':
        throw new UnsupportedSyntax(token.value, at);
      case 'from':
        if (this.isIdentifier(this.peek()) && (this.isWord('in', this.peek(2)) || this.isIdentifier(this.peek(2)))) throw new UnsupportedSyntax('LINQ query syntax', at);
        break;
      case 'switch':
        throw new SyntaxProblem("'switch' cannot start an expression", at);
    }
    if (PREDEFINED_TYPES.has(token.value)) {
      const type = this.type(false);
      return { kind: 'predefined', type, at };
    }
    const name = this.identifier();
    return { kind: 'name', name, typeArgs: this.typeArguments(), at };
  }

  private interpolationPart(part: RawPart): InterpolationPart {
    if (typeof part === 'string') return part;
    const value = new Parser(this.text, part.start, part.end, this.depth).wholeExpression();
    const alignment = part.alignment ? new Parser(this.text, part.alignment.start, part.alignment.end, this.depth).wholeExpression() : undefined;
    return { value, alignment, format: part.format };
  }

  wholeExpression(): Expr {
    if (this.atEnd()) throw new SyntaxProblem('expression expected', this.token.start);
    const expr = this.expression();
    this.expectEnd();
    return expr;
  }

  private postfix(expr: Expr): Expr {
    for (;;) {
      const token = this.token;
      if (token.kind !== 'punct') return expr;
      const at = token.start;
      switch (token.value) {
        case '.':
        case '?.': {
          this.i++;
          const nameAt = this.token.start;
          const name = this.identifier();
          expr = { kind: 'member', target: expr, name, typeArgs: this.typeArguments(), conditional: token.value === '?.', at: nameAt };
          break;
        }
        case '(':
          this.i++;
          expr = { kind: 'call', callee: expr, args: this.argumentList(')'), at: expr.at };
          break;
        case '[':
          this.i++;
          expr = { kind: 'index', target: expr, args: this.argumentList(']').map((a) => a.value), conditional: false, at };
          break;
        case '?':
          if (!this.isPunct('[', this.peek()) || this.peek().start !== token.end) return expr;
          this.i += 2;
          expr = { kind: 'index', target: expr, args: this.argumentList(']').map((a) => a.value), conditional: true, at };
          break;
        case '++':
        case '--':
          this.i++;
          expr = { kind: 'increment', op: token.value, prefix: false, target: expr, at };
          break;
        case '!':
          if (this.isPunct('.', this.peek()) || this.isPunct(')', this.peek()) || this.isPunct(';', this.peek())) {
            this.i++; // null-forgiving operator: no effect at run time
            break;
          }
          return expr;
        case '::':
          throw new UnsupportedSyntax("'::' alias qualifier", at);
        default:
          return expr;
      }
    }
  }

  private argumentList(close: string): Argument[] {
    const args: Argument[] = [];
    if (this.eat(close)) return args;
    do {
      const arg: Argument = { value: undefined as unknown as Expr };
      if (this.isIdentifier() && this.isPunct(':', this.peek()) && !this.isPunct(':', this.peek(2))) {
        arg.name = this.identifier();
        this.i++;
      }
      if (this.isWord('out') || this.isWord('ref')) {
        arg.modifier = (this.token as { value: string }).value as 'out' | 'ref';
        this.i++;
        const declared = this.speculate(() => {
          const typeAt = this.token.start;
          let type: TypeName | undefined;
          if (this.isWord('var')) this.i++;
          else type = this.type();
          if (!this.isIdentifier()) return undefined;
          const nameAt = this.token.start;
          const name = this.identifier();
          if (!this.isPunct(',') && !this.isPunct(close)) return undefined;
          return { type, name, nameAt, typeAt };
        });
        if (declared) {
          arg.declares = { name: declared.name, type: declared.type };
          arg.value = { kind: 'name', name: declared.name, at: declared.nameAt };
          args.push(arg);
          continue;
        }
      } else if (this.isWord('in') ) {
        this.i++;
      }
      arg.value = this.expression();
      args.push(arg);
    } while (this.eat(','));
    this.expect(close);
    return args;
  }

  private creation(): Expr {
    const at = this.expect('new').start;
    if (this.isPunct('{')) {
      this.i++;
      const members: { name: string; value: Expr }[] = [];
      while (!this.eat('}')) {
        if (this.isIdentifier() && this.isPunct('=', this.peek())) {
          const name = this.identifier();
          this.i++;
          members.push({ name, value: this.expression() });
        } else {
          const value = this.expression();
          const name = value.kind === 'member' || value.kind === 'name' ? value.name : undefined;
          if (!name) throw new SyntaxProblem('invalid anonymous type member declarator', value.at);
          members.push({ name, value });
        }
        if (!this.eat(',')) {
          this.expect('}');
          break;
        }
      }
      return { kind: 'anonymous', members, at };
    }
    if (this.isPunct('[')) {
      this.i++;
      this.expect(']');
      return { kind: 'newArray', sizes: [], items: this.arrayItems(), at };
    }
    if (this.isPunct('(')) throw new UnsupportedSyntax('target-typed new', at);
    const type = this.type(true);
    if (type.arrays > 0) {
      if (!this.isPunct('{')) throw new SyntaxProblem('array creation needs a size or an initializer', this.token.start);
      return { kind: 'newArray', type: { ...type, arrays: type.arrays - 1 }, sizes: [], items: this.arrayItems(), at };
    }
    if (this.isPunct('[')) {
      this.i++;
      const sizes = [this.expression()];
      if (this.isPunct(',')) throw new UnsupportedSyntax('multi-dimensional array', this.token.start);
      this.expect(']');
      let ranks = 0;
      while (this.isPunct('[') && this.isPunct(']', this.peek())) {
        this.i += 2;
        ranks++;
      }
      const items = this.isPunct('{') ? this.arrayItems() : undefined;
      return { kind: 'newArray', type: { ...type, arrays: ranks }, sizes, items, at };
    }
    const parenthesized = this.eat('(');
    const args = parenthesized ? this.argumentList(')') : [];
    const init = this.isPunct('{') ? this.objectInitializer() : undefined;
    if (!parenthesized && !init) throw new SyntaxProblem("'(' or '{' expected", this.token.start);
    return { kind: 'new', type, args, init, at };
  }

  private arrayItems(): Expr[] {
    this.expect('{');
    const items: Expr[] = [];
    while (!this.eat('}')) {
      items.push(this.isPunct('{') ? { kind: 'newArray', sizes: [], items: this.arrayItems(), at: this.token.start } : this.expression());
      if (!this.eat(',')) {
        this.expect('}');
        break;
      }
    }
    return items;
  }

  private objectInitializer(): Initializer {
    this.expect('{');
    if (this.eat('}')) return { kind: 'collection', items: [] };
    if (this.isIdentifier() && this.isPunct('=', this.peek())) {
      const members: { name: string; value: Expr }[] = [];
      do {
        if (this.isPunct('}')) break;
        const name = this.identifier();
        this.expect('=');
        if (this.isPunct('{')) throw new UnsupportedSyntax('nested object initializer', this.token.start);
        members.push({ name, value: this.expression() });
      } while (this.eat(','));
      this.expect('}');
      return { kind: 'object', members };
    }
    if (this.isPunct('[')) {
      const items: { key: Expr[]; value: Expr }[] = [];
      do {
        if (this.isPunct('}')) break;
        this.expect('[');
        const key = this.argumentList(']').map((a) => a.value);
        this.expect('=');
        items.push({ key, value: this.expression() });
      } while (this.eat(','));
      this.expect('}');
      return { kind: 'indexed', items };
    }
    const items: Expr[][] = [];
    do {
      if (this.isPunct('}')) break;
      if (this.eat('{')) items.push(this.argumentList('}').map((a) => a.value));
      else items.push([this.expression()]);
    } while (this.eat(','));
    this.expect('}');
    return { kind: 'collection', items };
  }
}
