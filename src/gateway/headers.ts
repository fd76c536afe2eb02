/**
 * HTTP headers as APIM's policies see them: names compared in any letter case, each name with its list of values,
 * the name kept as first written (what the backend and the caller receive).
 */
export class HeaderMap {
  private readonly entries = new Map<string, { name: string; values: string[] }>();

  static from(headers: Iterable<[string, string | readonly string[]]>): HeaderMap {
    const map = new HeaderMap();
    for (const [name, value] of headers) map.append(name, ...(typeof value === 'string' ? [value] : value));
    return map;
  }

  /** The raw Node header list (`rawHeaders`: name, value, name, value…), keeping every repeated header. */
  static fromRaw(raw: readonly string[]): HeaderMap {
    const map = new HeaderMap();
    for (let i = 0; i + 1 < raw.length; i += 2) map.append(raw[i], raw[i + 1]);
    return map;
  }

  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }

  /** All values of the header (a copy), [] when absent. */
  values(name: string): string[] {
    return [...(this.entries.get(name.toLowerCase())?.values ?? [])];
  }

  /** The values comma-joined (as `Headers.GetValueOrDefault` gives them), undefined when absent. */
  get(name: string): string | undefined {
    const entry = this.entries.get(name.toLowerCase());
    return entry ? entry.values.join(',') : undefined;
  }

  set(name: string, ...values: string[]): void {
    this.entries.set(name.toLowerCase(), { name, values });
  }

  append(name: string, ...values: string[]): void {
    const entry = this.entries.get(name.toLowerCase());
    if (entry) entry.values.push(...values);
    else this.entries.set(name.toLowerCase(), { name, values: [...values] });
  }

  delete(name: string): boolean {
    return this.entries.delete(name.toLowerCase());
  }

  clear(): void {
    this.entries.clear();
  }

  /** [name as written, values] in insertion order. */
  *[Symbol.iterator](): IterableIterator<[string, string[]]> {
    for (const { name, values } of this.entries.values()) yield [name, values];
  }

  clone(): HeaderMap {
    const copy = new HeaderMap();
    for (const [name, values] of this) copy.set(name, ...values);
    return copy;
  }

  /** Lower-case names with their values (the shape of recorded backend requests). */
  toLowerCaseRecord(): Record<string, string> {
    const record: Record<string, string> = {};
    for (const [key, { values }] of this.entries) record[key] = values.join(', ');
    return record;
  }
}

/**
 * Headers APIM sends as separate lines instead of comma-joining their values (set-header with several values).
 * Learn:set-header-policy.
 */
export const SEPARATE_LINE_HEADERS = new Set(
  ['user-agent', 'www-authenticate', 'proxy-authenticate', 'cookie', 'set-cookie', 'warning', 'date', 'expires', 'if-modified-since', 'if-unmodified-since', 'last-modified', 'retry-after'],
);

/** Headers no policy can change (APIM keeps them as the connection needs them). */
export const IMMUTABLE_HEADERS = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding']);
