/** Request URLs as the gateway's policies see them (`context.Request.Url`): query values kept per name, in order. */
import { NameValues, type UrlState } from './expressions/context';

export function parseQuery(search: string): NameValues {
  const query = new NameValues(undefined, false);
  const text = search.startsWith('?') ? search.slice(1) : search;
  if (!text) return query;
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    query.append(decodeComponent(eq < 0 ? part : part.slice(0, eq)), eq < 0 ? '' : decodeComponent(part.slice(eq + 1)));
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

export function queryString(query: NameValues): string {
  const parts: string[] = [];
  for (const [name, values] of query) for (const value of values) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export function copyUrl(url: UrlState): UrlState {
  const query = new NameValues(undefined, false);
  for (const [name, values] of url.query) query.set(name, [...values]);
  return { ...url, query };
}

export function formatUrl(url: UrlState): string {
  const defaultPort = (url.scheme === 'https' && url.port === 443) || (url.scheme === 'http' && url.port === 80);
  return `${url.scheme}://${url.host}${defaultPort ? '' : `:${url.port}`}${url.path}${queryString(url.query)}`;
}

/** Parses an absolute URL (a backend base URL, a send-request target); undefined when it is not one. */
export function parseAbsoluteUrl(text: string): UrlState | undefined {
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
