/**
 * APIM policy expressions: `@(...)` (single statement) and `@{...}` (multi-statement C# block).
 *
 * APIM reads an expression to its balanced closing bracket, so the C# inside may hold `"`, `<`, `>` and `&&`
 * without XML escaping. Finding that end needs a small C# lexer: brackets inside string literals
 * ("…", verbatim @"…", interpolated $"…{hole}…"), char literals and comments do not count.
 * The lexer keeps an explicit stack (no recursion), so hostile input cannot overflow the call stack.
 */

/** True when `text[at]` starts a policy expression (`@(` or `@{`). */
export function isExpressionStart(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== AT) return false;
  const next = text.charCodeAt(at + 1);
  return next === OPEN_PAREN || next === OPEN_BRACE;
}

/**
 * Given `text[at]` = '@' starting an expression, returns the index just past its balanced end,
 * or -1 when the text ends first.
 */
export function scanExpressionEnd(text: string, at: number): number {
  // Each frame is either C# code (with its open-bracket depth) or an interpolated string being read.
  const frames: Frame[] = [{ kind: 'code', depth: 0 }];
  const length = text.length;
  let i = at + 1;
  while (i < length) {
    const frame = frames[frames.length - 1];
    const c = text.charCodeAt(i);
    if (frame.kind === 'istring') {
      if (c === QUOTE) {
        if (frame.verbatim && text.charCodeAt(i + 1) === QUOTE) {
          i += 2;
          continue;
        }
        frames.pop();
      } else if (c === BACKSLASH && !frame.verbatim) {
        i++;
      } else if (c === NEWLINE && !frame.verbatim) {
        frames.pop(); // an unterminated regular string ends at the line end (C# would reject it anyway)
      } else if (c === OPEN_BRACE || c === CLOSE_BRACE) {
        if (text.charCodeAt(i + 1) === c) {
          i += 2; // `{{` / `}}` are literal braces in an interpolated string
          continue;
        }
        if (c === OPEN_BRACE) frames.push({ kind: 'code', depth: 1 });
      }
      i++;
      continue;
    }
    switch (c) {
      case OPEN_PAREN:
      case OPEN_BRACE:
      case OPEN_BRACKET:
        frame.depth++;
        i++;
        break;
      case CLOSE_PAREN:
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        frame.depth--;
        i++;
        if (frame.depth === 0) {
          if (frames.length === 1) return i;
          frames.pop(); // end of an interpolation hole: back into its string
        }
        break;
      case QUOTE:
        i = skipRegularString(text, i + 1);
        break;
      case APOSTROPHE:
        i = skipCharLiteral(text, i);
        break;
      case AT:
      case DOLLAR: {
        const prefix = stringPrefixLength(text, i);
        if (prefix === 0) {
          i++;
        } else if (text.charCodeAt(i) === AT && prefix === 2) {
          i = skipVerbatimString(text, i + 2);
        } else {
          frames.push({ kind: 'istring', verbatim: prefix === 3 });
          i += prefix;
        }
        break;
      }
      case SLASH: {
        const next = text.charCodeAt(i + 1);
        if (next === SLASH) {
          const end = text.indexOf('\n', i + 2);
          i = end < 0 ? length : end;
        } else if (next === STAR) {
          const end = text.indexOf('*/', i + 2);
          i = end < 0 ? length : end + 2;
        } else {
          i++;
        }
        break;
      }
      default:
        i++;
    }
  }
  return -1;
}

/** One piece of a decoded attribute value or text: literal text or a policy expression as written. */
export interface ValueSegment {
  expression: boolean;
  text: string;
}

/**
 * Splits a value into literal text and policy expressions. From an unterminated `@(` on, the rest is
 * literal (no rawxml document can hold it anyway), which keeps this linear on hostile input.
 */
export function splitExpressions(value: string): ValueSegment[] {
  const segments: ValueSegment[] = [];
  let literalStart = 0;
  let at = value.indexOf('@');
  while (at >= 0) {
    if (!isExpressionStart(value, at)) {
      at = value.indexOf('@', at + 1);
      continue;
    }
    const end = scanExpressionEnd(value, at);
    if (end < 0) break;
    if (at > literalStart) segments.push({ expression: false, text: value.slice(literalStart, at) });
    segments.push({ expression: true, text: value.slice(at, end) });
    literalStart = end;
    at = value.indexOf('@', end);
  }
  if (literalStart < value.length || segments.length === 0) {
    segments.push({ expression: false, text: value.slice(literalStart) });
  }
  return segments;
}

/** True when the whole value (ignoring surrounding whitespace) is one policy expression. */
export function isPolicyExpression(value: string): boolean {
  const trimmed = value.trim();
  return isExpressionStart(trimmed, 0) && scanExpressionEnd(trimmed, 0) === trimmed.length;
}

type Frame = { kind: 'code'; depth: number } | { kind: 'istring'; verbatim: boolean };

/** Length of a string-literal prefix at `i`: `@"` → 2, `$"` → 2, `$@"`/`@$"` → 3 (interpolated verbatim), else 0. */
function stringPrefixLength(text: string, i: number): number {
  const next = text.charCodeAt(i + 1);
  if (next === QUOTE) return 2;
  const other = text.charCodeAt(i) === AT ? DOLLAR : AT;
  return next === other && text.charCodeAt(i + 2) === QUOTE ? 3 : 0;
}

/** From just past a regular string's opening `"`: the index just past its closing `"` (escapes skipped). */
export function skipRegularString(text: string, i: number): number {
  const length = text.length;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else if (c === NEWLINE) return i; // unterminated: stop at the line end rather than swallow the document
    else i++;
  }
  return length;
}

/** From just past a verbatim string's opening `@"`: the index just past its closing `"` (`""` is a quote). */
export function skipVerbatimString(text: string, i: number): number {
  for (;;) {
    const end = text.indexOf('"', i);
    if (end < 0) return text.length;
    if (text.charCodeAt(end + 1) !== QUOTE) return end + 1;
    i = end + 2;
  }
}

/** `'x'`, `'\n'`, `'\''`, `'\u0041'`; a lone apostrophe is skipped as one character. */
function skipCharLiteral(text: string, i: number): number {
  let j = i + 1;
  if (text.charCodeAt(j) === BACKSLASH) j += 2;
  else j += 1;
  const end = text.indexOf("'", j);
  return end >= 0 && end - j <= 8 && !text.slice(j, end).includes('\n') ? end + 1 : i + 1;
}

const AT = 0x40;
const DOLLAR = 0x24;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const STAR = 0x2a;
const NEWLINE = 0x0a;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
