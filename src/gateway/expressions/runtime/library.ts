/**
 * Instance types of the allowed framework library: Encoding, hash algorithms, Random, StringBuilder, Uri,
 * Regex / Match / Group, and the byte[] Encrypt/Decrypt extensions.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac } from 'crypto';
import { bindClass, CsException, csString, defineType, extendType, intArg, stringArg, argumentNull, argumentOutOfRange } from './core';
import { BYTES, CsEnum, ENUMERABLE, enumMembers } from './primitives';
import { CsDouble } from './values';

// ---- Encoding

export class CsEncoding {
  constructor(
    readonly name: 'utf8' | 'ascii' | 'utf16le' | 'latin1' | 'utf16be' | 'utf32',
    readonly webName: string,
  ) {}
  bytes(text: string): Uint8Array {
    if (this.name === 'ascii') return Uint8Array.from([...text].map((c) => (c.charCodeAt(0) < 128 ? c.charCodeAt(0) : 63)));
    if (this.name === 'utf16be') return Uint8Array.from(Buffer.from(text, 'utf16le').swap16());
    if (this.name === 'utf32') {
      const out: number[] = [];
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        out.push(cp & 0xff, (cp >> 8) & 0xff, (cp >> 16) & 0xff, 0);
      }
      return Uint8Array.from(out);
    }
    return Buffer.from(text, this.name);
  }
  text(bytes: Uint8Array): string {
    if (this.name === 'ascii') return [...bytes].map((b) => (b < 128 ? String.fromCharCode(b) : '?')).join('');
    if (this.name === 'utf16be') return Buffer.from(bytes).swap16().toString('utf16le');
    if (this.name === 'utf32') {
      let out = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) out += String.fromCodePoint(bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16));
      return out;
    }
    return Buffer.from(bytes).toString(this.name);
  }
}

export const ENCODINGS = {
  UTF8: new CsEncoding('utf8', 'utf-8'),
  ASCII: new CsEncoding('ascii', 'us-ascii'),
  Unicode: new CsEncoding('utf16le', 'utf-16'),
  BigEndianUnicode: new CsEncoding('utf16be', 'utf-16BE'),
  UTF32: new CsEncoding('utf32', 'utf-32'),
  Latin1: new CsEncoding('latin1', 'iso-8859-1'),
  Default: new CsEncoding('utf8', 'utf-8'),
};

/** `byte[]` argument (ArgumentNullException when null). */
export function bytesArg(value: unknown, name: string): Uint8Array {
  if (value === null || value === undefined) throw argumentNull(name);
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return Uint8Array.from(value.map((v) => intArg(v) & 0xff));
  throw new CsException('InvalidCastException', `Unable to cast to 'System.Byte[]'.`);
}

function range(bytes: Uint8Array, index: unknown, count: unknown): Uint8Array {
  if (index === undefined) return bytes;
  const i = intArg(index);
  const n = intArg(count);
  if (i < 0 || n < 0 || i + n > bytes.length) throw argumentOutOfRange('index', 'Index and count must refer to a location within the buffer.');
  return bytes.subarray(i, i + n);
}

bindClass(
  CsEncoding,
  defineType({
    fullName: 'System.Text.Encoding',
    names: ['Encoding'],
    props: { WebName: (self: CsEncoding) => self.webName, EncodingName: (self: CsEncoding) => self.webName },
    methods: {
      GetBytes: (self: CsEncoding, [text]) => {
        if (text === null || text === undefined) throw argumentNull('s');
        return self.bytes(Array.isArray(text) ? text.join('') : csString(text));
      },
      GetString: (self: CsEncoding, [bytes, index, count]) => self.text(range(bytesArg(bytes, 'bytes'), index, count)),
      GetByteCount: (self: CsEncoding, [text]) => self.bytes(stringArg(text, 's')).length,
      GetChars: (self: CsEncoding, [bytes]) => [...self.text(bytesArg(bytes, 'bytes'))],
    },
  }),
);

// ---- hash algorithms

export class CsHash {
  constructor(
    readonly algorithm: string,
    public key?: Uint8Array,
  ) {}
  compute(data: Uint8Array): Uint8Array {
    if (this.key) return createHmac(this.algorithm, this.key).update(data).digest();
    return createHash(this.algorithm).update(data).digest();
  }
}

bindClass(
  CsHash,
  defineType({
    fullName: 'System.Security.Cryptography.HashAlgorithm',
    names: ['HashAlgorithm', 'HMAC', 'KeyedHashAlgorithm', 'HMACSHA256', 'HMACSHA1', 'HMACSHA384', 'HMACSHA512', 'HMACMD5', 'SHA256', 'SHA1', 'SHA384', 'SHA512', 'MD5', 'IDisposable'],
    props: {
      Key: (self: CsHash) => self.key ?? null,
      HashSize: (self: CsHash) => ({ md5: 128, sha1: 160, sha256: 256, sha384: 384, sha512: 512 })[self.algorithm] ?? 0,
    },
    setters: { Key: (self: CsHash, value) => (self.key = bytesArg(value, 'value')) },
    methods: {
      ComputeHash: (self: CsHash, [data, offset, count]) => {
        if (data !== null && typeof data === 'object' && !(data instanceof Uint8Array) && !Array.isArray(data)) throw new CsException('NotSupportedException', 'ComputeHash over a stream is not supported here.');
        return self.compute(range(bytesArg(data, 'buffer'), offset, count));
      },
      Dispose: () => undefined,
      Clear: () => undefined,
      Initialize: () => undefined,
    },
  }),
);

// ---- AES Encrypt / Decrypt (APIM's byte[] extensions)

function aes(bytes: Uint8Array, [algorithm, key, iv]: unknown[], encrypt: boolean): Uint8Array {
  const name = csString(algorithm);
  if (!/^(aes|rijndael)/i.test(name)) throw new CsException('ArgumentException', `Unsupported symmetric algorithm '${name}'.`);
  const k = bytesArg(key, 'key');
  const v = bytesArg(iv, 'iv');
  if (![16, 24, 32].includes(k.length)) throw new CsException('CryptographicException', 'Specified key is not a valid size for this algorithm.');
  if (v.length !== 16) throw new CsException('CryptographicException', 'Specified initialization vector (IV) does not match the block size for this algorithm.');
  const cipher = (encrypt ? createCipheriv : createDecipheriv)(`aes-${k.length * 8}-cbc`, k, v);
  try {
    return Uint8Array.from(Buffer.concat([cipher.update(bytes), cipher.final()]));
  } catch {
    throw new CsException('CryptographicException', 'Padding is invalid and cannot be removed.');
  }
}

extendType(BYTES, {
  methods: {
    Encrypt: (self: Uint8Array, args) => aes(self, args, true),
    Decrypt: (self: Uint8Array, args) => aes(self, args, false),
  },
});

// ---- Random (seeded: a small deterministic generator; unseeded: Math.random)

export class CsRandom {
  private state: number;
  constructor(readonly seed?: number) {
    this.state = seed === undefined ? Math.floor(Math.random() * 2 ** 31) : seed | 0;
  }
  next(): number {
    if (this.seed === undefined) return Math.random();
    // mulberry32
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

bindClass(
  CsRandom,
  defineType({
    fullName: 'System.Random',
    methods: {
      Next: (self: CsRandom, args) => {
        if (args.length === 0) return Math.floor(self.next() * 2147483647);
        const [min, max] = args.length === 1 ? [0, intArg(args[0])] : [intArg(args[0]), intArg(args[1])];
        if (max < min) throw argumentOutOfRange(args.length === 1 ? 'maxValue' : 'minValue', `'${args.length === 1 ? 'maxValue' : 'minValue'}' cannot be greater than maxValue.`);
        return min + Math.floor(self.next() * (max - min));
      },
      NextDouble: (self: CsRandom) => new CsDouble(self.next()),
      NextBytes: (self: CsRandom, [buffer]) => {
        const bytes = bytesArg(buffer, 'buffer');
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(self.next() * 256);
      },
    },
  }),
);

// ---- StringBuilder

export class CsStringBuilder {
  constructor(public text = '') {}
}

bindClass(
  CsStringBuilder,
  defineType({
    fullName: 'System.Text.StringBuilder',
    toString: (self: CsStringBuilder) => self.text,
    props: { Length: (self: CsStringBuilder) => self.text.length },
    index: (self: CsStringBuilder, [i]) => self.text[intArg(i)],
    methods: {
      Append: (self: CsStringBuilder, [value]) => {
        self.text += csString(value);
        return self;
      },
      AppendLine: (self: CsStringBuilder, [value]) => {
        self.text += (value === undefined ? '' : csString(value)) + '\r\n';
        return self;
      },
      AppendFormat: (self: CsStringBuilder, args) => {
        self.text += csString(args[0]).replace(/\{(\d+)\}/g, (_m, i) => csString(args[Number(i) + 1]));
        return self;
      },
      Insert: (self: CsStringBuilder, [index, value]) => {
        const i = intArg(index);
        self.text = self.text.slice(0, i) + csString(value) + self.text.slice(i);
        return self;
      },
      Replace: (self: CsStringBuilder, [from, to]) => {
        self.text = self.text.split(csString(from)).join(csString(to));
        return self;
      },
      Remove: (self: CsStringBuilder, [start, length]) => {
        const s = intArg(start);
        self.text = self.text.slice(0, s) + self.text.slice(s + intArg(length));
        return self;
      },
      Clear: (self: CsStringBuilder) => {
        self.text = '';
        return self;
      },
      ToString: (self: CsStringBuilder) => self.text,
    },
  }),
);

// ---- Uri

export class CsUri {
  readonly url: URL;
  constructor(readonly original: string) {
    try {
      this.url = new URL(original);
    } catch {
      throw new CsException('UriFormatException', 'Invalid URI: The format of the URI could not be determined.');
    }
  }
}

export const UriPartial = enumMembers('UriPartial', ['Scheme', 'Authority', 'Path', 'Query']);

bindClass(
  CsUri,
  defineType({
    fullName: 'System.Uri',
    toString: (self: CsUri) => decodeURI(self.url.href),
    props: {
      Scheme: (self: CsUri) => self.url.protocol.replace(/:$/, ''),
      Host: (self: CsUri) => self.url.hostname,
      Port: (self: CsUri) => (self.url.port ? Number(self.url.port) : self.url.protocol === 'https:' ? 443 : self.url.protocol === 'http:' ? 80 : -1),
      AbsolutePath: (self: CsUri) => self.url.pathname,
      AbsoluteUri: (self: CsUri) => self.url.href,
      PathAndQuery: (self: CsUri) => self.url.pathname + self.url.search,
      Query: (self: CsUri) => self.url.search,
      Fragment: (self: CsUri) => self.url.hash,
      Authority: (self: CsUri) => self.url.host,
      OriginalString: (self: CsUri) => self.original,
      IsAbsoluteUri: () => true,
      Segments: (self: CsUri) => self.url.pathname.split(/(?<=\/)/),
      UserInfo: (self: CsUri) => (self.url.username ? `${self.url.username}${self.url.password ? ':' + self.url.password : ''}` : ''),
    },
    methods: {
      GetLeftPart: (self: CsUri, [part]) => {
        const p = (part as CsEnum).name;
        const u = self.url;
        if (p === 'Scheme') return `${u.protocol}//`;
        if (p === 'Authority') return `${u.protocol}//${u.host}`;
        if (p === 'Path') return `${u.protocol}//${u.host}${u.pathname}`;
        return `${u.protocol}//${u.host}${u.pathname}${u.search}`;
      },
    },
  }),
);

// ---- .NET-style encoders

const URL_SAFE = /[A-Za-z0-9\-_.!*()]/;

/** WebUtility.UrlEncode: spaces as '+', other non-safe bytes as upper-case %XX of their UTF-8. */
export function urlEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === ' ') out += '+';
    else if (URL_SAFE.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function urlDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '+') bytes.push(0x20);
    else if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function escapeDataString(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function unescapeDataString(text: string): string {
  return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

const HTML_ENCODE: Record<string, string> = { '<': '&lt;', '>': '&gt;', '"': '&quot;', '&': '&amp;', "'": '&#39;' };

export function htmlEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += HTML_ENCODE[ch] ?? (code >= 160 && code < 256 ? `&#${code};` : ch);
  }
  return out;
}

export function htmlDecode(text: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', amp: '&', apos: "'", nbsp: '\u00a0' };
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (m, body: string) => {
    if (body[0] === '#') return String.fromCodePoint(body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : Number(body.slice(1)));
    return named[body] ?? m;
  });
}

// ---- Regex

export const RegexOptions = enumMembers(
  'RegexOptions',
  ['None', 'IgnoreCase', 'Multiline', 'ExplicitCapture', 'Compiled', 'Singleline', 'IgnorePatternWhitespace', 'RightToLeft', 'ECMAScript', 'CultureInvariant'],
  [0, 1, 2, 4, 8, 16, 32, 64, 256, 512],
);

/** Translates a .NET pattern to a JS one (anchors, named groups, inline comments); unsupported syntax throws. */
export function translatePattern(pattern: string, options: number): { source: string; flags: string } {
  let out = '';
  let inClass = false;
  const multiline = (options & 2) !== 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (!inClass && next === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && next === 'z') out += '(?![\\s\\S])';
      else if (!inClass && next === 'Z') out += '(?=\\n?(?![\\s\\S]))';
      else if (next === 'G') throw new CsException('NotSupportedException', 'The \\G regular expression anchor is not supported by the gateway emulator.');
      else if (next === 'p' || next === 'P') throw new CsException('NotSupportedException', 'Unicode category escapes (\\p{…}) are not supported by the gateway emulator.');
      else out += c + (next ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i - 1] === '-') throw new CsException('NotSupportedException', 'Character class subtraction is not supported by the gateway emulator.');
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += '\\' + pattern[++i];
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith('#')) {
        const close = pattern.indexOf(')', i);
        i = close < 0 ? pattern.length : close;
        continue;
      }
      const quoted = /^'([A-Za-z_]\w*)'/.exec(rest);
      if (quoted) {
        out += `(?<${quoted[1]}>`;
        i += 1 + quoted[0].length;
        continue;
      }
      if (rest.startsWith('>') || /^[imnsx-]+[:)]/.test(rest) || rest.startsWith('(')) throw new CsException('NotSupportedException', `The regular expression construct '(?${rest.slice(0, 2)}' is not supported by the gateway emulator.`);
    }
    if (c === '$' && !multiline) {
      out += '(?=\\n?(?![\\s\\S]))';
      continue;
    }
    if (c === '$' && multiline) {
      out += '(?=\\n|(?![\\s\\S]))';
      continue;
    }
    out += c;
  }
  let flags = '';
  if (options & 1) flags += 'i';
  if (multiline) flags += 'm';
  if (options & 16) flags += 's';
  if (options & 32) throw new CsException('NotSupportedException', 'RegexOptions.IgnorePatternWhitespace is not supported by the gateway emulator.');
  return { source: out, flags };
}

export class CsRegex {
  readonly regex: RegExp;
  constructor(
    readonly pattern: string,
    readonly options: number,
  ) {
    const { source, flags } = translatePattern(pattern, options);
    try {
      this.regex = new RegExp(source, flags + 'g');
    } catch (error) {
      throw new CsException('ArgumentException', `Invalid pattern '${pattern}'. ${error instanceof Error ? error.message : ''}`);
    }
  }
  match(input: string, start = 0): CsMatch {
    this.regex.lastIndex = start;
    const m = this.regex.exec(input);
    return m ? new CsMatch(this, input, m) : CsMatch.empty(this, input);
  }
  matches(input: string): CsMatch[] {
    const out: CsMatch[] = [];
    let start = 0;
    while (start <= input.length) {
      const m = this.match(input, start);
      if (!m.success) break;
      out.push(m);
      start = m.length ? m.index + m.length : m.index + 1;
    }
    return out;
  }
  /** Replace with a .NET replacement pattern ($1, ${name}, $$, $&, $`, $'). */
  replace(input: string, replacement: unknown, count = -1): string {
    let done = 0;
    return input.replace(this.regex, (...args) => {
      if (count >= 0 && done >= count) return args[0];
      done++;
      const groups = (typeof args[args.length - 1] === 'object' ? args[args.length - 1] : undefined) as Record<string, string> | undefined;
      const offset = args[typeof args[args.length - 1] === 'object' ? args.length - 3 : args.length - 2] as number;
      const numbered = args.slice(1, typeof args[args.length - 1] === 'object' ? -3 : -2) as (string | undefined)[];
      if (typeof replacement === 'function') {
        const m = new CsMatch(this, input, Object.assign([args[0], ...numbered], { index: offset, input, groups }) as unknown as RegExpExecArray);
        return csString((replacement as (m: CsMatch) => unknown)(m));
      }
      return csString(replacement).replace(/\$(\$|&|`|'|\d+|\{(\w+)\})/g, (token, body: string, name?: string) => {
        if (body === '$') return '$';
        if (body === '&') return args[0];
        if (body === '`') return input.slice(0, offset);
        if (body === "'") return input.slice(offset + args[0].length);
        if (name !== undefined) return (/^\d+$/.test(name) ? numbered[Number(name) - 1] : groups?.[name]) ?? '';
        const n = Number(body);
        return n === 0 ? args[0] : n <= numbered.length ? (numbered[n - 1] ?? '') : token;
      });
    });
  }
  split(input: string): string[] {
    return input.split(this.regex);
  }
}

export class CsGroup {
  constructor(
    readonly success: boolean,
    readonly value: string,
    readonly index: number,
    readonly name: string,
  ) {}
}

export class CsMatch extends CsGroup {
  readonly groups: CsGroup[];
  constructor(
    readonly regex: CsRegex,
    readonly input: string,
    match: RegExpExecArray,
  ) {
    super(true, match[0], match.index, '0');
    const names = new Map<number, string>();
    // Map numbered groups to names by order of appearance in the pattern.
    const namePattern = /\(\?<([A-Za-z_]\w*)>/g;
    const source = regex.regex.source;
    let counter = 0;
    for (let i = 0; i < source.length; i++) {
      if (source[i] === '\\') {
        i++;
        continue;
      }
      if (source[i] === '(' && source[i + 1] !== '?') counter++;
      else if (source[i] === '(' && source[i + 1] === '?' && source[i + 2] === '<' && /[A-Za-z_]/.test(source[i + 3])) {
        counter++;
        namePattern.lastIndex = i;
        const named = namePattern.exec(source);
        if (named && named.index === i) names.set(counter, named[1]);
      }
    }
    this.groups = [this];
    for (let g = 1; g < match.length; g++) {
      const value = match[g];
      this.groups.push(new CsGroup(value !== undefined, value ?? '', value === undefined ? 0 : match.input.indexOf(value, match.index), names.get(g) ?? String(g)));
    }
  }
  static empty(regex: CsRegex, input: string): CsMatch {
    const m = Object.create(CsMatch.prototype) as CsMatch;
    Object.assign(m, { success: false, value: '', index: 0, name: '0', regex, input, groups: [] });
    return m;
  }
  get length(): number {
    return this.value.length;
  }
}

export class CsGroupCollection {
  constructor(readonly match: CsMatch) {}
}

const GROUP = defineType({
  fullName: 'System.Text.RegularExpressions.Group',
  names: ['Group', 'Capture'],
  toString: (self: CsGroup) => self.value,
  props: {
    Success: (self: CsGroup) => self.success,
    Value: (self: CsGroup) => self.value,
    Index: (self: CsGroup) => self.index,
    Length: (self: CsGroup) => self.value.length,
    Name: (self: CsGroup) => self.name,
  },
});
bindClass(CsGroup, GROUP);

bindClass(
  CsMatch,
  defineType({
    fullName: 'System.Text.RegularExpressions.Match',
    names: ['Match'],
    base: GROUP,
    props: { Groups: (self: CsMatch) => new CsGroupCollection(self) },
    methods: {
      NextMatch: (self: CsMatch) => (self.success ? self.regex.match(self.input, self.value.length ? self.index + self.value.length : self.index + 1) : self),
      Result: (self: CsMatch, [replacement]) => self.regex.replace(self.value, replacement, 1),
    },
  }),
);

bindClass(
  CsGroupCollection,
  defineType({
    fullName: 'System.Text.RegularExpressions.GroupCollection',
    names: ['GroupCollection'],
    base: ENUMERABLE,
    iterate: (self: CsGroupCollection) => self.match.groups,
    props: { Count: (self: CsGroupCollection) => self.match.groups.length },
    index: (self: CsGroupCollection, [key]) => {
      const groups = self.match.groups;
      if (typeof key === 'number') return groups[key] ?? new CsGroup(false, '', 0, String(key));
      return groups.find((g) => g.name === key) ?? new CsGroup(false, '', 0, csString(key));
    },
  }),
);

bindClass(
  CsRegex,
  defineType({
    fullName: 'System.Text.RegularExpressions.Regex',
    toString: (self: CsRegex) => self.pattern,
    methods: {
      IsMatch: (self: CsRegex, [input]) => self.match(stringArg(input, 'input')).success,
      Match: (self: CsRegex, [input, start]) => self.match(stringArg(input, 'input'), start === undefined ? 0 : intArg(start)),
      Matches: (self: CsRegex, [input]) => self.matches(stringArg(input, 'input')),
      Replace: (self: CsRegex, [input, replacement, count]) => self.replace(stringArg(input, 'input'), replacement, count === undefined ? -1 : intArg(count)),
      Split: (self: CsRegex, [input]) => self.split(stringArg(input, 'input')),
    },
  }),
);

export function regexOptions(value: unknown): number {
  return value instanceof CsEnum ? value.value : 0;
}
