/** Static members and constructors of the allowed types, by canonical type name. */
import type { GatewayCallState } from '../context';
import {
  argumentNull,
  argumentOutOfRange,
  CsException,
  csEquals,
  csString,
  intArg,
  numberArg,
  numeric,
  Ref,
  stringArg,
  toArray,
  type CallSite,
} from './core';
import { convertToBoolean, convertToDateTime, convertToDouble, convertToInteger, convertToString } from './convert';
import { CsDateTime, CsDateTimeOffset, CsTimeSpan, DateTimeKind, DayOfWeek, EPOCH_OFFSET_MS, MAX_MS, MIN_MS, parseDate, parseDateTime, TICKS_PER_MS } from './datetime';
import { compositeFormat } from './format';
import { CsGuid } from './guid';
import { Formatting, JArray, JObject, JProperty, JTokenType, JValue, parseJson, serialize, toToken, convertToken, JToken } from './json';
import {
  bytesArg,
  CsHash,
  CsRandom,
  CsRegex,
  CsStringBuilder,
  CsUri,
  ENCODINGS,
  escapeDataString,
  htmlDecode,
  htmlEncode,
  regexOptions,
  RegexOptions,
  unescapeDataString,
  UriPartial,
  urlDecode,
  urlEncode,
} from './library';
import { compareStrings, CsEnum, CsExceptionValue, enumMembers, ignoresCase, KeyValuePair, StringComparison, StringSplitOptions } from './primitives';
import { CsDouble } from './values';
import { bankersRound } from './json';

export type StaticMethod = (args: unknown[], site: CallSite, env: GatewayCallState) => unknown;

export interface StaticType {
  props?: Record<string, (env: GatewayCallState) => unknown>;
  methods?: Record<string, StaticMethod>;
  /** `new T(args)`; `site.typeArgs` are the type's own generic arguments. */
  construct?: StaticMethod;
}

const constant = (value: unknown) => () => value;

function parseOut(parse: (text: string) => unknown, fallback: unknown): StaticMethod {
  return ([text, ...rest]) => {
    const out = rest.find((r) => r instanceof Ref) as Ref;
    try {
      if (text === null || text === undefined) throw new Error();
      out.set(parse(csString(text)));
      return true;
    } catch {
      out.set(fallback);
      return false;
    }
  };
}

function integerType(name: string, min: number, max: number): StaticType {
  const parse = (text: unknown) => {
    if (text === null || text === undefined) throw argumentNull('s');
    return convertToInteger(csString(text), name);
  };
  return {
    props: { MaxValue: constant(max), MinValue: constant(min) },
    methods: {
      Parse: ([text, style]) => {
        if (style instanceof CsEnum && style.name === 'HexNumber') return convertToInteger(csString(text), name, 16);
        return parse(text);
      },
      TryParse: parseOut(parse, 0),
    },
  };
}

function doubleParse(text: unknown): CsDouble {
  if (text === null || text === undefined) throw argumentNull('s');
  return convertToDouble(csString(text));
}

const floating: StaticType = {
  props: {
    MaxValue: constant(new CsDouble(Number.MAX_VALUE)),
    MinValue: constant(new CsDouble(-Number.MAX_VALUE)),
    NaN: constant(new CsDouble(NaN)),
    PositiveInfinity: constant(new CsDouble(Infinity)),
    NegativeInfinity: constant(new CsDouble(-Infinity)),
    Epsilon: constant(new CsDouble(Number.MIN_VALUE)),
  },
  methods: {
    Parse: ([text]) => doubleParse(text),
    TryParse: parseOut(doubleParse, new CsDouble(0)),
    IsNaN: ([v]) => Number.isNaN(numberArg(v)),
    IsInfinity: ([v]) => !Number.isFinite(numberArg(v)) && !Number.isNaN(numberArg(v)),
  },
};

function boolParse(text: unknown): boolean {
  if (text === null || text === undefined) throw argumentNull('value');
  const t = csString(text).trim().toLowerCase();
  if (t !== 'true' && t !== 'false') throw new CsException('FormatException', `String '${csString(text)}' was not recognized as a valid Boolean.`);
  return t === 'true';
}

function join(separator: unknown, values: unknown[]): string {
  const items = values.length === 1 && values[0] !== null && typeof values[0] === 'object' ? toArray(values[0]) : values;
  return items.map((v) => (v === null || v === undefined ? '' : csString(v))).join(separator === null ? '' : csString(separator));
}

function mathRound([value, a, b]: unknown[]): unknown {
  const digits = typeof a === 'number' ? a : 0;
  const mode = a instanceof CsEnum ? a : b instanceof CsEnum ? b : undefined;
  const n = numberArg(value);
  const factor = Math.pow(10, digits);
  const scaled = Number((n * factor).toPrecision(15));
  const rounded = mode?.name === 'AwayFromZero' ? Math.sign(scaled) * Math.round(Math.abs(scaled)) : mode?.name === 'ToZero' ? Math.trunc(scaled) : bankersRound(scaled);
  return new CsDouble(rounded / factor);
}

/** A numeric result typed like its inputs: integers stay integers, anything floating is a double. */
function sameKind(inputs: unknown[], result: number): unknown {
  return inputs.every((i) => typeof i === 'number') ? result : new CsDouble(result);
}

const math1 = (fn: (n: number) => number): StaticMethod => ([v]) => new CsDouble(fn(numberArg(v)));

function dateFromParts(args: unknown[]): CsDateTime {
  const kind = args.find((a) => a instanceof CsEnum) as CsEnum | undefined;
  const numbers = args.filter((a) => !(a instanceof CsEnum)).map((a) => intArg(a));
  const kindName = (kind?.name ?? 'Unspecified') as 'Utc' | 'Local' | 'Unspecified';
  if (numbers.length === 1) return new CsDateTime(Math.floor(numbers[0] / TICKS_PER_MS) - EPOCH_OFFSET_MS, numbers[0] % TICKS_PER_MS, kindName);
  const [year, month, day, hour = 0, minute = 0, second = 0, ms = 0] = numbers;
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate() || hour > 23 || minute > 59 || second > 59)
    throw new CsException('ArgumentOutOfRangeException', 'Year, Month, and Day parameters describe an un-representable DateTime.');
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  d.setUTCFullYear(year);
  return new CsDateTime(d.getTime(), 0, kindName);
}

function timeSpanFromParts(args: unknown[]): CsTimeSpan {
  const n = args.map((a) => intArg(a));
  if (n.length === 1) return new CsTimeSpan(n[0]);
  const [d, h, m, s, ms] = n.length === 3 ? [0, n[0], n[1], n[2], 0] : [n[0], n[1], n[2], n[3], n[4] ?? 0];
  return CsTimeSpan.fromMs((((d * 24 + h) * 60 + m) * 60 + s) * 1000 + ms);
}

const fromUnit = (unitMs: number): StaticMethod => ([v]) => CsTimeSpan.fromMs(numberArg(v) * unitMs);

function exceptionType(name: string): StaticType {
  return { construct: ([message]) => new CsExceptionValue(new CsException(name, message === undefined ? `Exception of type 'System.${name}' was thrown.` : csString(message))) };
}

function fromBase64(text: unknown): Uint8Array {
  if (text === null || text === undefined) throw argumentNull('s');
  const t = csString(text).replace(/[\s]/g, '');
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) {
    throw new CsException('FormatException', 'The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.');
  }
  return Buffer.from(t, 'base64');
}

function hashType(algorithm: string, keyed: boolean): StaticType {
  return {
    construct: ([key]) => new CsHash(algorithm, keyed ? (key === undefined ? Uint8Array.from(Buffer.alloc(64)) : bytesArg(key, 'key')) : undefined),
    methods: { Create: () => new CsHash(algorithm, keyed ? Uint8Array.from(Buffer.alloc(64)) : undefined) },
  };
}

function jsonContainer(kind: 'Object' | 'Array'): StaticType {
  const make = () => (kind === 'Object' ? new JObject() : new JArray());
  const add = (container: JObject | JArray, content: unknown) => {
    if (content instanceof JArray && container instanceof JArray && content.parent === null) {
      for (const item of content.items) container.add(item);
      return;
    }
    if (container instanceof JObject) {
      if (content instanceof JProperty) container.addProperty(content);
      else if (content instanceof JObject) for (const p of content.properties.values()) container.addProperty(p);
      else if (Array.isArray(content)) for (const item of content) add(container, item);
      else if (content !== null) throw new CsException('ArgumentException', `Can not add ${csString(content)} to Newtonsoft.Json.Linq.JObject.`);
    } else if (Array.isArray(content)) for (const item of content) container.add(item);
    else container.add(content);
  };
  return {
    construct: (args) => {
      const container = make();
      for (const content of args) add(container, content);
      return container;
    },
    methods: {
      Parse: ([text]) => parseJson(text, kind),
      FromObject: ([value]) => {
        const token = toToken(value);
        if (token.kind !== kind) throw new CsException('ArgumentException', `Object serialized to ${token.kind}. ${kind === 'Object' ? 'JObject' : 'JArray'} instance expected.`);
        return token;
      },
      Load: () => {
        throw new CsException('NotSupportedException', 'JsonReader is not supported by the gateway emulator.');
      },
    },
  };
}

function uriEscape(text: unknown): string {
  if (text === null || text === undefined) throw argumentNull('stringToEscape');
  return escapeDataString(csString(text));
}

export const STATICS: Record<string, StaticType> = {
  string: {
    props: { Empty: constant('') },
    methods: {
      IsNullOrEmpty: ([v]) => v === null || v === undefined || v === '',
      IsNullOrWhiteSpace: ([v]) => v === null || v === undefined || csString(v).trim() === '',
      Join: ([separator, ...values]) => join(separator, values),
      Concat: (values) => join('', values),
      Format: ([format, ...args]) => {
        if (format === null) throw argumentNull('format');
        const items = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
        return compositeFormat(csString(format), items);
      },
      Equals: ([a, b, comparison]) => (a === null || b === null ? a === b : ignoresCase(comparison) ? csString(a).toLowerCase() === csString(b).toLowerCase() : a === b),
      Compare: ([a, b, c]) => {
        if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
        const ignore = c === true || ignoresCase(c);
        if (c instanceof CsEnum && c.name.startsWith('Ordinal')) {
          const x = ignore ? csString(a).toUpperCase() : csString(a);
          const y = ignore ? csString(b).toUpperCase() : csString(b);
          return x < y ? -1 : x > y ? 1 : 0;
        }
        return compareStrings(csString(a), csString(b), ignore);
      },
      CompareOrdinal: ([a, b]) => (csString(a) < csString(b) ? -1 : csString(a) > csString(b) ? 1 : 0),
    },
    construct: ([c, count]) => (Array.isArray(c) ? c.join('') : csString(c).repeat(intArg(count))),
  },
  int: integerType('int', -2147483648, 2147483647),
  long: integerType('long', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  short: integerType('short', -32768, 32767),
  ushort: integerType('ushort', 0, 65535),
  uint: integerType('uint', 0, 4294967295),
  ulong: integerType('ulong', 0, Number.MAX_SAFE_INTEGER),
  byte: integerType('byte', 0, 255),
  sbyte: integerType('sbyte', -128, 127),
  double: floating,
  float: floating,
  decimal: floating,
  bool: {
    props: { TrueString: constant('True'), FalseString: constant('False') },
    methods: { Parse: ([text]) => boolParse(text), TryParse: parseOut(boolParse, false) },
  },
  char: {
    methods: {
      IsDigit: ([c]) => /^\d$/.test(csString(c)),
      IsLetter: ([c]) => /^\p{L}$/u.test(csString(c)),
      IsLetterOrDigit: ([c]) => /^[\p{L}\d]$/u.test(csString(c)),
      IsWhiteSpace: ([c]) => /^\s$/.test(csString(c)),
      IsUpper: ([c]) => /^\p{Lu}$/u.test(csString(c)),
      IsLower: ([c]) => /^\p{Ll}$/u.test(csString(c)),
      IsPunctuation: ([c]) => /^\p{P}$/u.test(csString(c)),
      ToUpper: ([c]) => csString(c).toUpperCase(),
      ToLower: ([c]) => csString(c).toLowerCase(),
      ToUpperInvariant: ([c]) => csString(c).toUpperCase(),
      ToLowerInvariant: ([c]) => csString(c).toLowerCase(),
    },
  },
  object: {
    methods: { Equals: ([a, b]) => csEquals(a, b), ReferenceEquals: ([a, b]) => a === b },
    construct: () => ({}),
  },
  DateTime: {
    props: {
      UtcNow: (env) => CsDateTime.fromDate(env.now(), 'Utc'),
      Now: (env) => CsDateTime.fromDate(env.now(), 'Local'),
      Today: (env) => new CsDateTime(Math.floor(env.now().getTime() / 86400000) * 86400000, 0, 'Local'),
      MinValue: constant(new CsDateTime(MIN_MS, 0, 'Unspecified')),
      MaxValue: constant(new CsDateTime(MAX_MS, 9999, 'Unspecified')),
      UnixEpoch: constant(new CsDateTime(0, 0, 'Utc')),
    },
    methods: {
      Parse: ([text]) => parseDateTime(stringArg(text, 's')),
      ParseExact: ([text]) => parseDateTime(stringArg(text, 's')),
      TryParse: parseOut(parseDateTime, new CsDateTime(MIN_MS, 0, 'Unspecified')),
      TryParseExact: ([text, , , , out]) => parseOut(parseDateTime, new CsDateTime(MIN_MS, 0, 'Unspecified'))([text, out], { typeArgs: [] }, undefined as never),
      SpecifyKind: ([value, kind]) => new CsDateTime((value as CsDateTime).ms, (value as CsDateTime).sub, (kind as CsEnum).name as 'Utc'),
      DaysInMonth: ([year, month]) => new Date(Date.UTC(intArg(year), intArg(month), 0)).getUTCDate(),
      IsLeapYear: ([year]) => {
        const y = intArg(year);
        return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
      },
      Compare: ([a, b]) => (a as CsDateTime).compareTo(b),
      FromFileTimeUtc: ([ticks]) => dateFromParts([intArg(ticks) + 504911232000000000, DateTimeKind.Utc]),
    },
    construct: (args) => dateFromParts(args),
  },
  DateTimeOffset: {
    props: {
      UtcNow: (env) => new CsDateTimeOffset(env.now().getTime(), 0, 0),
      Now: (env) => new CsDateTimeOffset(env.now().getTime(), 0, 0),
      MinValue: constant(new CsDateTimeOffset(MIN_MS, 0, 0)),
      MaxValue: constant(new CsDateTimeOffset(MAX_MS, 9999, 0)),
      UnixEpoch: constant(new CsDateTimeOffset(0, 0, 0)),
    },
    methods: {
      FromUnixTimeSeconds: ([s]) => new CsDateTimeOffset(intArg(s) * 1000, 0, 0),
      FromUnixTimeMilliseconds: ([ms]) => new CsDateTimeOffset(intArg(ms), 0, 0),
      Parse: ([text]) => {
        const parsed = parseDate(stringArg(text, 'input'));
        return new CsDateTimeOffset(parsed.ms, parsed.sub, parsed.offsetMinutes ?? 0);
      },
      TryParse: parseOut((text) => {
        const parsed = parseDate(text);
        return new CsDateTimeOffset(parsed.ms, parsed.sub, parsed.offsetMinutes ?? 0);
      }, new CsDateTimeOffset(MIN_MS, 0, 0)),
    },
    construct: (args) => {
      if (args[0] instanceof CsDateTime) {
        const offset = args[1] instanceof CsTimeSpan ? Math.round(args[1].ms / 60000) : 0;
        return new CsDateTimeOffset(args[0].ms - offset * 60000, args[0].sub, offset);
      }
      const offset = args.find((a) => a instanceof CsTimeSpan) as CsTimeSpan | undefined;
      const parts = args.filter((a) => !(a instanceof CsTimeSpan));
      const local = dateFromParts(parts);
      const minutes = offset ? Math.round(offset.ms / 60000) : 0;
      return new CsDateTimeOffset(local.ms - minutes * 60000, local.sub, minutes);
    },
  },
  TimeSpan: {
    props: { Zero: constant(new CsTimeSpan(0)), MaxValue: constant(new CsTimeSpan(Number.MAX_SAFE_INTEGER)), MinValue: constant(new CsTimeSpan(Number.MIN_SAFE_INTEGER)), TicksPerSecond: constant(10000000), TicksPerMillisecond: constant(10000) },
    methods: {
      FromMilliseconds: fromUnit(1),
      FromSeconds: fromUnit(1000),
      FromMinutes: fromUnit(60000),
      FromHours: fromUnit(3600000),
      FromDays: fromUnit(86400000),
      FromTicks: ([t]) => new CsTimeSpan(intArg(t)),
      Parse: ([text]) => {
        const m = /^\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*$/.exec(stringArg(text, 's'));
        if (!m) throw new CsException('FormatException', 'String was not recognized as a valid TimeSpan.');
        const ticks = (((+(m[2] ?? 0) * 24 + +m[3]) * 60 + +m[4]) * 60 + +(m[5] ?? 0)) * 10000000 + Number((m[6] ?? '').padEnd(7, '0'));
        return new CsTimeSpan(m[1] ? -ticks : ticks);
      },
    },
    construct: (args) => timeSpanFromParts(args),
  },
  Guid: {
    props: { Empty: constant(new CsGuid('00000000-0000-0000-0000-000000000000')) },
    methods: {
      NewGuid: () => CsGuid.random(),
      Parse: ([text]) => CsGuid.parse(stringArg(text, 'input')),
      TryParse: ([text, out]) => {
        const guid = text === null ? undefined : CsGuid.tryParse(csString(text));
        (out as Ref).set(guid ?? new CsGuid('00000000-0000-0000-0000-000000000000'));
        return guid !== undefined;
      },
    },
    construct: ([value]) => (value === undefined ? new CsGuid('00000000-0000-0000-0000-000000000000') : typeof value === 'string' ? CsGuid.parse(value) : CsGuid.fromBytes(bytesArg(value, 'b'))),
  },
  Math: {
    props: { PI: constant(new CsDouble(Math.PI)), E: constant(new CsDouble(Math.E)) },
    methods: {
      Abs: ([v]) => sameKind([v], Math.abs(numberArg(v))),
      Max: ([a, b]) => sameKind([a, b], Math.max(numberArg(a), numberArg(b))),
      Min: ([a, b]) => sameKind([a, b], Math.min(numberArg(a), numberArg(b))),
      Round: (args) => mathRound(args),
      Floor: math1(Math.floor),
      Ceiling: math1(Math.ceil),
      Truncate: math1(Math.trunc),
      Sqrt: math1(Math.sqrt),
      Exp: math1(Math.exp),
      Log10: math1(Math.log10),
      Log: ([v, base]) => new CsDouble(base === undefined ? Math.log(numberArg(v)) : Math.log(numberArg(v)) / Math.log(numberArg(base))),
      Pow: ([a, b]) => new CsDouble(Math.pow(numberArg(a), numberArg(b))),
      Sign: ([v]) => Math.sign(numberArg(v)),
      Sin: math1(Math.sin),
      Cos: math1(Math.cos),
      Tan: math1(Math.tan),
      Atan: math1(Math.atan),
      Clamp: ([v, min, max]) => sameKind([v, min, max], Math.min(Math.max(numberArg(v), numberArg(min)), numberArg(max))),
    },
  },
  Convert: {
    methods: {
      ToBase64String: ([bytes, offset, length]) => {
        const b = bytesArg(bytes, 'inArray');
        return Buffer.from(offset === undefined ? b : b.subarray(intArg(offset), intArg(offset) + intArg(length))).toString('base64');
      },
      FromBase64String: ([text]) => fromBase64(text),
      ToInt32: ([v, base]) => convertToInteger(v, 'int', base === undefined ? undefined : intArg(base)),
      ToInt64: ([v, base]) => convertToInteger(v, 'long', base === undefined ? undefined : intArg(base)),
      ToInt16: ([v, base]) => convertToInteger(v, 'short', base === undefined ? undefined : intArg(base)),
      ToUInt32: ([v]) => convertToInteger(v, 'uint'),
      ToUInt64: ([v]) => convertToInteger(v, 'ulong'),
      ToByte: ([v, base]) => convertToInteger(v, 'byte', base === undefined ? undefined : intArg(base)),
      ToDouble: ([v]) => convertToDouble(v),
      ToSingle: ([v]) => convertToDouble(v),
      ToDecimal: ([v]) => convertToDouble(v),
      ToBoolean: ([v]) => convertToBoolean(v),
      ToString: ([v, base]) => {
        if (base !== undefined && typeof v === 'number') return v.toString(intArg(base));
        return convertToString(v) ?? '';
      },
      ToDateTime: ([v]) => convertToDateTime(v),
      ToChar: ([v]) => (typeof v === 'number' ? String.fromCharCode(v) : csString(v)[0]),
      ToHexString: ([bytes]) => Buffer.from(bytesArg(bytes, 'inArray')).toString('hex').toUpperCase(),
      FromHexString: ([text]) => {
        const t = stringArg(text, 's');
        if (t.length % 2 || !/^[0-9a-fA-F]*$/.test(t)) throw new CsException('FormatException', 'The input is not a valid hex string as it contains a non-hex character.');
        return Uint8Array.from(Buffer.from(t, 'hex'));
      },
    },
  },
  Encoding: {
    props: Object.fromEntries(Object.entries(ENCODINGS).map(([name, encoding]) => [name, constant(encoding)])),
    methods: {
      GetEncoding: ([name]) => {
        const n = csString(name).toLowerCase();
        const found = Object.values(ENCODINGS).find((e) => e.webName === n || e.name === n.replace('-', ''));
        if (!found) throw new CsException('ArgumentException', `'${csString(name)}' is not a supported encoding name.`);
        return found;
      },
    },
  },
  BitConverter: {
    props: { IsLittleEndian: constant(true) },
    methods: {
      ToString: ([bytes, start, length]) => {
        const b = bytesArg(bytes, 'value');
        const s = start === undefined ? 0 : intArg(start);
        const slice = b.subarray(s, length === undefined ? b.length : s + intArg(length));
        return Buffer.from(slice.buffer, slice.byteOffset, slice.length).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1-');
      },
      ToInt32: ([bytes, start]) => Buffer.from(bytesArg(bytes, 'value')).readInt32LE(intArg(start)),
      ToUInt32: ([bytes, start]) => Buffer.from(bytesArg(bytes, 'value')).readUInt32LE(intArg(start)),
      ToInt16: ([bytes, start]) => Buffer.from(bytesArg(bytes, 'value')).readInt16LE(intArg(start)),
      ToInt64: ([bytes, start]) => Number(Buffer.from(bytesArg(bytes, 'value')).readBigInt64LE(intArg(start))),
      GetBytes: ([value]) => {
        if (typeof value === 'boolean') return Uint8Array.from([value ? 1 : 0]);
        const n = numeric(value);
        const buffer = Buffer.alloc(n !== undefined && !Number.isInteger(n) ? 8 : Math.abs(n ?? 0) > 2147483647 ? 8 : 4);
        if (value instanceof CsDouble) buffer.writeDoubleLE(value.value);
        else if (buffer.length === 8) buffer.writeBigInt64LE(BigInt(n ?? 0));
        else buffer.writeInt32LE(n ?? 0);
        return Uint8Array.from(buffer);
      },
    },
  },
  HMACSHA256: hashType('sha256', true),
  HMACSHA1: hashType('sha1', true),
  HMACSHA384: hashType('sha384', true),
  HMACSHA512: hashType('sha512', true),
  HMACMD5: hashType('md5', true),
  SHA256: hashType('sha256', false),
  SHA1: hashType('sha1', false),
  SHA384: hashType('sha384', false),
  SHA512: hashType('sha512', false),
  MD5: hashType('md5', false),
  SHA256Managed: hashType('sha256', false),
  SHA1Managed: hashType('sha1', false),
  SHA512Managed: hashType('sha512', false),
  Random: { construct: ([seed]) => new CsRandom(seed === undefined ? undefined : intArg(seed)), props: { Shared: constant(new CsRandom()) } },
  StringBuilder: { construct: ([initial]) => new CsStringBuilder(typeof initial === 'string' ? initial : '') },
  Uri: {
    methods: {
      EscapeDataString: ([text]) => uriEscape(text),
      UnescapeDataString: ([text]) => unescapeDataString(stringArg(text, 'stringToUnescape')),
      EscapeUriString: ([text]) => encodeURI(stringArg(text, 'stringToEscape')),
      IsWellFormedUriString: ([text]) => {
        try {
          new URL(csString(text));
          return true;
        } catch {
          return false;
        }
      },
      TryCreate: ([text, , out]) => {
        try {
          (out as Ref).set(new CsUri(csString(text)));
          return true;
        } catch {
          (out as Ref).set(null);
          return false;
        }
      },
    },
    construct: ([base, relative]) => {
      if (base === null || base === undefined) throw argumentNull('uriString');
      if (relative === undefined || relative instanceof CsEnum) return new CsUri(csString(base));
      return new CsUri(new URL(csString(relative), base instanceof CsUri ? base.url.href : csString(base)).href);
    },
  },
  WebUtility: {
    methods: {
      UrlEncode: ([text]) => (text === null ? null : urlEncode(csString(text))),
      UrlDecode: ([text]) => (text === null ? null : urlDecode(csString(text))),
      HtmlEncode: ([text]) => (text === null ? null : htmlEncode(csString(text))),
      HtmlDecode: ([text]) => (text === null ? null : htmlDecode(csString(text))),
    },
  },
  Regex: {
    methods: {
      IsMatch: ([input, pattern, options]) => new CsRegex(stringArg(pattern, 'pattern'), regexOptions(options)).match(stringArg(input, 'input')).success,
      Match: ([input, pattern, options]) => new CsRegex(stringArg(pattern, 'pattern'), regexOptions(options)).match(stringArg(input, 'input')),
      Matches: ([input, pattern, options]) => new CsRegex(stringArg(pattern, 'pattern'), regexOptions(options)).matches(stringArg(input, 'input')),
      Replace: ([input, pattern, replacement, options]) => new CsRegex(stringArg(pattern, 'pattern'), regexOptions(options)).replace(stringArg(input, 'input'), replacement),
      Split: ([input, pattern, options]) => new CsRegex(stringArg(pattern, 'pattern'), regexOptions(options)).split(stringArg(input, 'input')),
      Escape: ([text]) => stringArg(text, 'str').replace(/[\\*+?|{[()^$.#\s]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === ' ' ? '\\ ' : '\\' + c)),
      Unescape: ([text]) => stringArg(text, 'str').replace(/\\(.)/g, '$1'),
    },
    construct: ([pattern, options]) => new CsRegex(stringArg(pattern, 'pattern'), regexOptions(options)),
  },
  RegexOptions: { props: enumProps(RegexOptions) },
  StringComparison: { props: enumProps(StringComparison) },
  StringSplitOptions: { props: enumProps(StringSplitOptions) },
  Formatting: { props: enumProps(Formatting) },
  JTokenType: { props: enumProps(JTokenType) },
  DateTimeKind: { props: enumProps(DateTimeKind) },
  DayOfWeek: { props: enumProps(DayOfWeek) },
  MidpointRounding: { props: enumProps(enumMembers('MidpointRounding', ['ToEven', 'AwayFromZero', 'ToZero', 'ToNegativeInfinity', 'ToPositiveInfinity'])) },
  UriKind: { props: enumProps(enumMembers('UriKind', ['RelativeOrAbsolute', 'Absolute', 'Relative'])) },
  UriPartial: { props: enumProps(UriPartial) },
  NumberStyles: { props: enumProps(enumMembers('NumberStyles', ['None', 'Integer', 'HexNumber', 'Number', 'Float', 'Any'], [0, 7, 515, 111, 167, 511])) },
  JObject: jsonContainer('Object'),
  JArray: jsonContainer('Array'),
  JToken: {
    methods: {
      Parse: ([text]) => parseJson(text),
      FromObject: ([value]) => toToken(value),
      DeepEquals: ([a, b]) => (a === null || b === null ? a === b : serialize(a, false) === serialize(b, false)),
    },
  },
  JProperty: {
    construct: ([name, ...content]) => {
      if (name === null) throw argumentNull('name');
      if (content.length > 1) {
        const array = new JArray();
        for (const item of content) array.add(item);
        return new JProperty(csString(name), array);
      }
      return new JProperty(csString(name), content[0] instanceof JToken || !Array.isArray(content[0]) ? content[0] : toToken(content[0]));
    },
  },
  JValue: { construct: ([value]) => (value instanceof JValue ? value.clone() : toToken(value)), methods: { CreateNull: () => new JValue('Null', null), CreateString: ([s]) => new JValue('String', s) } },
  JsonConvert: {
    methods: {
      SerializeObject: ([value, formatting]) => serialize(value, formatting instanceof CsEnum && formatting.name === 'Indented'),
      DeserializeObject: ([text], site) => {
        const token = parseJson(text);
        const type = site.typeArgs[0];
        return type ? convertToken(token, type) : token;
      },
    },
  },
  List: { construct: ([initial]) => (initial === undefined || typeof initial === 'number' ? [] : [...toArray(initial)]) },
  Dictionary: {
    construct: ([initial]) => {
      if (initial instanceof Map) return new Map(initial);
      return new Map();
    },
  },
  HashSet: { construct: ([initial]) => (initial === undefined || initial instanceof CsEnum ? new Set() : new Set(toArray(initial))) },
  KeyValuePair: { construct: ([key, value]) => new KeyValuePair(key, value), methods: { Create: ([key, value]) => new KeyValuePair(key, value) } },
  Array: {
    methods: {
      Copy: (args) => {
        const [source, a, b, c, d] = args;
        const [srcIndex, target, dstIndex, length] = args.length === 3 ? [0, a, 0, b] : [a, b, c, d];
        const src = source as ArrayLike<unknown>;
        const dst = target as unknown[] | Uint8Array;
        const n = intArg(length);
        const s = intArg(srcIndex);
        const t = intArg(dstIndex);
        if (s + n > src.length || t + n > dst.length) throw new CsException('ArgumentException', 'Source array was not long enough. Check the source index, length, and the array\'s lower bounds.');
        for (let i = 0; i < n; i++) (dst as unknown[])[t + i] = src[s + i];
      },
      Empty: () => [],
      IndexOf: ([array, value]) => toArray(array).findIndex((x) => csEquals(x, value)),
      Exists: ([array, fn]) => toArray(array).some((x) => (fn as (x: unknown) => unknown)(x) === true),
      Find: ([array, fn]) => toArray(array).find((x) => (fn as (x: unknown) => unknown)(x) === true) ?? null,
      Reverse: ([array]) => {
        (array as unknown[]).reverse();
      },
      Sort: ([array]) => {
        (array as unknown[]).sort((x, y) => (csString(x) < csString(y) ? -1 : csString(x) > csString(y) ? 1 : 0));
      },
    },
  },
  Enumerable: {
    methods: {
      Range: ([start, count]) => {
        if (intArg(count) < 0) throw argumentOutOfRange('count');
        return Array.from({ length: intArg(count) }, (_, i) => intArg(start) + i);
      },
      Repeat: ([value, count]) => Array.from({ length: intArg(count) }, () => value),
      Empty: () => [],
    },
  },
  Exception: exceptionType('Exception'),
  ArgumentException: exceptionType('ArgumentException'),
  ArgumentNullException: exceptionType('ArgumentNullException'),
  ArgumentOutOfRangeException: exceptionType('ArgumentOutOfRangeException'),
  InvalidOperationException: exceptionType('InvalidOperationException'),
  FormatException: exceptionType('FormatException'),
  NotSupportedException: exceptionType('NotSupportedException'),
  NotImplementedException: exceptionType('NotImplementedException'),
  ApplicationException: exceptionType('ApplicationException'),
  UnauthorizedAccessException: exceptionType('UnauthorizedAccessException'),
  KeyNotFoundException: exceptionType('KeyNotFoundException'),
  NullReferenceException: exceptionType('NullReferenceException'),
  InvalidCastException: exceptionType('InvalidCastException'),
  IndexOutOfRangeException: exceptionType('IndexOutOfRangeException'),
  OverflowException: exceptionType('OverflowException'),
  DivideByZeroException: exceptionType('DivideByZeroException'),
  ArithmeticException: exceptionType('ArithmeticException'),
  SystemException: exceptionType('SystemException'),
  TimeoutException: exceptionType('TimeoutException'),
  UriFormatException: exceptionType('UriFormatException'),
  CryptographicException: exceptionType('CryptographicException'),
  JsonException: exceptionType('JsonException'),
  JsonReaderException: exceptionType('JsonReaderException'),
  JsonSerializationException: exceptionType('JsonSerializationException'),
  // Type names that only appear as declared types (locals, casts, `is`) need no static members.
  IResponse: {},
  IRequest: {},
  IUrl: {},
  IMessageBody: {},
  Jwt: {},
  BasicAuthCredentials: {},
  JContainer: {},
  IEnumerable: {},
  IList: {},
  IDictionary: {},
  IReadOnlyDictionary: {},
  ICollection: {},
  Func: {},
  Action: {},
  Predicate: {},
  Match: {},
  Group: {},
  MatchCollection: {},
  HashAlgorithm: {},
  HMAC: {},
  KeyedHashAlgorithm: {},
  Nullable: {},
};

function enumProps(members: Record<string, CsEnum>): Record<string, () => unknown> {
  return Object.fromEntries(Object.entries(members).map(([name, value]) => [name, constant(value)]));
}
