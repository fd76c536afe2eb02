/**
 * The C# lexer of the interpreter. Tokens keep offsets into the whole expression text, so every error can name
 * its file:line:column. Interpolated strings are one token whose holes are offset ranges the parser reads again.
 */

export type Token =
  | { kind: 'ident'; value: string; verbatim: boolean; start: number; end: number }
  | { kind: 'int'; value: number; suffix: string; start: number; end: number }
  | { kind: 'real'; value: number; suffix: string; start: number; end: number }
  | { kind: 'string'; value: string; start: number; end: number }
  | { kind: 'char'; value: string; start: number; end: number }
  | { kind: 'interpolated'; parts: RawPart[]; start: number; end: number }
  | { kind: 'punct'; value: string; start: number; end: number }
  | { kind: 'eof'; start: number; end: number };

/** A literal piece of an interpolated string, or a hole: expression [start, end), optional alignment and format. */
export type RawPart = string | { start: number; end: number; alignment?: { start: number; end: number }; format?: string };

export class LexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const PUNCTUATORS = [
  '??=', '<<=', '=>', '==', '!=', '<=', '>=', '&&', '||', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '??', '?.', '::', '<<', '{', '}', '(', ')', '[', ']', ';', ',', '.', ':', '?', '+', '-', '*', '/', '%', '&', '|', '^',
  '!', '~', '=', '<', '>',
];

const isIdentStart = (c: string) => /[A-Za-z_\u00C0-\uFFFF]/.test(c);
const isIdentPart = (c: string) => /[A-Za-z0-9_\u00C0-\uFFFF]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

/** Tokens of `text[start, end)`, ending with an `eof` token at `end`. */
export function tokenize(text: string, start: number, end: number): Token[] {
  const tokens: Token[] = [];
  let i = start;
  while (i < end) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0') {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < end && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || close + 2 > end) throw new LexError('unterminated comment', i);
      i = close + 2;
      continue;
    }
    if (c === '#') throw new LexError('preprocessor directive', i);
    const tokenStart = i;
    if (c === '$' || (c === '@' && (text[i + 1] === '"' || text[i + 1] === '$'))) {
      let verbatim = false;
      let interpolated = false;
      while (text[i] === '$' || text[i] === '@') {
        if (text[i] === '$') interpolated = true;
        else verbatim = true;
        i++;
      }
      if (text[i] !== '"') throw new LexError(`unexpected character '${c}'`, tokenStart);
      if (interpolated) {
        const { parts, next } = readInterpolated(text, i + 1, end, verbatim);
        tokens.push({ kind: 'interpolated', parts, start: tokenStart, end: next });
        i = next;
      } else {
        const { value, next } = readVerbatim(text, i + 1, end);
        tokens.push({ kind: 'string', value, start: tokenStart, end: next });
        i = next;
      }
      continue;
    }
    if (c === '@' && isIdentStart(text[i + 1] ?? '')) {
      i++;
      while (i < end && isIdentPart(text[i])) i++;
      tokens.push({ kind: 'ident', value: text.slice(tokenStart + 1, i), verbatim: true, start: tokenStart, end: i });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < end && isIdentPart(text[i])) i++;
      tokens.push({ kind: 'ident', value: text.slice(tokenStart, i), verbatim: false, start: tokenStart, end: i });
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      const token = readNumber(text, i, end);
      tokens.push(token);
      i = token.end;
      continue;
    }
    if (c === '"') {
      const { value, next } = readRegular(text, i + 1, end, '"');
      tokens.push({ kind: 'string', value, start: tokenStart, end: next });
      i = next;
      continue;
    }
    if (c === "'") {
      const { value, next } = readRegular(text, i + 1, end, "'");
      if ([...value].length !== 1) throw new LexError('a char literal holds exactly one character', tokenStart);
      tokens.push({ kind: 'char', value, start: tokenStart, end: next });
      i = next;
      continue;
    }
    const punct = PUNCTUATORS.find((p) => text.startsWith(p, i) && i + p.length <= end);
    if (!punct) throw new LexError(`unexpected character '${c}'`, i);
    tokens.push({ kind: 'punct', value: punct, start: i, end: i + punct.length });
    i += punct.length;
  }
  tokens.push({ kind: 'eof', start: end, end });
  return tokens;
}

function readNumber(text: string, i: number, end: number): Token {
  const start = i;
  let digits = '';
  let real = false;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    i += 2;
    while (i < end && /[0-9A-Fa-f_]/.test(text[i])) digits += text[i++];
    const suffix = readSuffix(text, i, end, /^(ul|lu|u|l)/i);
    return { kind: 'int', value: parseInt(digits.replace(/_/g, ''), 16), suffix: suffix.toLowerCase(), start, end: i + suffix.length };
  }
  if (text[i] === '0' && (text[i + 1] === 'b' || text[i + 1] === 'B')) {
    i += 2;
    while (i < end && /[01_]/.test(text[i])) digits += text[i++];
    const suffix = readSuffix(text, i, end, /^(ul|lu|u|l)/i);
    return { kind: 'int', value: parseInt(digits.replace(/_/g, ''), 2), suffix: suffix.toLowerCase(), start, end: i + suffix.length };
  }
  while (i < end && (isDigit(text[i]) || text[i] === '_')) digits += text[i++];
  if (text[i] === '.' && isDigit(text[i + 1] ?? '')) {
    real = true;
    digits += text[i++];
    while (i < end && (isDigit(text[i]) || text[i] === '_')) digits += text[i++];
  }
  if ((text[i] === 'e' || text[i] === 'E') && /[0-9+-]/.test(text[i + 1] ?? '')) {
    real = true;
    digits += text[i++];
    if (text[i] === '+' || text[i] === '-') digits += text[i++];
    while (i < end && isDigit(text[i])) digits += text[i++];
  }
  const value = Number(digits.replace(/_/g, ''));
  const realSuffix = readSuffix(text, i, end, /^[dfm]/i);
  if (realSuffix) return { kind: 'real', value, suffix: realSuffix.toLowerCase(), start, end: i + 1 };
  if (real) return { kind: 'real', value, suffix: '', start, end: i };
  const suffix = readSuffix(text, i, end, /^(ul|lu|u|l)/i);
  return { kind: 'int', value, suffix: suffix.toLowerCase(), start, end: i + suffix.length };
}

function readSuffix(text: string, i: number, end: number, pattern: RegExp): string {
  const match = pattern.exec(text.slice(i, Math.min(end, i + 2)));
  if (!match) return '';
  if (isIdentPart(text[i + match[0].length] ?? '')) throw new LexError('invalid number literal', i);
  return match[0];
}

/** A regular string or char body from just past its opening quote: the decoded value and the index past the close. */
function readRegular(text: string, i: number, end: number, quote: string): { value: string; next: number } {
  let value = '';
  const start = i - 1;
  while (i < end) {
    const c = text[i];
    if (c === quote) return { value, next: i + 1 };
    if (c === '\n') break;
    if (c === '\\') {
      const { char, next } = readEscape(text, i);
      value += char;
      i = next;
    } else {
      value += c;
      i++;
    }
  }
  throw new LexError(quote === '"' ? 'unterminated string literal' : 'unterminated char literal', start);
}

const SIMPLE_ESCAPES: Record<string, string> = { "'": "'", '"': '"', '\\': '\\', '0': '\0', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function readEscape(text: string, i: number): { char: string; next: number } {
  const e = text[i + 1];
  if (e in SIMPLE_ESCAPES) return { char: SIMPLE_ESCAPES[e], next: i + 2 };
  if (e === 'u' || e === 'U') {
    const length = e === 'u' ? 4 : 8;
    const hex = text.slice(i + 2, i + 2 + length);
    if (!new RegExp(`^[0-9A-Fa-f]{${length}}$`).test(hex)) throw new LexError('invalid unicode escape', i);
    return { char: String.fromCodePoint(parseInt(hex, 16)), next: i + 2 + length };
  }
  if (e === 'x') {
    const hex = /^[0-9A-Fa-f]{1,4}/.exec(text.slice(i + 2, i + 6));
    if (!hex) throw new LexError('invalid \\x escape', i);
    return { char: String.fromCharCode(parseInt(hex[0], 16)), next: i + 2 + hex[0].length };
  }
  throw new LexError(`unrecognized escape sequence '\\${e ?? ''}'`, i);
}

function readVerbatim(text: string, i: number, end: number): { value: string; next: number } {
  let value = '';
  const start = i - 2;
  while (i < end) {
    if (text[i] === '"') {
      if (text[i + 1] === '"') {
        value += '"';
        i += 2;
        continue;
      }
      return { value, next: i + 1 };
    }
    value += text[i++];
  }
  throw new LexError('unterminated verbatim string literal', start);
}

function readInterpolated(text: string, i: number, end: number, verbatim: boolean): { parts: RawPart[]; next: number } {
  const parts: RawPart[] = [];
  let literal = '';
  const start = i;
  while (i < end) {
    const c = text[i];
    if (c === '"') {
      if (verbatim && text[i + 1] === '"') {
        literal += '"';
        i += 2;
        continue;
      }
      if (literal) parts.push(literal);
      return { parts, next: i + 1 };
    }
    if (!verbatim && c === '\n') break;
    if (!verbatim && c === '\\') {
      const { char, next } = readEscape(text, i);
      literal += char;
      i = next;
      continue;
    }
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      literal += c;
      i += 2;
      continue;
    }
    if (c === '}') throw new LexError("a '}' in an interpolated string must be doubled", i);
    if (c === '{') {
      if (literal) parts.push(literal);
      literal = '';
      const hole = readHole(text, i + 1, end);
      parts.push(hole.part);
      i = hole.next;
      continue;
    }
    literal += c;
    i++;
  }
  throw new LexError('unterminated interpolated string', start - 1);
}

/** An interpolation hole from just past its `{`: the expression range, alignment, format, and the index past `}`. */
function readHole(text: string, i: number, end: number): { part: RawPart; next: number } {
  const start = i;
  let depth = 0;
  let exprEnd = -1;
  let alignment: { start: number; end: number } | undefined;
  while (i < end) {
    const c = text[i];
    if (c === '"' || c === "'" || ((c === '@' || c === '$') && /["@$]/.test(text[i + 1] ?? ''))) {
      i = skipLiteral(text, i, end);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '}') {
      if (depth === 0) {
        if (exprEnd < 0) exprEnd = i;
        if (alignment && alignment.end < 0) alignment.end = i;
        return { part: { start, end: exprEnd, alignment }, next: i + 1 };
      }
      depth--;
    } else if (depth === 0 && c === ',' && exprEnd < 0) {
      exprEnd = i;
      alignment = { start: i + 1, end: -1 };
    } else if (depth === 0 && c === ':') {
      if (exprEnd < 0) exprEnd = i;
      if (alignment && alignment.end < 0) alignment.end = i;
      const close = text.indexOf('}', i + 1);
      if (close < 0 || close >= end) break;
      return { part: { start, end: exprEnd, alignment, format: text.slice(i + 1, close) }, next: close + 1 };
    }
    i++;
  }
  throw new LexError('unterminated interpolation hole', start - 1);
}

/** Skips a string/char literal (any kind) starting at `i`; returns the index past it. */
function skipLiteral(text: string, i: number, end: number): number {
  const tokens = tokenizeOne(text, i, end);
  return tokens.end;
}

function tokenizeOne(text: string, i: number, end: number): Token {
  let j = i;
  while (text[j] === '$' || text[j] === '@') j++;
  const prefix = text.slice(i, j);
  if (text[j] === "'") return { kind: 'char', value: '', start: i, end: readRegular(text, j + 1, end, "'").next };
  if (prefix.includes('$')) return { kind: 'interpolated', parts: [], start: i, end: readInterpolated(text, j + 1, end, prefix.includes('@')).next };
  if (prefix.includes('@')) return { kind: 'string', value: '', start: i, end: readVerbatim(text, j + 1, end).next };
  return { kind: 'string', value: '', start: i, end: readRegular(text, j + 1, end, '"').next };
}
