/**
 * System.String, the numeric types, Boolean, arrays / List<T>, Dictionary, HashSet, delegates, enums,
 * KeyValuePair, exceptions and LINQ (System.Linq.Enumerable over anything enumerable).
 */
import {
  argumentNull,
  argumentOutOfRange,
  bindClass,
  csEquals,
  CsException,
  csString,
  defineType,
  enumerate,
  formatException,
  intArg,
  invalidCast,
  isInstance,
  numberArg,
  numeric,
  OBJECT,
  overloadError,
  Ref,
  registerPrimitives,
  stringArg,
  toArray,
  type CsType,
  type Method,
  type TypeRef,
} from './core';
import { CsDouble, formatDouble } from './values';
import { formatNumber } from './format';

// ---- enums

export class CsEnum {
  constructor(
    readonly typeName: string,
    readonly name: string,
    readonly value: number,
  ) {}
  csEquals(other: unknown): boolean {
    return other instanceof CsEnum && other.typeName === this.typeName && other.value === this.value;
  }
}

export const ENUM = defineType({
  fullName: 'System.Enum',
  toString: (self: CsEnum) => self.name,
  methods: { HasFlag: (self: CsEnum, [flag]) => (self.value & (flag as CsEnum).value) === (flag as CsEnum).value },
});
bindClass(CsEnum, ENUM);

/** An enum type's members by name. */
export function enumMembers(typeName: string, names: string[], values?: number[]): Record<string, CsEnum> {
  return Object.fromEntries(names.map((name, i) => [name, new CsEnum(typeName, name, values ? values[i] : i)]));
}

export const StringComparison = enumMembers('StringComparison', ['CurrentCulture', 'CurrentCultureIgnoreCase', 'InvariantCulture', 'InvariantCultureIgnoreCase', 'Ordinal', 'OrdinalIgnoreCase']);
export const StringSplitOptions = enumMembers('StringSplitOptions', ['None', 'RemoveEmptyEntries', 'TrimEntries'], [0, 1, 2]);

export function ignoresCase(comparison: unknown): boolean {
  return comparison instanceof CsEnum && comparison.name.endsWith('IgnoreCase');
}

// ---- LINQ (System.Linq.Enumerable), shared by every enumerable type

type Fn = (...args: unknown[]) => unknown;

function predicate(fn: unknown): Fn {
  if (typeof fn !== 'function') throw argumentNull('predicate');
  return fn as Fn;
}

const noElements = () => new CsException('InvalidOperationException', 'Sequence contains no elements');
const noMatch = () => new CsException('InvalidOperationException', 'Sequence contains no matching element');
const moreThanOne = (matching: boolean) => new CsException('InvalidOperationException', `Sequence contains more than one ${matching ? 'matching ' : ''}element`);

function defaultOf(type: TypeRef | undefined): unknown {
  if (!type || type.nullable || type.arrays) return null;
  if (['int', 'long', 'short', 'byte', 'uint', 'ulong', 'ushort', 'sbyte'].includes(type.name)) return 0;
  if (['double', 'float', 'decimal'].includes(type.name)) return new CsDouble(0);
  if (type.name === 'bool') return false;
  return null;
}

export { defaultOf };

function compareKeys(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b, false);
  const compare = (a as { compareTo?: (o: unknown) => number }).compareTo;
  if (typeof compare === 'function') return compare.call(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new CsException('InvalidOperationException', 'Failed to compare two elements in the array.');
}

export { compareKeys };

/** Culture-style string comparison (case-insensitive first, lower before upper on ties), as `string.Compare`. */
export function compareStrings(a: string, b: string, ignoreCase: boolean): number {
  const r = a.localeCompare(b, 'en', { sensitivity: ignoreCase ? 'accent' : 'variant' });
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

function sum(items: unknown[], selector?: Fn): unknown {
  let total = 0;
  let floating = false;
  for (const item of items) {
    const value = selector ? selector(item) : item;
    if (value === null) continue;
    if (value instanceof CsDouble) floating = true;
    total += numberArg(value);
  }
  return floating ? new CsDouble(total) : total;
}

function extreme(items: unknown[], selector: Fn | undefined, sign: number): unknown {
  if (!items.length) throw noElements();
  let best = selector ? selector(items[0]) : items[0];
  for (let i = 1; i < items.length; i++) {
    const value = selector ? selector(items[i]) : items[i];
    if (compareKeys(value, best) * sign > 0) best = value;
  }
  return best;
}

function orderBy(items: unknown[], key: Fn, descending: boolean): OrderedSequence {
  return new OrderedSequence(items, [{ key, descending }]);
}

/** The result of OrderBy: sorts lazily so ThenBy can add keys. */
export class OrderedSequence {
  constructor(
    readonly source: unknown[],
    readonly keys: { key: Fn; descending: boolean }[],
  ) {}
  sorted(): unknown[] {
    const decorated = this.source.map((item, index) => ({ item, index, keys: this.keys.map((k) => k.key(item)) }));
    decorated.sort((a, b) => {
      for (let i = 0; i < this.keys.length; i++) {
        const c = compareKeys(a.keys[i], b.keys[i]);
        if (c) return this.keys[i].descending ? -c : c;
      }
      return a.index - b.index;
    });
    return decorated.map((d) => d.item);
  }
}

const linq: Record<string, Method> = {
  Select: (self, [fn]) => toArray(self).map((x, i) => (predicate(fn) as Fn)(x, i)),
  SelectMany: (self, [fn]) => toArray(self).flatMap((x, i) => toArray(predicate(fn)(x, i))),
  Where: (self, [fn]) => toArray(self).filter((x, i) => predicate(fn)(x, i) === true),
  Any: (self, [fn]) => (fn === undefined ? toArray(self).length > 0 : toArray(self).some((x) => predicate(fn)(x) === true)),
  All: (self, [fn]) => toArray(self).every((x) => predicate(fn)(x) === true),
  Count: (self, [fn]) => (fn === undefined ? toArray(self).length : toArray(self).filter((x) => predicate(fn)(x) === true).length),
  LongCount: (self, [fn]) => (fn === undefined ? toArray(self).length : toArray(self).filter((x) => predicate(fn)(x) === true).length),
  First: (self, [fn]) => {
    const items = toArray(self);
    if (fn === undefined) {
      if (!items.length) throw noElements();
      return items[0];
    }
    for (const item of items) if (predicate(fn)(item) === true) return item;
    throw noMatch();
  },
  FirstOrDefault: (self, [fn], site) => {
    const items = toArray(self);
    if (fn === undefined) return items.length ? items[0] : defaultOf(site.typeArgs[0]);
    if (typeof fn !== 'function') {
      return items.length ? items[0] : fn; // FirstOrDefault(defaultValue), .NET 6
    }
    for (const item of items) if ((fn as Fn)(item) === true) return item;
    return null;
  },
  Last: (self, [fn]) => {
    const items = fn === undefined ? toArray(self) : toArray(self).filter((x) => predicate(fn)(x) === true);
    if (!items.length) throw fn === undefined ? noElements() : noMatch();
    return items[items.length - 1];
  },
  LastOrDefault: (self, [fn]) => {
    const items = fn === undefined ? toArray(self) : toArray(self).filter((x) => predicate(fn)(x) === true);
    return items.length ? items[items.length - 1] : null;
  },
  Single: (self, [fn]) => {
    const items = fn === undefined ? toArray(self) : toArray(self).filter((x) => predicate(fn)(x) === true);
    if (!items.length) throw fn === undefined ? noElements() : noMatch();
    if (items.length > 1) throw moreThanOne(fn !== undefined);
    return items[0];
  },
  SingleOrDefault: (self, [fn]) => {
    const items = fn === undefined ? toArray(self) : toArray(self).filter((x) => predicate(fn)(x) === true);
    if (items.length > 1) throw moreThanOne(fn !== undefined);
    return items.length ? items[0] : null;
  },
  ElementAt: (self, [index]) => {
    const items = toArray(self);
    const i = intArg(index);
    if (i < 0 || i >= items.length) throw argumentOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    return items[i];
  },
  ElementAtOrDefault: (self, [index]) => toArray(self)[intArg(index)] ?? null,
  Contains: (self, [value]) => toArray(self).some((x) => csEquals(x, value)),
  Distinct: (self) => {
    const out: unknown[] = [];
    for (const item of toArray(self)) if (!out.some((x) => csEquals(x, item))) out.push(item);
    return out;
  },
  Skip: (self, [n]) => toArray(self).slice(Math.max(0, intArg(n))),
  Take: (self, [n]) => toArray(self).slice(0, Math.max(0, intArg(n))),
  SkipWhile: (self, [fn]) => {
    const items = toArray(self);
    let i = 0;
    while (i < items.length && predicate(fn)(items[i], i) === true) i++;
    return items.slice(i);
  },
  TakeWhile: (self, [fn]) => {
    const items = toArray(self);
    let i = 0;
    while (i < items.length && predicate(fn)(items[i], i) === true) i++;
    return items.slice(0, i);
  },
  Reverse: (self) => [...toArray(self)].reverse(),
  Concat: (self, [other]) => [...toArray(self), ...toArray(other)],
  Union: (self, [other]) => linq.Distinct([...toArray(self), ...toArray(other)], [], { typeArgs: [] }),
  Intersect: (self, [other]) => {
    const right = toArray(other);
    return (linq.Distinct(self, [], { typeArgs: [] }) as unknown[]).filter((x) => right.some((y) => csEquals(x, y)));
  },
  Except: (self, [other]) => {
    const right = toArray(other);
    return (linq.Distinct(self, [], { typeArgs: [] }) as unknown[]).filter((x) => !right.some((y) => csEquals(x, y)));
  },
  Sum: (self, [fn]) => sum(toArray(self), fn as Fn | undefined),
  Min: (self, [fn]) => extreme(toArray(self), fn as Fn | undefined, -1),
  Max: (self, [fn]) => extreme(toArray(self), fn as Fn | undefined, 1),
  Average: (self, [fn]) => {
    const items = toArray(self);
    if (!items.length) throw noElements();
    return new CsDouble(numberArg(sum(items, fn as Fn | undefined)) / items.length);
  },
  Aggregate: (self, args) => {
    const items = toArray(self);
    if (args.length === 1) {
      if (!items.length) throw noElements();
      return items.slice(1).reduce((acc, x) => (args[0] as Fn)(acc, x), items[0]);
    }
    const result = items.reduce((acc, x) => (args[1] as Fn)(acc, x), args[0]);
    return args.length > 2 ? (args[2] as Fn)(result) : result;
  },
  OrderBy: (self, [fn]) => orderBy(toArray(self), predicate(fn), false),
  OrderByDescending: (self, [fn]) => orderBy(toArray(self), predicate(fn), true),
  ToArray: (self) => [...toArray(self)],
  ToList: (self) => [...toArray(self)],
  AsEnumerable: (self) => self,
  Cast: (self, _args, site) => toArray(self).map((x) => {
    if (x !== null && !isInstance(x, site.typeArgs[0])) throw new CsException('InvalidCastException', `Unable to cast object to type '${site.typeArgs[0].name}'.`);
    return x;
  }),
  OfType: (self, _args, site) => toArray(self).filter((x) => isInstance(x, site.typeArgs[0])),
  ToDictionary: (self, [keyFn, valueFn]) => {
    const map = new Map<unknown, unknown>();
    for (const item of toArray(self)) {
      const key = predicate(keyFn)(item);
      if (key === null) throw argumentNull('key');
      if (mapHas(map, key)) throw new CsException('ArgumentException', `An item with the same key has already been added. Key: ${csString(key)}`);
      map.set(key, valueFn === undefined ? item : (valueFn as Fn)(item));
    }
    return map;
  },
  GroupBy: (self, [keyFn]) => {
    const groups: Grouping[] = [];
    for (const item of toArray(self)) {
      const key = predicate(keyFn)(item);
      let group = groups.find((g) => csEquals(g.key, key));
      if (!group) groups.push((group = new Grouping(key, [])));
      group.items.push(item);
    }
    return groups;
  },
  SequenceEqual: (self, [other]) => {
    const a = toArray(self);
    const b = toArray(other);
    return a.length === b.length && a.every((x, i) => csEquals(x, b[i]));
  },
  DefaultIfEmpty: (self, [value]) => {
    const items = toArray(self);
    return items.length ? items : [value ?? null];
  },
  Zip: (self, [other, fn]) => {
    const a = toArray(self);
    const b = toArray(other);
    return a.slice(0, Math.min(a.length, b.length)).map((x, i) => (fn as Fn)(x, b[i]));
  },
};

export const ENUMERABLE = defineType({ fullName: 'System.Collections.Generic.IEnumerable`1', names: ['IEnumerable', 'ICollection', 'IReadOnlyCollection'], methods: linq });

export class Grouping {
  constructor(
    readonly key: unknown,
    readonly items: unknown[],
  ) {}
}
bindClass(Grouping, defineType({ fullName: 'System.Linq.IGrouping`2', names: ['IGrouping'], base: ENUMERABLE, props: { Key: (g: Grouping) => g.key }, iterate: (g: Grouping) => g.items }));

const ORDERED = defineType({
  fullName: 'System.Linq.IOrderedEnumerable`1',
  names: ['IOrderedEnumerable'],
  base: ENUMERABLE,
  iterate: (self: OrderedSequence) => self.sorted(),
  methods: {
    ThenBy: (self: OrderedSequence, [fn]) => new OrderedSequence(self.source, [...self.keys, { key: predicate(fn), descending: false }]),
    ThenByDescending: (self: OrderedSequence, [fn]) => new OrderedSequence(self.source, [...self.keys, { key: predicate(fn), descending: true }]),
  },
});
bindClass(OrderedSequence, ORDERED);

// ---- strings

function charsArg(args: unknown[]): string[] {
  const chars: string[] = [];
  for (const arg of args) {
    if (Array.isArray(arg)) chars.push(...(arg as string[]));
    else if (typeof arg === 'string') chars.push(arg);
  }
  return chars;
}

function trim(self: string, chars: string[], start: boolean, end: boolean): string {
  const isTrimmed = chars.length ? (c: string) => chars.includes(c) : (c: string) => /\s/.test(c);
  let a = 0;
  let b = self.length;
  if (start) while (a < b && isTrimmed(self[a])) a++;
  if (end) while (b > a && isTrimmed(self[b - 1])) b--;
  return self.slice(a, b);
}

function split(self: string, args: unknown[]): string[] {
  let separators: string[] = [];
  let count = Number.MAX_SAFE_INTEGER;
  let options = 0;
  for (const arg of args) {
    if (arg instanceof CsEnum) options = arg.value;
    else if (typeof arg === 'number') count = arg;
    else if (Array.isArray(arg)) separators.push(...(arg as string[]));
    else if (typeof arg === 'string') separators.push(arg);
    else if (arg === null) separators = [];
  }
  separators = separators.filter((s) => s !== '');
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  if (count <= 0) return [];
  while (i <= self.length && parts.length < count - 1) {
    const sep = separators.length ? separators.find((s) => self.startsWith(s, i)) : /\s/.test(self[i] ?? '') ? self[i] : undefined;
    if (sep !== undefined && i < self.length) {
      parts.push(self.slice(start, i));
      i += sep.length;
      start = i;
    } else i++;
  }
  parts.push(self.slice(start));
  let result = parts;
  if (options & 2) result = result.map((p) => p.trim());
  if (options & 1) result = result.filter((p) => p !== '');
  return result;
}

function indexOf(self: string, args: unknown[], last: boolean): number {
  const [value, ...rest] = args;
  if (value === null) throw argumentNull('value');
  const needle = Array.isArray(value) ? undefined : (value as string);
  const comparison = rest.find((a) => a instanceof CsEnum);
  const numbers = rest.filter((a) => typeof a === 'number') as number[];
  const ignore = ignoresCase(comparison);
  const haystack = ignore ? self.toLowerCase() : self;
  if (needle === undefined) {
    const chars = value as string[];
    const positions = chars.map((c) => (last ? self.lastIndexOf(c) : self.indexOf(c, numbers[0] ?? 0))).filter((p) => p >= 0);
    return positions.length ? (last ? Math.max(...positions) : Math.min(...positions)) : -1;
  }
  const n = ignore ? needle.toLowerCase() : needle;
  if (numbers[0] !== undefined && (numbers[0] < 0 || numbers[0] > self.length)) throw argumentOutOfRange('startIndex', 'Index was out of range. Must be non-negative and less than or equal to the size of the collection.');
  return last ? haystack.lastIndexOf(n, numbers[0]) : haystack.indexOf(n, numbers[0] ?? 0);
}

function substring(self: string, [start, length]: unknown[]): string {
  const s = intArg(start);
  if (s < 0 || s > self.length) throw argumentOutOfRange('startIndex', 'startIndex cannot be larger than length of string.');
  if (length === undefined) return self.slice(s);
  const l = intArg(length);
  if (l < 0 || s + l > self.length) throw argumentOutOfRange('length', 'Index and length must refer to a location within the string.');
  return self.substr(s, l);
}

function stringEquals(a: string, b: unknown, comparison?: unknown): boolean {
  if (typeof b !== 'string') return false;
  return ignoresCase(comparison) ? a.toLowerCase() === b.toLowerCase() : a === b;
}

export const STRING = defineType({
  fullName: 'System.String',
  names: ['string', 'IEnumerable', 'IComparable'],
  base: ENUMERABLE,
  toString: (self: string) => self,
  iterate: (self: string) => [...self],
  index: (self: string, [i]) => {
    const n = intArg(i);
    if (n < 0 || n >= self.length) throw new CsException('IndexOutOfRangeException', 'Index was outside the bounds of the array.');
    return self[n];
  },
  props: { Length: (self: string) => self.length },
  methods: {
    ToString: (self: string) => self,
    Split: (self: string, args) => split(self, args),
    Substring: (self: string, args) => substring(self, args),
    StartsWith: (self: string, [value, comparison]) => {
      const v = stringArg(value, 'value');
      return ignoresCase(comparison) ? self.toLowerCase().startsWith(v.toLowerCase()) : self.startsWith(v);
    },
    EndsWith: (self: string, [value, comparison]) => {
      const v = stringArg(value, 'value');
      return ignoresCase(comparison) ? self.toLowerCase().endsWith(v.toLowerCase()) : self.endsWith(v);
    },
    Contains: (self: string, [value, comparison]) => {
      const v = stringArg(value, 'value');
      return ignoresCase(comparison) ? self.toLowerCase().includes(v.toLowerCase()) : self.includes(v);
    },
    IndexOf: (self: string, args) => indexOf(self, args, false),
    LastIndexOf: (self: string, args) => indexOf(self, args, true),
    IndexOfAny: (self: string, args) => indexOf(self, args, false),
    ToLower: (self: string) => self.toLowerCase(),
    ToUpper: (self: string) => self.toUpperCase(),
    ToLowerInvariant: (self: string) => self.toLowerCase(),
    ToUpperInvariant: (self: string) => self.toUpperCase(),
    Trim: (self: string, args) => trim(self, charsArg(args), true, true),
    TrimStart: (self: string, args) => trim(self, charsArg(args), true, false),
    TrimEnd: (self: string, args) => trim(self, charsArg(args), false, true),
    Replace: (self: string, [from, to, comparison]) => {
      const f = stringArg(from, 'oldValue');
      if (f === '') throw new CsException('ArgumentException', "String cannot be of zero length. (Parameter 'oldValue')");
      const t = to === null || to === undefined ? '' : (to as string);
      if (ignoresCase(comparison)) return self.replace(new RegExp(f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), () => t);
      return self.replaceAll(f, () => t);
    },
    Equals: (self: string, [other, comparison]) => stringEquals(self, other, comparison),
    CompareTo: (self: string, [other]) => (other === null ? 1 : compareStrings(self, other as string, false)),
    PadLeft: (self: string, [width, c]) => self.padStart(intArg(width), (c as string) ?? ' '),
    PadRight: (self: string, [width, c]) => self.padEnd(intArg(width), (c as string) ?? ' '),
    Insert: (self: string, [at, value]) => {
      const i = intArg(at);
      if (i < 0 || i > self.length) throw argumentOutOfRange('startIndex');
      return self.slice(0, i) + stringArg(value, 'value') + self.slice(i);
    },
    Remove: (self: string, [start, count]) => {
      const s = intArg(start);
      if (s < 0 || s > self.length) throw argumentOutOfRange('startIndex', 'startIndex must be less than length of string.');
      if (count === undefined) return self.slice(0, s);
      const c = intArg(count);
      if (c < 0 || s + c > self.length) throw argumentOutOfRange('count', 'Index and count must refer to a location within the string.');
      return self.slice(0, s) + self.slice(s + c);
    },
    ToCharArray: (self: string) => [...self],
    GetHashCode: (self: string) => {
      let hash = 0;
      for (let i = 0; i < self.length; i++) hash = (Math.imul(hash, 31) + self.charCodeAt(i)) | 0;
      return hash;
    },
    Normalize: (self: string) => self.normalize('NFC'),
    Clone: (self: string) => self,
  },
});

// ---- numbers and booleans

function integerToString(self: number, [format]: unknown[]): string {
  if (format === undefined || format === null || format === '') return String(self);
  return formatNumber(self, String(format), true);
}

export const INT = defineType({
  fullName: 'System.Int32',
  names: ['int', 'long', 'short', 'byte', 'uint', 'ulong', 'ushort', 'sbyte', 'IComparable', 'ValueType'],
  toString: (self: number) => String(self),
  methods: {
    ToString: (self: number, args) => integerToString(self, args),
    CompareTo: (self: number, [other]) => compareKeys(self, other),
    Equals: (self: number, [other]) => typeof other === 'number' && other === self,
    GetHashCode: (self: number) => self | 0,
  },
});

export const DOUBLE = defineType({
  fullName: 'System.Double',
  names: ['double', 'float', 'decimal', 'IComparable', 'ValueType'],
  toString: (self: CsDouble) => formatDouble(self.value),
  methods: {
    ToString: (self: CsDouble, [format]) => (format === undefined || format === null || format === '' ? formatDouble(self.value) : formatNumber(self.value, String(format), false)),
    CompareTo: (self: CsDouble, [other]) => compareKeys(self, other),
    Equals: (self: CsDouble, [other]) => other instanceof CsDouble && other.value === self.value,
  },
});
bindClass(CsDouble, DOUBLE);
(CsDouble.prototype as unknown as { csEquals: (o: unknown) => boolean }).csEquals = function (this: CsDouble, other: unknown) {
  return numeric(other) === this.value;
};

export const BOOL = defineType({
  fullName: 'System.Boolean',
  names: ['bool', 'ValueType'],
  toString: (self: boolean) => (self ? 'True' : 'False'),
  methods: {
    ToString: (self: boolean) => (self ? 'True' : 'False'),
    Equals: (self: boolean, [other]) => other === self,
    CompareTo: (self: boolean, [other]) => Number(self) - Number(other),
  },
});

// ---- arrays and List<T> (both JS arrays)

function checkIndex(self: unknown[], i: number): void {
  if (i < 0 || i >= self.length) throw new CsException('ArgumentOutOfRangeException', "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')");
}

export const ARRAY = defineType({
  fullName: 'System.Collections.Generic.List`1',
  names: ['List', 'IList', 'Array', 'IReadOnlyList', 'ICollection', 'IEnumerable'],
  base: ENUMERABLE,
  toString: () => 'System.Collections.Generic.List`1[System.Object]',
  iterate: (self: unknown[]) => self,
  index: (self: unknown[], [i]) => {
    const n = intArg(i);
    if (n < 0 || n >= self.length) throw new CsException('IndexOutOfRangeException', 'Index was outside the bounds of the array.');
    return self[n];
  },
  setIndex: (self: unknown[], [i], value) => {
    const n = intArg(i);
    if (n < 0 || n >= self.length) throw new CsException('IndexOutOfRangeException', 'Index was outside the bounds of the array.');
    self[n] = value;
  },
  props: { Length: (self: unknown[]) => self.length, Count: (self: unknown[]) => self.length },
  methods: {
    Add: (self: unknown[], [value]) => {
      self.push(value);
    },
    AddRange: (self: unknown[], [values]) => {
      self.push(...toArray(values));
    },
    Contains: (self: unknown[], [value]) => self.some((x) => csEquals(x, value)),
    IndexOf: (self: unknown[], [value]) => self.findIndex((x) => csEquals(x, value)),
    Remove: (self: unknown[], [value]) => {
      const i = self.findIndex((x) => csEquals(x, value));
      if (i >= 0) self.splice(i, 1);
      return i >= 0;
    },
    RemoveAt: (self: unknown[], [index]) => {
      checkIndex(self, intArg(index));
      self.splice(intArg(index), 1);
    },
    RemoveAll: (self: unknown[], [fn]) => {
      const before = self.length;
      const kept = self.filter((x) => predicate(fn)(x) !== true);
      self.splice(0, self.length, ...kept);
      return before - kept.length;
    },
    Insert: (self: unknown[], [index, value]) => {
      self.splice(intArg(index), 0, value);
    },
    Clear: (self: unknown[]) => {
      self.length = 0;
    },
    Sort: (self: unknown[]) => {
      self.sort(compareKeys);
    },
    Exists: (self: unknown[], [fn]) => self.some((x) => predicate(fn)(x) === true),
    Find: (self: unknown[], [fn]) => self.find((x) => predicate(fn)(x) === true) ?? null,
    FindAll: (self: unknown[], [fn]) => self.filter((x) => predicate(fn)(x) === true),
    ForEach: (self: unknown[], [fn]) => {
      for (const x of [...self]) predicate(fn)(x);
    },
    GetValue: (self: unknown[], [index]) => self[intArg(index)],
    Clone: (self: unknown[]) => [...self],
  },
});

export const BYTES = defineType({
  fullName: 'System.Byte[]',
  names: ['Array', 'IEnumerable'],
  base: ENUMERABLE,
  toString: () => 'System.Byte[]',
  iterate: (self: Uint8Array) => [...self],
  index: (self: Uint8Array, [i]) => {
    const n = intArg(i);
    if (n < 0 || n >= self.length) throw new CsException('IndexOutOfRangeException', 'Index was outside the bounds of the array.');
    return self[n];
  },
  setIndex: (self: Uint8Array, [i], value) => {
    const n = intArg(i);
    if (n < 0 || n >= self.length) throw new CsException('IndexOutOfRangeException', 'Index was outside the bounds of the array.');
    self[n] = intArg(value) & 0xff;
  },
  props: { Length: (self: Uint8Array) => self.length },
  methods: { Clone: (self: Uint8Array) => Uint8Array.from(self) },
});

// ---- Dictionary<K, V> (a JS Map; string keys compare ordinally) and HashSet

export class KeyValuePair {
  constructor(
    readonly key: unknown,
    readonly value: unknown,
  ) {}
}
bindClass(
  KeyValuePair,
  defineType({
    fullName: 'System.Collections.Generic.KeyValuePair`2',
    names: ['KeyValuePair', 'ValueType'],
    props: { Key: (self: KeyValuePair) => self.key, Value: (self: KeyValuePair) => self.value },
    toString: (self: KeyValuePair) => `[${csString(self.key)}, ${csString(self.value)}]`,
  }),
);

function mapKey(map: Map<unknown, unknown>, key: unknown): unknown {
  if (typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean') return key;
  for (const k of map.keys()) if (csEquals(k, key)) return k;
  return key;
}

export function mapHas(map: Map<unknown, unknown>, key: unknown): boolean {
  return map.has(mapKey(map, key));
}

export const keyNotFound = (key: unknown) => new CsException('KeyNotFoundException', `The given key '${csString(key)}' was not present in the dictionary.`);

export const DICTIONARY = defineType({
  fullName: 'System.Collections.Generic.Dictionary`2',
  names: ['Dictionary', 'IDictionary', 'IReadOnlyDictionary'],
  base: ENUMERABLE,
  toString: () => 'System.Collections.Generic.Dictionary`2[System.String,System.Object]',
  iterate: (self: Map<unknown, unknown>) => [...self].map(([k, v]) => new KeyValuePair(k, v)),
  index: (self: Map<unknown, unknown>, [key]) => {
    if (key === null) throw argumentNull('key');
    const k = mapKey(self, key);
    if (!self.has(k)) throw keyNotFound(key);
    return self.get(k);
  },
  setIndex: (self: Map<unknown, unknown>, [key], value) => {
    if (key === null) throw argumentNull('key');
    self.set(mapKey(self, key), value);
  },
  props: {
    Count: (self: Map<unknown, unknown>) => self.size,
    Keys: (self: Map<unknown, unknown>) => [...self.keys()],
    Values: (self: Map<unknown, unknown>) => [...self.values()],
  },
  methods: {
    ContainsKey: (self: Map<unknown, unknown>, [key]) => {
      if (key === null) throw argumentNull('key');
      return mapHas(self, key);
    },
    GetValueOrDefault: (self: Map<unknown, unknown>, [key, fallback], site) => {
      if (key === null) throw argumentNull('key');
      const k = mapKey(self, key);
      const type = site.typeArgs[0];
      if (!self.has(k)) return fallback === undefined ? defaultOf(type) : fallback;
      const value = self.get(k);
      if (type && value !== null && !isInstance(value, type)) throw invalidCast(value, type);
      return value;
    },
    ContainsValue: (self: Map<unknown, unknown>, [value]) => [...self.values()].some((v) => csEquals(v, value)),
    TryGetValue: (self: Map<unknown, unknown>, [key, out]) => {
      if (key === null) throw argumentNull('key');
      const k = mapKey(self, key);
      const found = self.has(k);
      (out as Ref).set(found ? self.get(k) : null);
      return found;
    },
    Add: (self: Map<unknown, unknown>, [key, value]) => {
      if (key === null) throw argumentNull('key');
      if (mapHas(self, key)) throw new CsException('ArgumentException', `An item with the same key has already been added. Key: ${csString(key)}`);
      self.set(key, value);
    },
    TryAdd: (self: Map<unknown, unknown>, [key, value]) => {
      if (mapHas(self, key)) return false;
      self.set(key, value);
      return true;
    },
    Remove: (self: Map<unknown, unknown>, [key]) => self.delete(mapKey(self, key)),
    Clear: (self: Map<unknown, unknown>) => self.clear(),
  },
});

/** IReadOnlyDictionary over a Map (`context.Variables`, `MatchedParameters`): the reading members, no writes. */
export class ReadOnlyMap {
  constructor(readonly map: Map<unknown, unknown>) {}
}

const readOnly = (method: Method): Method => (self: ReadOnlyMap, args, site) => method(self.map, args, site);

bindClass(
  ReadOnlyMap,
  defineType({
    fullName: 'System.Collections.Generic.IReadOnlyDictionary`2',
    names: ['IReadOnlyDictionary'],
    base: ENUMERABLE,
    iterate: (self: ReadOnlyMap) => DICTIONARY.iterate!(self.map),
    index: (self: ReadOnlyMap, args) => DICTIONARY.index!(self.map, args),
    props: Object.fromEntries(['Count', 'Keys', 'Values'].map((name) => [name, (self: ReadOnlyMap) => DICTIONARY.props[name](self.map)])),
    methods: Object.fromEntries(['ContainsKey', 'ContainsValue', 'TryGetValue', 'GetValueOrDefault'].map((name) => [name, readOnly(DICTIONARY.methods[name])])),
  }),
);

export const HASHSET = defineType({
  fullName: 'System.Collections.Generic.HashSet`1',
  names: ['HashSet', 'ISet'],
  base: ENUMERABLE,
  iterate: (self: Set<unknown>) => [...self],
  props: { Count: (self: Set<unknown>) => self.size },
  methods: {
    Add: (self: Set<unknown>, [value]) => {
      if ([...self].some((x) => csEquals(x, value))) return false;
      self.add(value);
      return true;
    },
    Contains: (self: Set<unknown>, [value]) => [...self].some((x) => csEquals(x, value)),
    Remove: (self: Set<unknown>, [value]) => {
      for (const x of self) if (csEquals(x, value)) return self.delete(x);
      return false;
    },
  },
});

export const DELEGATE = defineType({
  fullName: 'System.Func',
  names: ['Func', 'Action', 'Predicate', 'Delegate'],
  methods: { Invoke: (self: Fn, args) => self(...args) },
});

registerPrimitives({ string: STRING, int: INT, double: DOUBLE, bool: BOOL, array: ARRAY, bytes: BYTES, dictionary: DICTIONARY, set: HASHSET, delegate: DELEGATE });

// ---- exceptions

export class CsExceptionValue {
  constructor(readonly error: CsException) {}
}
export const EXCEPTION = defineType({
  fullName: 'System.Exception',
  names: ['Exception'],
  props: {
    Message: (self: CsExceptionValue) => self.error.message,
    InnerException: () => null,
    StackTrace: () => '',
  },
  toString: (self: CsExceptionValue) => `System.${self.error.exceptionType}: ${self.error.message}`,
});
bindClass(CsExceptionValue, EXCEPTION);

export const typeNames = (type: CsType) => type.names;
export { OBJECT, formatException };
