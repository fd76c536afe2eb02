/** Request URLs as the gateway's policies see them (`context.Request.Url`): query values kept per name, in order. */
export interface GatewayUrl {
  scheme: string;
  host: string;
  port: number;
  /** Starts with `/`; percent-encoding as received. */
  path: string;
  query: Map<string, string[]>;
}

export function parseQuery(search: string): Map<string, string[]> {
  const query = new Map<string, string[]>();
  const text = search.startsWith('?') ? search.slice(1) : search;
  if (!text) return query;
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(part.slice(eq + 1));
    const values = query.get(name);
    if (values) values.push(value);
    else query.set(name, [value]);
  }
  return query;
}

/** `%zz` and other malformed escapes stay as written rather than failing the request. */
export function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export function queryString(query: ReadonlyMap<string, readonly string[]>): string {
  const parts: string[] = [];
  for (const [name, values] of query) for (const value of values) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export function cloneUrl(url: GatewayUrl): GatewayUrl {
  return { ...url, query: new Map([...url.query].map(([name, values]) => [name, [...values]])) };
}

export function formatUrl(url: GatewayUrl): string {
  const defaultPort = (url.scheme === 'https' && url.port === 443) || (url.scheme === 'http' && url.port === 80);
  return `${url.scheme}://${url.host}${defaultPort ? '' : `:${url.port}`}${url.path}${queryString(url.query)}`;
}

/** Parses an absolute URL (a backend base URL, a send-request target) into the gateway's shape. */
export function parseAbsoluteUrl(text: string): GatewayUrl | undefined {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return undefined;
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const port = parsed.port ? Number(parsed.port) : scheme === 'https' ? 443 : 80;
  return { scheme, host: parsed.hostname, port, path: parsed.pathname || '/', query: parseQuery(parsed.search) };
}

/** `base` + `path` with exactly one `/` between them (a backend base URL and the operation path). */
export function joinPath(base: string, path: string): string {
  if (!path || path === '/') return base === '' ? '/' : base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
