/** Helpers over the name → values collections (NameValues) that hold headers and query parameters. */
import { NameValues } from './expressions';

/** Node's raw header list (name, value, name, value…), keeping every repeated header. */
export function headersFromRaw(raw: readonly string[]): NameValues {
  const headers = new NameValues();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

/** The values comma-joined (as `Headers.GetValueOrDefault` gives them), undefined when absent. */
export function joined(names: NameValues, name: string): string | undefined {
  return names.get(name)?.join(',');
}

export function copyNames(names: NameValues): NameValues {
  const copy = new NameValues(undefined, names.caseInsensitive);
  for (const [name, values] of names) copy.set(name, [...values]);
  return copy;
}

/** Lower-case names with their values joined by ", " (the shape of recorded backend requests). */
export function lowerCaseRecord(names: NameValues): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, values] of names) record[name.toLowerCase()] = values.join(', ');
  return record;
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
