/**
 * Newtonsoft.Json's LINQ-to-JSON model (JToken, JObject, JArray, JProperty, JValue), its parser (with
 * Newtonsoft's date parsing: ISO-8601 strings become Date values) and writer, JsonConvert, and the CLR
 * conversions of `Value<T>()` and explicit casts.
 */
import {
  argumentNull,
  bindClass,
  canonicalTypeName,
  CS_TYPE,
  CsException,
  csEquals,
  csString,
  defineType,
  FLOATING,
  INTEGRAL,
  intArg,
  isInstance,
  Ref,
  typeOf,
  UnsupportedMember,
  type CsType,
  type TypeRef,
} from './core';
import { CsDateTime, CsDateTimeOffset, formatDateTime, parseDateTime, CsTimeSpan, formatTimeSpan } from './datetime';
import { compareKeys, CsEnum, ENUMERABLE, enumMembers, KeyValuePair, ignoresCase } from './primitives';
import { CsDouble, formatDouble } from './values';
import { CsGuid } from './guid';

export const JTokenType = enumMembers('JTokenType', ['None', 'Object', 'Array', 'Constructor', 'Property', 'Comment', 'Integer', 'Float', 'String', 'Boolean', 'Null', 'Undefined', 'Date', 'Raw', 'Bytes', 'Guid', 'Uri', 'TimeSpan']);
export const Formatting = enumMembers('Formatting', ['None', 'Indented']);

type ValueKind = 'String' | 'Integer' | 'Float' | 'Boolean' | 'Null' | 'Date' | 'Guid' | 'TimeSpan' | 'Bytes' | 'Undefined';

export abstract class JToken {
  parent: JContainer | JProperty | null = null;
  abstract get kind(): string;
  abstract clone(): JToken;
}

export abstract class JContainer extends JToken {}

export class JObject extends JContainer {
  readonly properties = new Map<string, JProperty>();
  get kind(): string {
    return 'Object';
  }
  get(name: string): JToken | null {
    return this.properties.get(name)?.value ?? null;
  }
  set(name: string, value: unknown): void {
    const token = toToken(value);
    const existing = this.properties.get(name);
    if (existing) existing.setValue(token);
    else this.addProperty(new JProperty(name, token));
  }
  addProperty(property: JProperty): void {
    if (this.properties.has(property.name)) throw new CsException('ArgumentException', `Can not add property ${property.name} to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object.`);
    const p = property.parent ? (property.clone() as JProperty) : property;
    p.parent = this;
    this.properties.set(p.name, p);
  }
  clone(): JObject {
    const copy = new JObject();
    for (const p of this.properties.values()) copy.addProperty(p.clone());
    return copy;
  }
}

export class JArray extends JContainer {
  readonly items: JToken[] = [];
  get kind(): string {
    return 'Array';
  }
  add(value: unknown): void {
    const token = adopt(toToken(value), this);
    this.items.push(token);
  }
  clone(): JArray {
    const copy = new JArray();
    for (const item of this.items) copy.add(item.clone());
    return copy;
  }
}

export class JProperty extends JToken {
  value: JToken;
  constructor(
    readonly name: string,
    value: unknown,
  ) {
    super();
    this.value = adopt(toToken(value), this);
  }
  get kind(): string {
    return 'Property';
  }
  setValue(value: unknown): void {
    this.value.parent = null;
    this.value = adopt(toToken(value), this);
  }
  clone(): JProperty {
    return new JProperty(this.name, this.value.clone());
  }
}

export class JValue extends JToken {
  constructor(
    readonly valueKind: ValueKind,
    readonly value: unknown,
  ) {
    super();
  }
  get kind(): string {
    return this.valueKind;
  }
  clone(): JValue {
    return new JValue(this.valueKind, this.value);
  }
  csEquals(other: unknown): boolean {
    return this === other;
  }
}

/** A token joins `parent`; one that already has a parent is copied (Newtonsoft's rule). */
function adopt(token: JToken, parent: JContainer | JProperty): JToken {
  const t = token.parent ? token.clone() : token;
  t.parent = parent;
  return t;
}

/** Newtonsoft's JToken.FromObject / implicit conversion of a CLR value. */
export function toToken(value: unknown): JToken {
  if (value instanceof JToken) return value;
  if (value === null || value === undefined) return new JValue('Null', null);
  switch (typeof value) {
    case 'string':
      return new JValue('String', value);
    case 'number':
      return new JValue(Number.isInteger(value) ? 'Integer' : 'Float', Number.isInteger(value) ? value : new CsDouble(value));
    case 'boolean':
      return new JValue('Boolean', value);
  }
  if (value instanceof CsDouble) return new JValue('Float', value);
  if (value instanceof CsDateTime || value instanceof CsDateTimeOffset) return new JValue('Date', value);
  if (value instanceof CsGuid) return new JValue('Guid', value);
  if (value instanceof CsTimeSpan) return new JValue('TimeSpan', value);
  if (value instanceof CsEnum) return new JValue('Integer', value.value);
  if (value instanceof Uint8Array) return new JValue('Bytes', value);
  if (value instanceof Map) {
    const obj = new JObject();
    for (const [k, v] of value) obj.set(csString(k), v);
    return obj;
  }
  if (value instanceof AnonymousObject) {
    const obj = new JObject();
    for (const [k, v] of value.entries) obj.set(k, v);
    return obj;
  }
  if (value instanceof KeyValuePair) {
    const obj = new JObject();
    obj.set('Key', value.key);
    obj.set('Value', value.value);
    return obj;
  }
  if (Array.isArray(value)) {
    const arr = new JArray();
    for (const item of value) arr.add(item);
    return arr;
  }
  const type = typeOf(value);
  if (type.iterate) {
    const arr = new JArray();
    for (const item of type.iterate(value)) arr.add(item);
    return arr;
  }
  const obj = new JObject();
  for (const name of Object.keys(type.props)) obj.set(name, type.props[name](value));
  return obj;
}

// ---- anonymous objects (`new { a = 1 }`)

export class AnonymousObject {
  constructor(
    readonly type: CsType,
    readonly entries: [string, unknown][],
  ) {}
  csEquals(other: unknown): boolean {
    return other instanceof AnonymousObject && other.entries.length === this.entries.length && this.entries.every(([k, v], i) => other.entries[i][0] === k && csEquals(v, other.entries[i][1]));
  }
}

/** The type of one anonymous-object shape (member names in order). */
export function anonymousType(names: string[]): CsType {
  const type = defineType({
    fullName: `<>f__AnonymousType<${names.join(',')}>`,
    props: Object.fromEntries(names.map((name, i) => [name, (self: AnonymousObject) => self.entries[i][1]])),
    toString: (self: AnonymousObject) => `{ ${self.entries.map(([k, v]) => `${k} = ${csString(v)}`).join(', ')} }`,
  });
  return type;
}
Object.defineProperty(AnonymousObject.prototype, CS_TYPE, {
  get(this: AnonymousObject) {
    return this.type;
  },
});

// ---- writer

function escapeJson(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || code === 0x85 || code === 0x2028 || code === 0x2029) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function floatJson(value: number): string {
  if (Number.isNaN(value)) return '"NaN"';
  if (!Number.isFinite(value)) return value > 0 ? '"Infinity"' : '"-Infinity"';
  const text = formatDouble(value);
  return /[.E]/.test(text) ? text : text + '.0';
}

function dateJson(value: CsDateTime | CsDateTimeOffset): string {
  if (value instanceof CsDateTimeOffset) {
    const sign = value.offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(value.offsetMinutes);
    return `"${formatDateTime(value.local, "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF")}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}"`;
  }
  return `"${formatDateTime(value, "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK")}"`;
}

function valueJson(token: JValue): string {
  switch (token.valueKind) {
    case 'Null':
      return 'null';
    case 'Undefined':
      return 'undefined';
    case 'String':
      return escapeJson(token.value as string);
    case 'Integer':
      return String(token.value);
    case 'Float':
      return floatJson((token.value as CsDouble).value);
    case 'Boolean':
      return token.value ? 'true' : 'false';
    case 'Date':
      return dateJson(token.value as CsDateTime);
    case 'Bytes':
      return escapeJson(Buffer.from(token.value as Uint8Array).toString('base64'));
    case 'TimeSpan':
      return escapeJson(formatTimeSpan(token.value as CsTimeSpan));
    default:
      return escapeJson(csString(token.value));
  }
}

/** Newtonsoft's JSON text for a token: Indented uses two spaces and `"name": value`. */
export function writeJson(token: JToken, indented: boolean, depth = 0): string {
  const nl = indented ? '\n' + '  '.repeat(depth + 1) : '';
  const end = indented ? '\n' + '  '.repeat(depth) : '';
  if (token instanceof JObject) {
    if (!token.properties.size) return '{}';
    const members = [...token.properties.values()].map((p) => `${escapeJson(p.name)}:${indented ? ' ' : ''}${writeJson(p.value, indented, depth + 1)}`);
    return `{${nl}${members.join(',' + nl)}${end}}`;
  }
  if (token instanceof JArray) {
    if (!token.items.length) return '[]';
    return `[${nl}${token.items.map((item) => writeJson(item, indented, depth + 1)).join(',' + nl)}${end}]`;
  }
  if (token instanceof JProperty) return `${escapeJson(token.name)}:${indented ? ' ' : ''}${writeJson(token.value, indented, depth)}`;
  return valueJson(token as JValue);
}

/** JsonConvert.SerializeObject of any value. */
export function serialize(value: unknown, indented: boolean): string {
  return writeJson(toToken(value), indented);
}

// ---- reader

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$/;

class JsonReader {
  i = 0;
  constructor(readonly text: string) {}

  error(message: string, at = this.i): CsException {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const position = at - (before.lastIndexOf('\n') + 1);
    return new CsException('JsonReaderException', `${message} Path '${this.path}', line ${line}, position ${position}.`);
  }

  path = '';

  skip(): void {
    for (;;) {
      while (this.i < this.text.length && /[\s\uFEFF]/.test(this.text[this.i])) this.i++;
      if (this.text.startsWith('//', this.i)) {
        const end = this.text.indexOf('\n', this.i);
        this.i = end < 0 ? this.text.length : end;
      } else if (this.text.startsWith('/*', this.i)) {
        const end = this.text.indexOf('*/', this.i + 2);
        if (end < 0) throw this.error('Unexpected end while parsing comment.', this.text.length);
        this.i = end + 2;
      } else return;
    }
  }

  value(path: string): JToken {
    this.path = path;
    this.skip();
    const c = this.text[this.i];
    if (c === undefined) throw this.error('Unexpected end of content while loading JObject.');
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"' || c === "'") {
      const s = this.string();
      if (ISO_DATE.test(s)) {
        try {
          const date = parseDateTime(s);
          return new JValue('Date', s.endsWith('Z') ? new CsDateTime(date.ms, date.sub, 'Utc') : date);
        } catch {
          // not a valid date after all: keep the string
        }
      }
      return new JValue('String', s);
    }
    const literal = /^(-?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|true|false|null|undefined|NaN|Infinity|-Infinity)/.exec(this.text.slice(this.i, this.i + 400));
    if (!literal) throw this.error(`Unexpected character encountered while parsing value: ${c}.`, this.i + 1);
    this.i += literal[0].length;
    switch (literal[0]) {
      case 'true':
        return new JValue('Boolean', true);
      case 'false':
        return new JValue('Boolean', false);
      case 'null':
        return new JValue('Null', null);
      case 'undefined':
        return new JValue('Undefined', null);
      case 'NaN':
        return new JValue('Float', new CsDouble(NaN));
      case 'Infinity':
        return new JValue('Float', new CsDouble(Infinity));
      case '-Infinity':
        return new JValue('Float', new CsDouble(-Infinity));
    }
    const n = Number(literal[0]);
    return /[.eE]/.test(literal[0]) ? new JValue('Float', new CsDouble(n)) : new JValue('Integer', n);
  }

  string(): string {
    const quote = this.text[this.i++];
    let out = '';
    while (this.i < this.text.length) {
      const c = this.text[this.i++];
      if (c === quote) return out;
      if (c === '\\') {
        const e = this.text[this.i++];
        const simple: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) out += simple[e];
        else if (e === 'u') {
          const hex = this.text.slice(this.i, this.i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.error(`Invalid Unicode escape sequence: \\u${hex}.`);
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
        } else throw this.error(`Bad JSON escape sequence: \\${e}.`);
      } else out += c;
    }
    throw this.error('Unterminated string. Expected delimiter: ' + quote + '.');
  }

  propertyName(): string {
    this.skip();
    const c = this.text[this.i];
    if (c === '"' || c === "'") return this.string();
    const name = /^[A-Za-z_$][\w$]*/.exec(this.text.slice(this.i, this.i + 256));
    if (!name) throw this.error(`Invalid property identifier character: ${c ?? 'end of input'}.`);
    this.i += name[0].length;
    return name[0];
  }

  object(path: string): JObject {
    const obj = new JObject();
    this.i++;
    this.skip();
    if (this.text[this.i] === '}') {
      this.i++;
      return obj;
    }
    for (;;) {
      const name = this.propertyName();
      this.skip();
      if (this.text[this.i] !== ':') throw this.error(`Invalid character after parsing property name. Expected ':' but got: ${this.text[this.i] ?? 'end of input'}.`);
      this.i++;
      const value = this.value(path ? `${path}.${name}` : name);
      if (obj.properties.has(name)) obj.properties.get(name)!.setValue(value);
      else obj.addProperty(new JProperty(name, value));
      this.skip();
      const c = this.text[this.i++];
      if (c === '}') return obj;
      if (c !== ',') throw this.error(c === undefined ? 'Unexpected end of content while loading JObject.' : `After parsing a value an unexpected character was encountered: ${c}.`, this.i - (c === undefined ? 1 : 0));
      this.skip();
      if (this.text[this.i] === '}') {
        this.i++;
        return obj;
      }
    }
  }

  array(path: string): JArray {
    const arr = new JArray();
    this.i++;
    this.skip();
    if (this.text[this.i] === ']') {
      this.i++;
      return arr;
    }
    for (;;) {
      arr.add(this.value(`${path}[${arr.items.length}]`));
      this.skip();
      const c = this.text[this.i++];
      if (c === ']') return arr;
      if (c !== ',') throw this.error(c === undefined ? 'Unexpected end of content while loading JArray.' : `After parsing a value an unexpected character was encountered: ${c}.`, this.i - (c === undefined ? 1 : 0));
      this.skip();
      if (this.text[this.i] === ']') {
        this.i++;
        return arr;
      }
    }
  }
}

/** JToken.Parse; `expect` narrows to JObject.Parse / JArray.Parse. */
export function parseJson(text: unknown, expect?: 'Object' | 'Array'): JToken {
  if (text === null || text === undefined) throw argumentNull('json');
  const reader = new JsonReader(csString(text));
  reader.skip();
  if (reader.i >= reader.text.length) {
    throw reader.error(expect === 'Array' ? 'Error reading JArray from JsonReader.' : expect === 'Object' ? 'Error reading JObject from JsonReader.' : 'Error reading JToken from JsonReader.');
  }
  const first = reader.text[reader.i];
  if (!/[{["'\d-]/.test(first) && !/^(true|false|null)/.test(reader.text.slice(reader.i))) {
    throw reader.error(`Unexpected character encountered while parsing value: ${first}.`, reader.i);
  }
  if (expect === 'Object' && first !== '{') {
    throw reader.error(`Error reading JObject from JsonReader. Current JsonReader item is not an object: ${first === '[' ? 'StartArray' : first === '"' ? 'String' : 'Integer'}.`, reader.i + 1);
  }
  if (expect === 'Array' && first !== '[') {
    throw reader.error(`Error reading JArray from JsonReader. Current JsonReader item is not an array: ${first === '{' ? 'StartObject' : first === '"' ? 'String' : 'Integer'}.`, reader.i + 1);
  }
  const token = reader.value('');
  reader.skip();
  if (reader.i < reader.text.length) throw reader.error(`Additional text encountered after finished reading JSON content: ${reader.text[reader.i]}.`, reader.i + 1);
  return token;
}

// ---- SelectToken (the JSONPath subset: $, .name, ['name'], [n], [*])

function selectTokens(root: JToken, path: string): JToken[] {
  const steps: (string | number | '*')[] = [];
  let i = 0;
  if (path[0] === '$') i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      i++;
      continue;
    }
    if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) throw new CsException('JsonException', `Path ended with open indexer.`);
      const inner = path.slice(i + 1, close).trim();
      if (inner === '*') steps.push('*');
      else if (/^-?\d+$/.test(inner)) steps.push(Number(inner));
      else if (/^'.*'$/.test(inner) || /^".*"$/.test(inner)) steps.push(inner.slice(1, -1));
      else throw new CsException('JsonException', `Unexpected character while parsing path indexer: ${inner[0]}`);
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
    const name = path.slice(i, j);
    steps.push(name === '*' ? '*' : name);
    i = j;
  }
  let current: JToken[] = [root];
  for (const step of steps) {
    const next: JToken[] = [];
    for (const token of current) {
      if (step === '*') {
        if (token instanceof JObject) next.push(...[...token.properties.values()].map((p) => p.value));
        else if (token instanceof JArray) next.push(...token.items);
      } else if (typeof step === 'number') {
        if (token instanceof JArray && token.items[step]) next.push(token.items[step]);
      } else if (token instanceof JObject) {
        const value = token.get(step);
        if (value) next.push(value);
      }
    }
    current = next;
  }
  return current;
}

// ---- conversions

const cannotConvert = (token: JToken, target: string) => new CsException('ArgumentException', `Can not convert ${token.kind} to ${target}.`);

const CLR_NAMES: Record<string, string> = { string: 'String', int: 'Int32', long: 'Int64', short: 'Int16', byte: 'Byte', bool: 'Boolean', double: 'Double', float: 'Single', decimal: 'Decimal', DateTime: 'DateTime', Guid: 'Guid', char: 'Char' };

/** Newtonsoft's explicit conversion `(T)token` and `token.Value<T>()` / `ToObject<T>()`. */
export function convertToken(token: JToken | null, type: TypeRef): unknown {
  if (token === null) {
    if (type.nullable || !(INTEGRAL.has(type.name) || FLOATING.has(type.name) || type.name === 'bool')) return null;
    throw new CsException('ArgumentNullException', 'Value cannot be null. (Parameter \'value\')');
  }
  const name = type.name;
  if (type.arrays === 0 && ['JToken', 'JObject', 'JArray', 'JValue', 'JProperty', 'JContainer', 'object'].includes(name)) {
    if (name === 'object' || isInstance(token, type)) return token;
    throw new CsException('InvalidCastException', `Unable to cast object of type 'Newtonsoft.Json.Linq.${token.kind === 'Object' ? 'JObject' : token.kind === 'Array' ? 'JArray' : 'JValue'}' to type 'Newtonsoft.Json.Linq.${name}'.`);
  }
  if (type.arrays > 0 || ['List', 'IEnumerable', 'IList', 'Dictionary', 'IDictionary'].includes(name)) return toClr(token, type);
  if (!(token instanceof JValue)) throw cannotConvert(token, CLR_NAMES[name] ?? name);
  const v = token.value;
  const kind = token.valueKind;
  if ((kind === 'Null' || kind === 'Undefined')) {
    if (type.nullable || name === 'string' || !(INTEGRAL.has(name) || FLOATING.has(name) || name === 'bool' || name === 'DateTime' || name === 'Guid')) return null;
    throw cannotConvert(token, CLR_NAMES[name] ?? name);
  }
  if (name === 'string') {
    if (kind === 'Bytes') return Buffer.from(v as Uint8Array).toString('base64');
    return csString(v);
  }
  if (INTEGRAL.has(name)) {
    if (kind === 'Integer') return v;
    if (kind === 'Float') return bankersRound((v as CsDouble).value);
    if (kind === 'Boolean') return v ? 1 : 0;
    if (kind === 'String') return parseIntegerText(v as string);
    throw cannotConvert(token, CLR_NAMES[name]);
  }
  if (FLOATING.has(name)) {
    if (kind === 'Integer') return new CsDouble(v as number);
    if (kind === 'Float') return v;
    if (kind === 'String') {
      const n = Number((v as string).trim());
      if ((v as string).trim() === '' || Number.isNaN(n)) throw new CsException('FormatException', 'Input string was not in a correct format.');
      return new CsDouble(n);
    }
    throw cannotConvert(token, CLR_NAMES[name]);
  }
  if (name === 'bool') {
    if (kind === 'Boolean') return v;
    if (kind === 'Integer') return v !== 0;
    if (kind === 'String') {
      const t = (v as string).trim().toLowerCase();
      if (t === 'true' || t === 'false') return t === 'true';
      throw new CsException('FormatException', `String '${v}' was not recognized as a valid Boolean.`);
    }
    throw cannotConvert(token, 'Boolean');
  }
  if (name === 'DateTime') {
    if (v instanceof CsDateTime) return v;
    if (v instanceof CsDateTimeOffset) return v.local;
    if (kind === 'String') return parseDateTime(v as string);
    throw cannotConvert(token, 'DateTime');
  }
  if (name === 'DateTimeOffset') {
    if (v instanceof CsDateTimeOffset) return v;
    if (v instanceof CsDateTime) return new CsDateTimeOffset(v.ms, v.sub, 0);
    throw cannotConvert(token, 'DateTimeOffset');
  }
  if (name === 'Guid') {
    if (v instanceof CsGuid) return v;
    if (kind === 'String') return CsGuid.parse(v as string);
    throw cannotConvert(token, 'Guid');
  }
  throw new UnsupportedMember(`conversion of a JSON value to ${name}`);
}

function parseIntegerText(text: string): number {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new CsException('FormatException', 'Input string was not in a correct format.');
  return Number(t);
}

/** Math.Round's default (to even) for a double → integer conversion. */
export function bankersRound(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** ToObject<T>() for collections and plain CLR values. */
function toClr(token: JToken, type: TypeRef): unknown {
  if (type.arrays > 0 || ['List', 'IEnumerable', 'IList'].includes(type.name)) {
    if (!(token instanceof JArray)) throw new CsException('JsonSerializationException', `Cannot deserialize the current JSON ${token.kind.toLowerCase()} into type '${type.name}'.`);
    const element: TypeRef = type.arrays > 0 ? { ...type, arrays: type.arrays - 1 } : (type.args[0] ?? { name: 'object', args: [], arrays: 0, nullable: false });
    const items = token.items.map((item) => (element.name === 'object' ? item : convertToken(item, element)));
    return element.name === 'byte' && type.arrays === 1 ? Uint8Array.from(items as number[]) : items;
  }
  if (!(token instanceof JObject)) throw new CsException('JsonSerializationException', `Cannot deserialize the current JSON ${token.kind.toLowerCase()} into type '${type.name}'.`);
  const valueType = type.args[1] ?? { name: 'object', args: [], arrays: 0, nullable: false };
  return new Map([...token.properties.values()].map((p) => [p.name, valueType.name === 'object' ? p.value : convertToken(p.value, valueType)]));
}

// ---- types

function childValue(self: JToken, key: unknown): JToken | null {
  if (self instanceof JObject) {
    if (typeof key !== 'string') throw new CsException('ArgumentException', `Accessed JObject values with invalid key value: ${csString(key)}. Object property name expected.`);
    return self.get(key);
  }
  if (self instanceof JArray) {
    if (typeof key !== 'number') throw new CsException('ArgumentException', `Accessed JArray values with invalid key value: "${csString(key)}". Int32 array index expected.`);
    if (key < 0 || key >= self.items.length) throw new CsException('ArgumentOutOfRangeException', "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')");
    return self.items[key];
  }
  if (self instanceof JProperty) throw new CsException('InvalidOperationException', `Cannot access child value on Newtonsoft.Json.Linq.JProperty.`);
  throw new CsException('InvalidOperationException', `Cannot access child value on Newtonsoft.Json.Linq.JValue.`);
}

function children(self: JToken): JToken[] {
  if (self instanceof JObject) return [...self.properties.values()];
  if (self instanceof JArray) return self.items;
  if (self instanceof JProperty) return [self.value];
  return [];
}

function tokenPath(self: JToken): string {
  const parts: string[] = [];
  let node: JToken = self;
  while (node.parent) {
    const parent: JContainer | JProperty = node.parent;
    if (parent instanceof JProperty) {
      parts.unshift(/^[A-Za-z_][\w]*$/.test(parent.name) ? parent.name : `['${parent.name}']`);
      node = parent.parent ?? parent;
      if (node === parent) break;
    } else if (parent instanceof JArray) {
      parts.unshift(`[${parent.items.indexOf(node)}]`);
      node = parent;
    } else break;
  }
  return parts.join('.').replace(/\.\[/g, '[');
}

function removeToken(self: JToken): void {
  const parent = self.parent;
  if (!parent) throw new CsException('InvalidOperationException', 'The parent is missing.');
  if (parent instanceof JArray) parent.items.splice(parent.items.indexOf(self), 1);
  else if (parent instanceof JObject && self instanceof JProperty) parent.properties.delete(self.name);
  else if (parent instanceof JProperty) throw new CsException('InvalidOperationException', 'Cannot add or remove items from Newtonsoft.Json.Linq.JProperty.');
  self.parent = null;
}

function replaceToken(self: JToken, value: unknown): void {
  const parent = self.parent;
  if (!parent) throw new CsException('InvalidOperationException', 'The parent is missing.');
  const token = toToken(value);
  if (parent instanceof JArray) {
    const index = parent.items.indexOf(self);
    parent.items[index] = adopt(token, parent);
  } else if (parent instanceof JProperty) parent.setValue(token);
  self.parent = null;
}

function formattingArg(args: unknown[]): boolean {
  const formatting = args.find((a) => a instanceof CsEnum) as CsEnum | undefined;
  return formatting ? formatting.name === 'Indented' : true;
}

export const JTOKEN = defineType({
  fullName: 'Newtonsoft.Json.Linq.JToken',
  names: ['JToken', 'IEnumerable'],
  base: ENUMERABLE,
  iterate: children,
  toString: (self: JToken) => (self instanceof JValue ? csString(self.value) : writeJson(self, true)),
  index: (self: JToken, [key]) => childValue(self, key),
  setIndex: (self: JToken, [key], value) => {
    if (self instanceof JObject && typeof key === 'string') self.set(key, value);
    else if (self instanceof JArray && typeof key === 'number') {
      if (key < 0 || key >= self.items.length) throw new CsException('ArgumentOutOfRangeException', "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')");
      self.items[key].parent = null;
      self.items[key] = adopt(toToken(value), self);
    } else throw new CsException('InvalidOperationException', `Cannot set child value on ${typeOf(self).fullName}.`);
  },
  props: {
    Type: (self: JToken) => JTokenType[self.kind],
    HasValues: (self: JToken) => children(self).length > 0,
    First: (self: JToken) => children(self)[0] ?? null,
    Last: (self: JToken) => children(self).at(-1) ?? null,
    Parent: (self: JToken) => self.parent,
    Root: (self: JToken) => {
      let node: JToken = self;
      while (node.parent) node = node.parent;
      return node;
    },
    Path: (self: JToken) => tokenPath(self),
    Next: (self: JToken) => siblings(self, 1),
    Previous: (self: JToken) => siblings(self, -1),
  },
  methods: {
    ToString: (self: JToken, args) => (self instanceof JValue && !args.length ? csString(self.value) : self instanceof JValue ? valueToString(self, args) : writeJson(self, formattingArg(args))),
    Value: (self: JToken, [key], site) => convertToken(key === undefined ? self : childValue(self, key), site.typeArgs[0] ?? { name: 'object', args: [], arrays: 0, nullable: false }),
    Values: (self: JToken, [key], site) => {
      const items = key === undefined ? children(self).map((c) => (c instanceof JProperty ? c.value : c)) : [childValue(self, key)];
      return site.typeArgs[0] ? items.map((c) => convertToken(c, site.typeArgs[0])) : items;
    },
    Children: (self: JToken) => children(self),
    SelectToken: (self: JToken, [path, errorWhenNoMatch]) => {
      const found = selectTokens(self, csString(path));
      if (found.length > 1) throw new CsException('JsonException', 'Path returned multiple tokens.');
      if (!found.length && errorWhenNoMatch === true) throw new CsException('JsonException', `Property '${csString(path)}' does not exist on JObject.`);
      return found[0] ?? null;
    },
    SelectTokens: (self: JToken, [path]) => selectTokens(self, csString(path)),
    DeepClone: (self: JToken) => self.clone(),
    Remove: (self: JToken, args) => {
      if (self instanceof JObject && args.length) {
        const name = csString(args[0]);
        const p = self.properties.get(name);
        if (!p) return false;
        removeToken(p);
        return true;
      }
      if (self instanceof JArray && args.length) {
        const index = self.items.findIndex((x) => x === args[0]);
        if (index < 0) return false;
        removeToken(self.items[index]);
        return true;
      }
      removeToken(self);
      return undefined;
    },
    Replace: (self: JToken, [value]) => replaceToken(self, value),
    ToObject: (self: JToken, _args, site) => convertToken(self, site.typeArgs[0] ?? { name: 'object', args: [], arrays: 0, nullable: false }),
    Equals: (self: JToken, [other]) => (self instanceof JValue && other instanceof JValue ? csEquals(self.value, other.value) && self.valueKind === other.valueKind : self === other),
    Count: (self: JToken) => children(self).length,
    AddAfterSelf: (self: JToken, [value]) => {
      const parent = self.parent;
      if (!(parent instanceof JArray)) throw new CsException('InvalidOperationException', 'The parent is missing.');
      parent.items.splice(parent.items.indexOf(self) + 1, 0, adopt(toToken(value), parent));
    },
  },
});

function siblings(self: JToken, step: number): JToken | null {
  const parent = self.parent;
  if (parent instanceof JArray) return parent.items[parent.items.indexOf(self) + step] ?? null;
  if (self instanceof JProperty && parent instanceof JObject) {
    const list = [...parent.properties.values()];
    return list[list.indexOf(self) + step] ?? null;
  }
  return null;
}

function valueToString(self: JValue, args: unknown[]): string {
  const [format] = args;
  const toString = typeOf(self.value).methods.ToString;
  return self.value === null ? '' : csString(toString(self.value, format === undefined ? [] : [format], { typeArgs: [] }));
}

export const JOBJECT = defineType({
  fullName: 'Newtonsoft.Json.Linq.JObject',
  names: ['JObject', 'JContainer', 'IDictionary'],
  base: JTOKEN,
  iterate: (self: JObject) => [...self.properties.values()].map((p) => new KeyValuePair(p.name, p.value)),
  props: { Count: (self: JObject) => self.properties.size },
  methods: {
    Add: (self: JObject, args) => {
      if (args.length >= 2) {
        const name = args[0];
        if (name === null) throw argumentNull('propertyName');
        self.addProperty(new JProperty(csString(name), args[1]));
        return;
      }
      const [value] = args;
      if (value instanceof JProperty) self.addProperty(value);
      else if (value instanceof KeyValuePair) self.addProperty(new JProperty(csString(value.key), value.value));
      else throw new CsException('ArgumentException', `Can not add ${value === null ? 'null' : typeOf(value).fullName} to Newtonsoft.Json.Linq.JObject.`);
    },
    Property: (self: JObject, [name, comparison]) => {
      const n = csString(name);
      if (ignoresCase(comparison)) return [...self.properties.values()].find((p) => p.name.toLowerCase() === n.toLowerCase()) ?? null;
      return self.properties.get(n) ?? null;
    },
    Properties: (self: JObject) => [...self.properties.values()],
    ContainsKey: (self: JObject, [name]) => self.properties.has(csString(name)),
    TryGetValue: (self: JObject, [name, out]) => {
      const value = self.get(csString(name));
      (out as Ref).set(value);
      return value !== null;
    },
    GetValue: (self: JObject, [name, comparison]) => {
      const n = csString(name);
      if (ignoresCase(comparison)) return [...self.properties.values()].find((p) => p.name.toLowerCase() === n.toLowerCase())?.value ?? null;
      return self.get(n);
    },
    Merge: (self: JObject, [other]) => {
      if (!(other instanceof JObject)) return;
      for (const p of other.properties.values()) {
        const existing = self.get(p.name);
        if (existing instanceof JObject && p.value instanceof JObject) JOBJECT.methods.Merge(existing, [p.value], { typeArgs: [] });
        else self.set(p.name, p.value.clone());
      }
    },
    RemoveAll: (self: JObject) => {
      for (const p of [...self.properties.values()]) removeToken(p);
    },
  },
});
bindClass(JObject, JOBJECT);

export const JARRAY = defineType({
  fullName: 'Newtonsoft.Json.Linq.JArray',
  names: ['JArray', 'JContainer', 'IList'],
  base: JTOKEN,
  iterate: (self: JArray) => self.items,
  props: { Count: (self: JArray) => self.items.length },
  methods: {
    Add: (self: JArray, [value]) => self.add(value),
    Insert: (self: JArray, [index, value]) => {
      self.items.splice(intArg(index), 0, adopt(toToken(value), self));
    },
    RemoveAt: (self: JArray, [index]) => {
      const i = intArg(index);
      if (i < 0 || i >= self.items.length) throw new CsException('ArgumentOutOfRangeException', "Index is equal to or greater than Count. (Parameter 'index')");
      removeToken(self.items[i]);
    },
    Clear: (self: JArray) => {
      for (const item of self.items) item.parent = null;
      self.items.length = 0;
    },
    IndexOf: (self: JArray, [value]) => self.items.indexOf(value as JToken),
    Contains: (self: JArray, [value]) => self.items.includes(value as JToken),
  },
});
bindClass(JArray, JARRAY);

export const JPROPERTY = defineType({
  fullName: 'Newtonsoft.Json.Linq.JProperty',
  names: ['JProperty', 'JContainer'],
  base: JTOKEN,
  props: { Name: (self: JProperty) => self.name, Value: (self: JProperty) => self.value },
  setters: { Value: (self: JProperty, value) => self.setValue(value) },
  toString: (self: JProperty) => writeJson(self, true),
});
bindClass(JProperty, JPROPERTY);

export const JVALUE = defineType({
  fullName: 'Newtonsoft.Json.Linq.JValue',
  names: ['JValue', 'IComparable'],
  base: JTOKEN,
  props: { Value: (self: JValue) => self.value },
  methods: {
    CompareTo: (self: JValue, [other]) => {
      return compareKeys(self.value, other instanceof JValue ? other.value : other);
    },
  },
});
bindClass(JValue, JVALUE);

export { canonicalTypeName };
