/** Casts (`(T)x`), `as`, declared-type conversions and System.Convert. */
import {
  CsException,
  csString,
  FLOATING,
  INTEGRAL,
  invalidCast,
  isInstance,
  numeric,
  valueTypeName,
  type TypeRef,
} from './core';
import { CsDateTime, CsDateTimeOffset, parseDateTime } from './datetime';
import { CsGuid } from './guid';
import { bankersRound, convertToken, JToken, toToken } from './json';
import { CsEnum } from './primitives';
import { CsDouble } from './values';

const INT_RANGES: Record<string, [number, number]> = {
  int: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  short: [-32768, 32767],
  ushort: [0, 65535],
  byte: [0, 255],
  sbyte: [-128, 127],
  uint: [0, 4294967295],
  ulong: [0, Number.MAX_SAFE_INTEGER],
};

/** Unchecked narrowing of an integer to `name` (C#'s default: wraps). */
function wrapInteger(value: number, name: string): number {
  switch (name) {
    case 'int':
      return value | 0;
    case 'uint':
      return value >>> 0;
    case 'short':
      return (value << 16) >> 16;
    case 'ushort':
      return value & 0xffff;
    case 'byte':
      return value & 0xff;
    case 'sbyte':
      return (value << 24) >> 24;
    default:
      return value;
  }
}

/** `(T)value`. */
export function castTo(value: unknown, type: TypeRef): unknown {
  const name = type.name;
  if (value === null || value === undefined) {
    if (type.nullable || type.arrays || !(INTEGRAL.has(name) || FLOATING.has(name) || ['bool', 'char', 'DateTime', 'TimeSpan', 'Guid', 'DateTimeOffset'].includes(name))) return null;
    throw new CsException('NullReferenceException', 'Object reference not set to an instance of an object.');
  }
  if (value instanceof JToken && type.arrays === 0 && !['object', 'JToken', 'JObject', 'JArray', 'JValue', 'JProperty', 'JContainer', 'IEnumerable'].includes(name)) {
    return convertToken(value, type);
  }
  if (name === 'object' && type.arrays === 0) return value;
  if (type.arrays === 0 && INTEGRAL.has(name)) {
    if (typeof value === 'number') return wrapInteger(value, name);
    if (value instanceof CsDouble) return wrapInteger(Math.trunc(value.value), name);
    if (value instanceof CsEnum) return value.value;
    if (typeof value === 'string' && value.length === 1) return value.charCodeAt(0);
    throw invalidCast(value, type);
  }
  if (type.arrays === 0 && FLOATING.has(name)) {
    const n = numeric(value);
    if (n !== undefined) return new CsDouble(name === 'float' ? Math.fround(n) : n);
    throw invalidCast(value, type);
  }
  if (name === 'char' && type.arrays === 0) {
    if (typeof value === 'number') return String.fromCharCode(value);
    if (typeof value === 'string' && value.length === 1) return value;
    throw invalidCast(value, type);
  }
  if (isInstance(value, type)) return value;
  throw invalidCast(value, type);
}

/** `value as T`. */
export function asType(value: unknown, type: TypeRef): unknown {
  return isInstance(value, type) ? value : null;
}

/** The implicit conversion when a value is stored in a variable or parameter declared `T`. */
export function coerce(value: unknown, type: TypeRef | undefined): unknown {
  if (!type || value === null || value === undefined || type.arrays) return value;
  if (FLOATING.has(type.name) && typeof value === 'number') return new CsDouble(value);
  if (type.name === 'JToken' && !(value instanceof JToken)) return toToken(value);
  if ((type.name === 'long' || type.name === 'ulong') && typeof value === 'string' && value.length === 1) return value.charCodeAt(0);
  return value;
}

// ---- System.Convert

const formatError = () => new CsException('FormatException', 'Input string was not in a correct format.');

function parseInteger(text: string, name: string): number {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw formatError();
  const n = Number(t);
  const [min, max] = INT_RANGES[name];
  if (n < min || n > max) throw new CsException('OverflowException', `Value was either too large or too small for ${name === 'int' ? 'an Int32' : name === 'long' ? 'an Int64' : `a ${name}`}.`);
  return n;
}

/** Convert.ToInt32 and friends: strings are parsed, doubles rounded to even, bools 1/0. */
export function convertToInteger(value: unknown, name: string, base?: number): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') {
    if (base !== undefined && base !== 10) {
      const t = value.trim().replace(/^0x/i, '');
      const n = parseInt(t, base);
      if (!t || Number.isNaN(n) || !new RegExp(`^[${'0123456789abcdef'.slice(0, base)}]+$`, 'i').test(t)) throw new CsException('FormatException', 'Could not find any recognizable digits.');
      return wrapInteger(n, name);
    }
    return parseInteger(value, name);
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof CsEnum) return value.value;
  const n = numeric(value);
  if (n !== undefined) {
    const rounded = Number.isInteger(n) ? n : bankersRound(n);
    const [min, max] = INT_RANGES[name];
    if (rounded < min || rounded > max) throw new CsException('OverflowException', `Value was either too large or too small for ${name === 'int' ? 'an Int32' : name === 'byte' ? 'an unsigned byte' : `a ${name}`}.`);
    return rounded;
  }
  if (value instanceof JToken) return convertToken(value, { name, args: [], arrays: 0, nullable: false }) as number;
  throw new CsException('InvalidCastException', `Unable to cast object of type '${valueTypeName(value)}' to type 'System.IConvertible'.`);
}

export function convertToDouble(value: unknown): CsDouble {
  if (value === null || value === undefined) return new CsDouble(0);
  if (typeof value === 'string') {
    const t = value.trim();
    const n = Number(t);
    if (!t || Number.isNaN(n) || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw formatError();
    return new CsDouble(n);
  }
  if (typeof value === 'boolean') return new CsDouble(value ? 1 : 0);
  const n = numeric(value);
  if (n !== undefined) return new CsDouble(n);
  if (value instanceof JToken) return convertToken(value, { name: 'double', args: [], arrays: 0, nullable: false }) as CsDouble;
  throw new CsException('InvalidCastException', `Unable to cast object of type '${valueTypeName(value)}' to type 'System.IConvertible'.`);
}

export function convertToBoolean(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
    throw new CsException('FormatException', `String '${value}' was not recognized as a valid Boolean.`);
  }
  const n = numeric(value);
  if (n !== undefined) return n !== 0;
  if (value instanceof JToken) return convertToken(value, { name: 'bool', args: [], arrays: 0, nullable: false }) as boolean;
  throw new CsException('InvalidCastException', `Unable to cast object of type '${valueTypeName(value)}' to type 'System.IConvertible'.`);
}

export function convertToDateTime(value: unknown): CsDateTime {
  if (value === null || value === undefined) return new CsDateTime(-62135596800000, 0, 'Unspecified');
  if (value instanceof CsDateTime) return value;
  if (value instanceof CsDateTimeOffset) return value.local;
  if (typeof value === 'string') return parseDateTime(value);
  throw new CsException('InvalidCastException', `Invalid cast from '${valueTypeName(value)}' to 'DateTime'.`);
}

export function convertToString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return csString(value);
}

export { CsGuid };
