/** .NET number format strings (standard and custom, invariant culture) and composite formatting (string.Format). */
import { CsException, csString, numeric, typeOf } from './core';
import { formatDouble } from './values';

const badFormat = () => new CsException('FormatException', 'Format specifier was invalid.');

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `value.ToString(format)` for a number (`integral`: int/long, else double). */
export function formatNumber(value: number, format: string, integral: boolean): string {
  const standard = /^([A-Za-z])(\d{0,2})$/.exec(format);
  if (!standard) return customFormat(value, format);
  const [, letter, digits] = standard;
  const precision = digits === '' ? undefined : Number(digits);
  const negative = value < 0 || Object.is(value, -0);
  const abs = Math.abs(value);
  switch (letter) {
    case 'D':
    case 'd':
      if (!integral) throw badFormat();
      return (negative && value !== 0 ? '-' : '') + String(abs).padStart(precision ?? 0, '0');
    case 'X':
    case 'x': {
      if (!integral) throw badFormat();
      const hex = (value < 0 ? (value >>> 0) : value).toString(16).padStart(precision ?? 0, '0');
      return letter === 'X' ? hex.toUpperCase() : hex;
    }
    case 'F':
    case 'f':
      return (negative && abs !== 0 ? '-' : '') + abs.toFixed(precision ?? 2);
    case 'N':
    case 'n': {
      const [whole, fraction] = abs.toFixed(precision ?? 2).split('.');
      return (negative && abs !== 0 ? '-' : '') + group(whole) + (fraction ? '.' + fraction : '');
    }
    case 'P':
    case 'p': {
      const [whole, fraction] = (abs * 100).toFixed(precision ?? 2).split('.');
      return (negative && abs !== 0 ? '-' : '') + group(whole) + (fraction ? '.' + fraction : '') + ' %';
    }
    case 'E':
    case 'e': {
      const text = abs.toExponential(precision ?? 6);
      const [mantissa, exponent] = text.split('e');
      const exp = Number(exponent);
      return (negative ? '-' : '') + mantissa + (letter === 'E' ? 'E' : 'e') + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(3, '0');
    }
    case 'G':
    case 'g':
      if (precision === undefined) return integral ? String(value) : formatDouble(value);
      return String(Number(value.toPrecision(precision)));
    case 'R':
    case 'r':
      return integral ? String(value) : formatDouble(value);
    case 'C':
    case 'c': {
      const [whole, fraction] = abs.toFixed(precision ?? 2).split('.');
      return (negative && abs !== 0 ? '-' : '') + '¤' + group(whole) + (fraction ? '.' + fraction : '');
    }
  }
  return customFormat(value, format);
}

/** Custom numeric formats: `0`, `#`, `.`, `,` (grouping), `%`, quoted and escaped literals, `;` sections. */
function customFormat(value: number, format: string): string {
  const sections = format.split(';');
  let pattern = sections[0];
  let v = value;
  if (value < 0 && sections.length > 1 && sections[1] !== '') {
    pattern = sections[1];
    v = -value;
  } else if (value === 0 && sections.length > 2 && sections[2] !== '') pattern = sections[2];
  const negativeSign = v < 0 ? '-' : '';
  v = Math.abs(v);
  // Split into literal and placeholder parts.
  let integerPattern = '';
  let fractionPattern = '';
  let seenDot = false;
  let grouping = false;
  let percent = 0;
  const prefix: string[] = [];
  const suffix: string[] = [];
  let inNumber = false;
  let afterNumber = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '0' || c === '#') {
      inNumber = true;
      if (seenDot) fractionPattern += c;
      else integerPattern += c;
      continue;
    }
    if (c === '.' && !seenDot) {
      seenDot = true;
      inNumber = true;
      continue;
    }
    if (c === ',' && inNumber && !seenDot) {
      grouping = true;
      continue;
    }
    let literal = c;
    if (c === '\\') literal = pattern[++i] ?? '';
    else if (c === "'" || c === '"') {
      const close = pattern.indexOf(c, i + 1);
      literal = pattern.slice(i + 1, close < 0 ? undefined : close);
      i = close < 0 ? pattern.length : close;
    } else if (c === '%') percent++;
    if (inNumber) afterNumber = true;
    (afterNumber ? suffix : prefix).push(literal);
  }
  if (!inNumber) return prefix.join('') + suffix.join('');
  v *= Math.pow(100, percent);
  const minFraction = fractionPattern.replace(/#/g, '').length;
  const maxFraction = fractionPattern.length;
  let [whole, fraction = ''] = v.toFixed(maxFraction).split('.');
  while (fraction.length > minFraction && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  const minInteger = integerPattern.replace(/#/g, '').length;
  if (whole === '0' && minInteger === 0) whole = '';
  whole = whole.padStart(minInteger, '0');
  if (grouping) whole = group(whole);
  const body = whole + (fraction ? '.' + fraction : '');
  const sign = negativeSign && /[1-9]/.test(body) ? '-' : '';
  return sign + prefix.join('') + body + suffix.join('');
}

/** `value.ToString(format)` through the value's own formatting (numbers, dates, Guids, …). */
export function formatValue(value: unknown, format: string | undefined): string {
  if (value === null || value === undefined) return '';
  if (format === undefined) return csString(value);
  const n = numeric(value);
  if (n !== undefined) return formatNumber(n, format, typeof value === 'number');
  const toString = typeOf(value).methods.ToString;
  return csString(toString(value, [format], { typeArgs: [] }));
}

function align(text: string, alignment: number | undefined): string {
  if (!alignment) return text;
  return alignment > 0 ? text.padStart(alignment) : text.padEnd(-alignment);
}

/** One interpolation hole or format item. */
export function formatItem(value: unknown, alignment: number | undefined, format: string | undefined): string {
  return align(formatValue(value, format), alignment);
}

/** `string.Format(format, args…)`. */
export function compositeFormat(format: string, args: unknown[]): string {
  let out = '';
  let i = 0;
  const invalid = () => new CsException('FormatException', 'Input string was not in a correct format.');
  while (i < format.length) {
    const c = format[i];
    if (c === '{') {
      if (format[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      const close = format.indexOf('}', i);
      if (close < 0) throw invalid();
      const item = /^\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::(.*))?$/s.exec(format.slice(i + 1, close));
      if (!item) throw invalid();
      const index = Number(item[1]);
      if (index >= args.length) throw new CsException('FormatException', 'Index (zero based) must be greater than or equal to zero and less than the size of the argument list.');
      out += formatItem(args[index], item[2] === undefined ? undefined : Number(item[2]), item[3]);
      i = close + 1;
      continue;
    }
    if (c === '}') {
      if (format[i + 1] !== '}') throw invalid();
      out += '}';
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
