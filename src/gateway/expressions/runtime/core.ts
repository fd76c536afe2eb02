/**
 * The interpreter's type system: every run-time value has a `CsType` (members by C# name), found by `typeOf`.
 * Library files define the types; the compiler dispatches member access and calls through them.
 */
import { CsDouble, formatDouble } from './values';

/** A resolved C# type name (`List<string>` → { name: "List", args: [string] }); names are canonical (see `canonicalTypeName`). */
export interface TypeRef {
  name: string;
  args: TypeRef[];
  arrays: number;
  nullable: boolean;
}

/** What a method implementation gets besides receiver and arguments. */
export interface CallSite {
  typeArgs: TypeRef[];
  /** The name of each named argument (`preserveContent: true`), by argument index. */
  names?: (string | undefined)[];
}

export type Method = (self: any, args: unknown[], site: CallSite) => unknown;
export type Getter = (self: any) => unknown;

export interface CsType {
  /** .NET full name, for messages ("System.String", "Newtonsoft.Json.Linq.JObject"). */
  fullName: string;
  /** Names this type answers to in `is` / `as` / casts / catch (itself, its bases and interfaces). */
  names: Set<string>;
  props: Record<string, Getter>;
  setters: Record<string, (self: any, value: unknown) => void>;
  methods: Record<string, Method>;
  index?: (self: any, args: unknown[]) => unknown;
  setIndex?: (self: any, args: unknown[], value: unknown) => void;
  /** The elements when the value is enumerable (foreach, LINQ). */
  iterate?: (self: any) => Iterable<unknown>;
  toString: (self: any) => string;
}

export const CS_TYPE = Symbol('csType');

/** A .NET exception raised by the runtime; `offset` is filled in by the innermost compiled node it passes. */
export class CsException extends Error {
  offset = -1;
  constructor(
    readonly exceptionType: string,
    message: string,
  ) {
    super(message);
  }
}

/** A member the interpreter lacks, met at run time. */
export class UnsupportedMember extends Error {
  offset = -1;
  constructor(readonly construct: string) {
    super(construct);
  }
}

/** An `out` / `ref` argument. */
export class Ref {
  constructor(
    readonly get: () => unknown,
    readonly set: (value: unknown) => void,
  ) {}
}

export const nullReference = () => new CsException('NullReferenceException', 'Object reference not set to an instance of an object.');

interface TypeSpec {
  fullName: string;
  names?: string[];
  base?: CsType;
  props?: Record<string, Getter>;
  setters?: Record<string, (self: any, value: unknown) => void>;
  methods?: Record<string, Method>;
  index?: (self: any, args: unknown[]) => unknown;
  setIndex?: (self: any, args: unknown[], value: unknown) => void;
  iterate?: (self: any) => Iterable<unknown>;
  toString?: (self: any) => string;
}

const allTypes: CsType[] = [];

/** Declares a type; members not given are inherited from `base` (and from Object). */
export function defineType(spec: TypeSpec): CsType {
  const base = spec.base ?? (allTypes.length ? OBJECT : undefined);
  const shortName = spec.fullName.replace(/^.*\./, '').replace(/`.*$/, '');
  const type: CsType = {
    fullName: spec.fullName,
    names: new Set([shortName, ...(spec.names ?? []), ...(base?.names ?? [])]),
    props: Object.assign(Object.create(base?.props ?? null), spec.props),
    setters: Object.assign(Object.create(base?.setters ?? null), spec.setters),
    methods: Object.assign(Object.create(base?.methods ?? null), spec.methods),
    index: spec.index ?? base?.index,
    setIndex: spec.setIndex ?? base?.setIndex,
    iterate: spec.iterate ?? base?.iterate,
    toString: spec.toString ?? base?.toString ?? (() => spec.fullName),
  };
  allTypes.push(type);
  return type;
}

/** Attaches `type` to the instances of a class. */
export function bindClass(klass: { prototype: object }, type: CsType): void {
  Object.defineProperty(klass.prototype, CS_TYPE, { value: type });
}

/** Adds members to a type after its definition (library files extending each other's types). */
export function extendType(type: CsType, members: { props?: Record<string, Getter>; methods?: Record<string, Method> }): void {
  Object.assign(type.props, members.props);
  Object.assign(type.methods, members.methods);
}

/** Every instance member name some type has (an unknown name is reported unsupported at compile time). */
export function isKnownMember(name: string): boolean {
  return allTypes.some((type) => name in type.props || name in type.methods);
}

export const OBJECT: CsType = defineType({
  fullName: 'System.Object',
  names: ['object'],
  methods: {
    ToString: (self) => csString(self),
    Equals: (self, [other]) => csEquals(self, other),
    GetHashCode: (self) => hashCode(csString(self)),
    GetType: (self) => typeOf(self).fullName,
  },
});

interface Primitives {
  string: CsType;
  int: CsType;
  double: CsType;
  bool: CsType;
  array: CsType;
  bytes: CsType;
  dictionary: CsType;
  set: CsType;
  delegate: CsType;
}

let primitives: Primitives | undefined;

/** The library registers the types of JS-native values (string, number, boolean, arrays, Map, Set, functions). */
export function registerPrimitives(types: Primitives): void {
  primitives = types;
}

export function typeOf(value: unknown): CsType {
  const p = primitives!;
  switch (typeof value) {
    case 'string':
      return p.string;
    case 'number':
      return p.int;
    case 'boolean':
      return p.bool;
    case 'function':
      return p.delegate;
    case 'object': {
      if (value === null) throw nullReference();
      const bound = (value as { [CS_TYPE]?: CsType })[CS_TYPE];
      if (bound) return bound;
      if (Array.isArray(value)) return p.array;
      if (value instanceof Uint8Array) return p.bytes;
      if (value instanceof Map) return p.dictionary;
      if (value instanceof Set) return p.set;
      return OBJECT;
    }
    default:
      throw nullReference();
  }
}

/** C# `ToString()` of a non-null value. */
export function csString(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isInteger(value) ? String(value) : formatDouble(value);
    case 'boolean':
      return value ? 'True' : 'False';
  }
  if (value === null || value === undefined) return '';
  if (value instanceof CsDouble) return formatDouble(value.value);
  return typeOf(value).toString(value);
}

/** `==` / `Equals` between two values: value equality for strings, numbers, bools and value types, else identity. */
export function csEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  const na = numeric(a);
  if (na !== undefined) {
    const nb = numeric(b);
    return nb !== undefined && na === nb;
  }
  const equals = (a as { csEquals?: (other: unknown) => boolean }).csEquals;
  return typeof equals === 'function' ? equals.call(a, b) : false;
}

/** The JS number of an int/long/double value, else undefined. */
export function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof CsDouble) return value.value;
  return undefined;
}

export function hashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** C# canonical names: keyword aliases and framework names map to one spelling, namespaces dropped. */
const ALIASES: Record<string, string> = {
  String: 'string', Int32: 'int', Int64: 'long', Int16: 'short', UInt16: 'ushort', UInt32: 'uint', UInt64: 'ulong',
  Byte: 'byte', SByte: 'sbyte', Boolean: 'bool', Double: 'double', Single: 'float', Decimal: 'decimal', Char: 'char',
  Object: 'object', dynamic: 'object',
};

export function canonicalTypeName(name: string): string {
  const short = name.replace(/^(System|Newtonsoft)(\.[A-Za-z]+)*\.(?=[A-Z][^.]*$)/, '');
  return ALIASES[short] ?? short;
}

export const INTEGRAL = new Set(['int', 'long', 'short', 'ushort', 'uint', 'ulong', 'byte', 'sbyte']);
export const FLOATING = new Set(['double', 'float', 'decimal']);

/** `value is T` (null is never an instance). */
export function isInstance(value: unknown, type: TypeRef): boolean {
  if (value === null || value === undefined) return false;
  const name = type.name;
  if (name === 'object') return true;
  if (type.arrays > 0) {
    if (name === 'byte' && type.arrays === 1) return value instanceof Uint8Array;
    return Array.isArray(value);
  }
  if (INTEGRAL.has(name)) return typeof value === 'number';
  if (FLOATING.has(name)) return value instanceof CsDouble;
  switch (name) {
    case 'string':
    case 'char':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
  }
  return typeOf(value).names.has(name);
}

export function typeRefName(type: TypeRef): string {
  const args = type.args.length ? `<${type.args.map(typeRefName).join(', ')}>` : '';
  return `${type.name}${args}${type.nullable ? '?' : ''}${'[]'.repeat(type.arrays)}`;
}

const FULL_NAMES: Record<string, string> = {
  string: 'System.String', int: 'System.Int32', long: 'System.Int64', short: 'System.Int16', byte: 'System.Byte', bool: 'System.Boolean',
  double: 'System.Double', float: 'System.Single', decimal: 'System.Decimal', char: 'System.Char', object: 'System.Object',
  uint: 'System.UInt32', ulong: 'System.UInt64', ushort: 'System.UInt16', sbyte: 'System.SByte',
};

export function fullTypeName(type: TypeRef): string {
  return (FULL_NAMES[type.name] ?? type.name) + '[]'.repeat(type.arrays);
}

/** The .NET type name of a value, as InvalidCastException messages give it. */
export function valueTypeName(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) <= 2147483647 ? 'System.Int32' : 'System.Int64';
  if (value instanceof CsDouble) return 'System.Double';
  return typeOf(value).fullName;
}

export function invalidCast(value: unknown, type: TypeRef): CsException {
  return new CsException('InvalidCastException', `Unable to cast object of type '${valueTypeName(value)}' to type '${fullTypeName(type)}'.`);
}

export const STRING_REF: TypeRef = { name: 'string', args: [], arrays: 0, nullable: false };
export const OBJECT_REF: TypeRef = { name: 'object', args: [], arrays: 0, nullable: false };

export function typeRef(name: string, args: TypeRef[] = []): TypeRef {
  return { name, args, arrays: 0, nullable: false };
}

/** The elements of an enumerable value, or a NullReference / InvalidCast error. */
export function enumerate(value: unknown): Iterable<unknown> {
  if (typeof value === 'string') return [...value];
  const type = typeOf(value);
  if (!type.iterate) throw new CsException('InvalidCastException', `Unable to cast object of type '${type.fullName}' to type 'System.Collections.IEnumerable'.`);
  return type.iterate(value);
}

export function toArray(value: unknown): unknown[] {
  const items = enumerate(value);
  return Array.isArray(items) ? items : [...items];
}

export function argumentNull(name: string): CsException {
  return new CsException('ArgumentNullException', `Value cannot be null. (Parameter '${name}')`);
}

export function argumentOutOfRange(name: string, detail?: string): CsException {
  return new CsException('ArgumentOutOfRangeException', `${detail ?? 'Specified argument was out of the range of valid values.'} (Parameter '${name}')`);
}

export function formatException(message: string): CsException {
  return new CsException('FormatException', message);
}

/** A required string argument (ArgumentNullException when null). */
export function stringArg(value: unknown, name: string): string {
  if (value === null || value === undefined) throw argumentNull(name);
  if (typeof value !== 'string') return csString(value);
  return value;
}

/** An integer argument. */
export function intArg(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof CsDouble) return Math.trunc(value.value);
  if (typeof value === 'string' && value.length === 1) return value.charCodeAt(0);
  throw new CsException('InvalidCastException', `Unable to cast object of type '${valueTypeName(value)}' to type 'System.Int32'.`);
}

export function numberArg(value: unknown): number {
  const n = numeric(value);
  if (n === undefined) throw new CsException('InvalidCastException', `Unable to cast object of type '${valueTypeName(value)}' to type 'System.Double'.`);
  return n;
}

/** Wraps a method so calling it with an argument count outside [min, max] is an unsupported overload. */
export function overloadError(type: string, method: string, count: number): UnsupportedMember {
  return new UnsupportedMember(`overload ${type}.${method} with ${count} argument${count === 1 ? '' : 's'}`);
}
