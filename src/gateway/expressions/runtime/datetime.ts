/**
 * DateTime, DateTimeOffset and TimeSpan. A DateTime is whole epoch milliseconds plus sub-millisecond ticks (so
 * "o" prints exact digits) and a Kind. The gateway runs in UTC: Local time equals UTC, offsets are +00:00.
 */
import { bindClass, CsException, defineType, formatException, intArg, numberArg, stringArg, type Method } from './core';
import { CsEnum, enumMembers } from './primitives';
import { CsDouble } from './values';

const TICKS_PER_MS = 10000;
/** Milliseconds from 0001-01-01 to the Unix epoch. */
const EPOCH_OFFSET_MS = 62135596800000;
const MIN_MS = -EPOCH_OFFSET_MS;
const MAX_MS = 253402300799999;

export type Kind = 'Unspecified' | 'Utc' | 'Local';
export const DateTimeKind = enumMembers('DateTimeKind', ['Unspecified', 'Utc', 'Local']);
export const DayOfWeek = enumMembers('DayOfWeek', ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']);

const outOfRange = () => new CsException('ArgumentOutOfRangeException', 'The added or subtracted value results in an un-representable DateTime.');

/** Total ticks split into whole ms and a 0..9999 tick remainder. */
function split(totalMs: number, extraTicks: number): [number, number] {
  let ms = Math.floor(totalMs);
  let sub = Math.round((totalMs - ms) * TICKS_PER_MS) + extraTicks;
  ms += Math.floor(sub / TICKS_PER_MS);
  sub = ((sub % TICKS_PER_MS) + TICKS_PER_MS) % TICKS_PER_MS;
  return [ms, sub];
}

export class CsDateTime {
  constructor(
    readonly ms: number,
    readonly sub: number,
    readonly kind: Kind,
  ) {
    if (ms < MIN_MS || ms > MAX_MS) throw outOfRange();
  }
  static fromDate(date: Date, kind: Kind = 'Utc'): CsDateTime {
    return new CsDateTime(date.getTime(), 0, kind);
  }
  addMs(ms: number, ticks = 0): CsDateTime {
    const [m, s] = split(this.ms + ms, this.sub + ticks);
    return new CsDateTime(m, s, this.kind);
  }
  get ticks(): number {
    return (this.ms + EPOCH_OFFSET_MS) * TICKS_PER_MS + this.sub;
  }
  get date(): Date {
    return new Date(this.ms);
  }
  /** `this - earlier` (computed from ms and sub-ticks: total ticks exceed a double's exact range). */
  since(earlier: CsDateTime): CsTimeSpan {
    return new CsTimeSpan((this.ms - earlier.ms) * TICKS_PER_MS + this.sub - earlier.sub);
  }
  csEquals(other: unknown): boolean {
    return other instanceof CsDateTime && other.ms === this.ms && other.sub === this.sub;
  }
  compareTo(other: unknown): number {
    if (!(other instanceof CsDateTime)) throw new CsException('ArgumentException', 'Object must be of type DateTime.');
    return Math.sign(this.ms - other.ms || this.sub - other.sub);
  }
}

export class CsDateTimeOffset {
  constructor(
    readonly ms: number,
    readonly sub: number,
    readonly offsetMinutes: number,
  ) {}
  addMs(ms: number, ticks = 0): CsDateTimeOffset {
    const [m, s] = split(this.ms + ms, this.sub + ticks);
    return new CsDateTimeOffset(m, s, this.offsetMinutes);
  }
  /** The wall-clock DateTime at the offset. */
  get local(): CsDateTime {
    return new CsDateTime(this.ms + this.offsetMinutes * 60000, this.sub, 'Unspecified');
  }
  csEquals(other: unknown): boolean {
    return other instanceof CsDateTimeOffset && other.ms === this.ms && other.sub === this.sub;
  }
  compareTo(other: unknown): number {
    if (!(other instanceof CsDateTimeOffset)) throw new CsException('ArgumentException', 'Object must be of type DateTimeOffset.');
    return Math.sign(this.ms - other.ms || this.sub - other.sub);
  }
}

export class CsTimeSpan {
  constructor(readonly ticks: number) {}
  static fromMs(ms: number): CsTimeSpan {
    return new CsTimeSpan(Math.round(ms * TICKS_PER_MS));
  }
  get ms(): number {
    return this.ticks / TICKS_PER_MS;
  }
  csEquals(other: unknown): boolean {
    return other instanceof CsTimeSpan && other.ticks === this.ticks;
  }
  compareTo(other: unknown): number {
    if (!(other instanceof CsTimeSpan)) throw new CsException('ArgumentException', 'Object must be of type TimeSpan.');
    return Math.sign(this.ticks - other.ticks);
  }
}

// ---- formatting

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const STANDARD: Record<string, string> = {
  d: 'MM/dd/yyyy',
  D: 'dddd, dd MMMM yyyy',
  f: 'dddd, dd MMMM yyyy HH:mm',
  F: 'dddd, dd MMMM yyyy HH:mm:ss',
  g: 'MM/dd/yyyy HH:mm',
  G: 'MM/dd/yyyy HH:mm:ss',
  m: 'MMMM dd',
  M: 'MMMM dd',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: 'HH:mm',
  T: 'HH:mm:ss',
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: 'dddd, dd MMMM yyyy HH:mm:ss',
  y: 'yyyy MMMM',
  Y: 'yyyy MMMM',
};

/** Formats wall-clock `ms`/`sub` with a .NET date format; `zone` is what K and z print. */
function formatDate(ms: number, sub: number, format: string, zone: { k: string; offsetMinutes: number }): string {
  if (format.length === 1) {
    const pattern = STANDARD[format];
    if (!pattern) throw new CsException('FormatException', 'Input string was not in a correct format.');
    format = pattern;
  }
  const d = new Date(ms);
  const fraction = String((((ms % 1000) + 1000) % 1000) * TICKS_PER_MS + sub).padStart(7, '0');
  let out = '';
  for (let i = 0; i < format.length; ) {
    const c = format[i];
    let run = 1;
    while (format[i + run] === c && !"'\"\\".includes(c)) run++;
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    switch (c) {
      case 'y': {
        const year = d.getUTCFullYear();
        out += run === 1 ? String(year % 100) : run === 2 ? pad(year % 100, 2) : pad(year, run);
        break;
      }
      case 'M':
        out += run === 1 ? String(d.getUTCMonth() + 1) : run === 2 ? pad(d.getUTCMonth() + 1, 2) : run === 3 ? MONTHS[d.getUTCMonth()].slice(0, 3) : MONTHS[d.getUTCMonth()];
        break;
      case 'd':
        out += run === 1 ? String(d.getUTCDate()) : run === 2 ? pad(d.getUTCDate(), 2) : run === 3 ? DAYS[d.getUTCDay()].slice(0, 3) : DAYS[d.getUTCDay()];
        break;
      case 'H':
        out += run === 1 ? String(d.getUTCHours()) : pad(d.getUTCHours(), 2);
        break;
      case 'h': {
        const h = d.getUTCHours() % 12 || 12;
        out += run === 1 ? String(h) : pad(h, 2);
        break;
      }
      case 'm':
        out += run === 1 ? String(d.getUTCMinutes()) : pad(d.getUTCMinutes(), 2);
        break;
      case 's':
        out += run === 1 ? String(d.getUTCSeconds()) : pad(d.getUTCSeconds(), 2);
        break;
      case 'f':
        if (run > 7) throw new CsException('FormatException', 'Input string was not in a correct format.');
        out += fraction.slice(0, run);
        break;
      case 'F': {
        if (run > 7) throw new CsException('FormatException', 'Input string was not in a correct format.');
        const digits = fraction.slice(0, run).replace(/0+$/, '');
        if (digits) out += digits;
        else if (out.endsWith('.')) out = out.slice(0, -1);
        break;
      }
      case 't':
        out += (d.getUTCHours() < 12 ? 'AM' : 'PM').slice(0, run === 1 ? 1 : 2);
        break;
      case 'K':
        out += zone.k;
        break;
      case 'z': {
        const sign = zone.offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(zone.offsetMinutes);
        out += run === 1 ? sign + String(Math.floor(abs / 60)) : run === 2 ? sign + pad(Math.floor(abs / 60), 2) : `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
        break;
      }
      case "'":
      case '"': {
        const close = format.indexOf(c, i + 1);
        if (close < 0) throw new CsException('FormatException', `Cannot find a matching quote character for the character '${c}'.`);
        out += format.slice(i + 1, close);
        i = close + 1;
        continue;
      }
      case '\\':
        out += format[i + 1] ?? '';
        i += 2;
        continue;
      case '%':
        i++;
        continue;
      default:
        out += c.repeat(run);
    }
    i += run;
  }
  return out;
}

export function formatDateTime(value: CsDateTime, format = 'G'): string {
  return formatDate(value.ms, value.sub, format, { k: value.kind === 'Utc' ? 'Z' : value.kind === 'Local' ? '+00:00' : '', offsetMinutes: 0 });
}

function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function formatDateTimeOffset(value: CsDateTimeOffset, format?: string): string {
  const local = value.ms + value.offsetMinutes * 60000;
  const zone = { k: offsetText(value.offsetMinutes), offsetMinutes: value.offsetMinutes };
  if (format === undefined) return `${formatDate(local, value.sub, 'G', zone)} ${zone.k}`;
  if (format === 'u') return formatDate(value.ms, value.sub, format, zone);
  if (format === 'r' || format === 'R') return formatDate(value.ms, value.sub, format, zone);
  return formatDate(local, value.sub, format, zone);
}

export function formatTimeSpan(value: CsTimeSpan): string {
  const negative = value.ticks < 0;
  let ticks = Math.abs(value.ticks);
  const days = Math.floor(ticks / (TICKS_PER_MS * 86400000));
  ticks -= days * TICKS_PER_MS * 86400000;
  const hours = Math.floor(ticks / (TICKS_PER_MS * 3600000));
  ticks -= hours * TICKS_PER_MS * 3600000;
  const minutes = Math.floor(ticks / (TICKS_PER_MS * 60000));
  ticks -= minutes * TICKS_PER_MS * 60000;
  const seconds = Math.floor(ticks / (TICKS_PER_MS * 1000));
  ticks -= seconds * TICKS_PER_MS * 1000;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${negative ? '-' : ''}${days ? days + '.' : ''}${pad(hours)}:${pad(minutes)}:${pad(seconds)}${ticks ? '.' + String(Math.round(ticks)).padStart(7, '0') : ''}`;
}

// ---- parsing

const notADate = (text: string) => formatException(`String '${text}' was not recognized as a valid DateTime.`);

const MONTH_INDEX = Object.fromEntries(MONTHS.map((m, i) => [m.slice(0, 3).toLowerCase(), i]));

/** The forms DateTime.Parse accepts here: ISO 8601, RFC 1123, and invariant `MM/dd/yyyy[ HH:mm[:ss]][ AM|PM]`. */
export function parseDate(text: string): { ms: number; sub: number; offsetMinutes?: number } {
  const t = text.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(t);
  if (m) {
    const fraction = (m[7] ?? '').padEnd(7, '0');
    const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), Number(fraction.slice(0, 3)));
    if (Number.isNaN(ms) || +m[2] > 12 || +m[3] > 31) throw notADate(text);
    let offsetMinutes: number | undefined;
    if (m[8]) {
      if (m[8].toUpperCase() === 'Z') offsetMinutes = 0;
      else {
        const digits = m[8].replace(':', '');
        offsetMinutes = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0));
      }
    }
    return { ms: ms - (offsetMinutes ?? 0) * 60000, sub: Number(fraction.slice(3)), offsetMinutes };
  }
  m = /^(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*(GMT|UTC|Z)?$/i.exec(t);
  if (m && m[2].toLowerCase() in MONTH_INDEX) {
    const ms = Date.UTC(+m[3], MONTH_INDEX[m[2].toLowerCase()], +m[1], +m[4], +m[5], +(m[6] ?? 0));
    return { ms, sub: 0, offsetMinutes: m[7] ? 0 : undefined };
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*(AM|PM))?)?$/i.exec(t);
  if (m) {
    let hours = +(m[4] ?? 0);
    if (m[7]) hours = (hours % 12) + (m[7].toUpperCase() === 'PM' ? 12 : 0);
    const ms = Date.UTC(+m[3], +m[1] - 1, +m[2], hours, +(m[5] ?? 0), +(m[6] ?? 0));
    if (+m[1] > 12 || +m[2] > 31) throw notADate(text);
    return { ms, sub: 0 };
  }
  throw notADate(text);
}

export function parseDateTime(text: string): CsDateTime {
  const parsed = parseDate(text);
  return new CsDateTime(parsed.ms, parsed.sub, parsed.offsetMinutes === undefined ? 'Unspecified' : 'Local');
}

// ---- members

const add = (unitMs: number): Method => (self: CsDateTime | CsDateTimeOffset, [n]) => self.addMs(numberArg(n) * unitMs);

function addMonths(self: CsDateTime | CsDateTimeOffset, months: number): CsDateTime | CsDateTimeOffset {
  const d = new Date(self.ms);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return self.addMs(target.getTime() - self.ms);
}

const calendarProps = (wall: (self: any) => Date) => ({
  Year: (self: any) => wall(self).getUTCFullYear(),
  Month: (self: any) => wall(self).getUTCMonth() + 1,
  Day: (self: any) => wall(self).getUTCDate(),
  Hour: (self: any) => wall(self).getUTCHours(),
  Minute: (self: any) => wall(self).getUTCMinutes(),
  Second: (self: any) => wall(self).getUTCSeconds(),
  Millisecond: (self: any) => wall(self).getUTCMilliseconds(),
  DayOfWeek: (self: any) => DayOfWeek[DAYS[wall(self).getUTCDay()]],
  DayOfYear: (self: any) => {
    const d = wall(self);
    return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
  },
});

const adders = {
  AddMilliseconds: add(1),
  AddSeconds: add(1000),
  AddMinutes: add(60000),
  AddHours: add(3600000),
  AddDays: add(86400000),
  AddTicks: (self: CsDateTime, [n]: unknown[]) => self.addMs(0, intArg(n)),
  AddMonths: (self: CsDateTime, [n]: unknown[]) => addMonths(self, intArg(n)),
  AddYears: (self: CsDateTime, [n]: unknown[]) => addMonths(self, intArg(n) * 12),
  Add: (self: CsDateTime, [span]: unknown[]) => self.addMs(0, (span as CsTimeSpan).ticks),
};

export const DATETIME = defineType({
  fullName: 'System.DateTime',
  names: ['DateTime', 'ValueType', 'IComparable'],
  toString: (self: CsDateTime) => formatDateTime(self),
  props: {
    ...calendarProps((self: CsDateTime) => self.date),
    Ticks: (self: CsDateTime) => self.ticks,
    Kind: (self: CsDateTime) => DateTimeKind[self.kind],
    Date: (self: CsDateTime) => new CsDateTime(Math.floor(self.ms / 86400000) * 86400000, 0, self.kind),
    TimeOfDay: (self: CsDateTime) => new CsTimeSpan((((self.ms % 86400000) + 86400000) % 86400000) * TICKS_PER_MS + self.sub),
  },
  methods: {
    ...adders,
    ToString: (self: CsDateTime, [format]) => formatDateTime(self, format === undefined || format === null || format === '' ? 'G' : stringArg(format, 'format')),
    ToUniversalTime: (self: CsDateTime) => new CsDateTime(self.ms, self.sub, 'Utc'),
    ToLocalTime: (self: CsDateTime) => new CsDateTime(self.ms, self.sub, 'Local'),
    Subtract: (self: CsDateTime, [other]) =>
      other instanceof CsDateTime ? self.since(other) : self.addMs(0, -(other as CsTimeSpan).ticks),
    CompareTo: (self: CsDateTime, [other]) => self.compareTo(other),
    Equals: (self: CsDateTime, [other]) => self.csEquals(other),
    ToShortDateString: (self: CsDateTime) => formatDateTime(self, 'd'),
    ToShortTimeString: (self: CsDateTime) => formatDateTime(self, 't'),
    ToLongDateString: (self: CsDateTime) => formatDateTime(self, 'D'),
    ToLongTimeString: (self: CsDateTime) => formatDateTime(self, 'T'),
    ToFileTimeUtc: (self: CsDateTime) => self.ticks - 504911232000000000,
    IsDaylightSavingTime: () => false,
  },
});
bindClass(CsDateTime, DATETIME);

export const DATETIMEOFFSET = defineType({
  fullName: 'System.DateTimeOffset',
  names: ['DateTimeOffset', 'ValueType', 'IComparable'],
  toString: (self: CsDateTimeOffset) => formatDateTimeOffset(self),
  props: {
    ...calendarProps((self: CsDateTimeOffset) => new Date(self.ms + self.offsetMinutes * 60000)),
    UtcDateTime: (self: CsDateTimeOffset) => new CsDateTime(self.ms, self.sub, 'Utc'),
    DateTime: (self: CsDateTimeOffset) => self.local,
    LocalDateTime: (self: CsDateTimeOffset) => new CsDateTime(self.ms, self.sub, 'Local'),
    Offset: (self: CsDateTimeOffset) => new CsTimeSpan(self.offsetMinutes * 60000 * TICKS_PER_MS),
    Ticks: (self: CsDateTimeOffset) => self.local.ticks,
    UtcTicks: (self: CsDateTimeOffset) => new CsDateTime(self.ms, self.sub, 'Utc').ticks,
    Date: (self: CsDateTimeOffset) => {
      const local = self.local;
      return new CsDateTime(Math.floor(local.ms / 86400000) * 86400000, 0, 'Unspecified');
    },
  },
  methods: {
    ...adders,
    ToUnixTimeSeconds: (self: CsDateTimeOffset) => Math.floor(self.ms / 1000),
    ToUnixTimeMilliseconds: (self: CsDateTimeOffset) => self.ms,
    ToString: (self: CsDateTimeOffset, [format]) => formatDateTimeOffset(self, format === undefined || format === null || format === '' ? undefined : stringArg(format, 'format')),
    ToUniversalTime: (self: CsDateTimeOffset) => new CsDateTimeOffset(self.ms, self.sub, 0),
    ToLocalTime: (self: CsDateTimeOffset) => new CsDateTimeOffset(self.ms, self.sub, 0),
    ToOffset: (self: CsDateTimeOffset, [offset]) => new CsDateTimeOffset(self.ms, self.sub, Math.round((offset as CsTimeSpan).ms / 60000)),
    Subtract: (self: CsDateTimeOffset, [other]) =>
      other instanceof CsDateTimeOffset ? new CsTimeSpan((self.ms - other.ms) * TICKS_PER_MS + self.sub - other.sub) : self.addMs(0, -(other as CsTimeSpan).ticks),
    CompareTo: (self: CsDateTimeOffset, [other]) => self.compareTo(other),
    Equals: (self: CsDateTimeOffset, [other]) => self.csEquals(other),
  },
});
bindClass(CsDateTimeOffset, DATETIMEOFFSET);

const total = (unitMs: number) => (self: CsTimeSpan) => new CsDouble(self.ms / unitMs);
const part = (unitMs: number, modulo: number) => (self: CsTimeSpan) => Math.trunc(self.ms / unitMs) % modulo;

export const TIMESPAN = defineType({
  fullName: 'System.TimeSpan',
  names: ['TimeSpan', 'ValueType', 'IComparable'],
  toString: (self: CsTimeSpan) => formatTimeSpan(self),
  props: {
    Ticks: (self: CsTimeSpan) => self.ticks,
    TotalMilliseconds: total(1),
    TotalSeconds: total(1000),
    TotalMinutes: total(60000),
    TotalHours: total(3600000),
    TotalDays: total(86400000),
    Milliseconds: part(1, 1000),
    Seconds: part(1000, 60),
    Minutes: part(60000, 60),
    Hours: part(3600000, 24),
    Days: (self: CsTimeSpan) => Math.trunc(self.ms / 86400000),
  },
  methods: {
    ToString: (self: CsTimeSpan, [format]) => {
      if (format !== undefined && format !== null && format !== 'c' && format !== 'g') throw new CsException('FormatException', 'Input string was not in a correct format.');
      return formatTimeSpan(self);
    },
    Add: (self: CsTimeSpan, [other]) => new CsTimeSpan(self.ticks + (other as CsTimeSpan).ticks),
    Subtract: (self: CsTimeSpan, [other]) => new CsTimeSpan(self.ticks - (other as CsTimeSpan).ticks),
    Negate: (self: CsTimeSpan) => new CsTimeSpan(-self.ticks),
    Duration: (self: CsTimeSpan) => new CsTimeSpan(Math.abs(self.ticks)),
    CompareTo: (self: CsTimeSpan, [other]) => self.compareTo(other),
    Equals: (self: CsTimeSpan, [other]) => self.csEquals(other),
  },
});
bindClass(CsTimeSpan, TIMESPAN);

export { TICKS_PER_MS, EPOCH_OFFSET_MS, MIN_MS, MAX_MS };
export type { CsEnum };
