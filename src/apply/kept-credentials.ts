import type { ApimConnection } from '../azure/client';
import { readResource } from '../azure/read';
import { isKept, normalizeCredentials, type BackendCredentials } from '../plan/backend-fields';
import type { PlannedChange } from '../plan/plan';
import { placeholderSecret } from './placeholders';

/**
 * A backend whose file marks credentials as kept on the instance (a literal secret extract did not write): its write
 * sends the live values back, read just before it (a PUT replaces the credentials; the plan holds no secret). The
 * write still carries If-Match on the planned ETag, so a change made since planning is not overwritten. An entry the
 * instance does not have cannot be written on Azure; on a local emulator it gets a random placeholder, as a secret
 * named value does.
 */

export interface KeptCredentials {
  body: Record<string, unknown>;
  note?: string;
}

function hasKeptEntries(credentials: BackendCredentials | null): credentials is BackendCredentials {
  if (!credentials) return false;
  const lists = [...Object.values(credentials.header ?? {}), ...Object.values(credentials.query ?? {})];
  return lists.some((values) => isKept(values)) || isKept(credentials.authorization?.parameter);
}

export async function withKeptCredentials(c: ApimConnection, change: PlannedChange, body: Record<string, unknown>): Promise<KeptCredentials> {
  const wanted = change.kind === 'backend' ? normalizeCredentials(body.credentials) : null;
  if (!hasKeptEntries(wanted)) return { body };
  const live = change.action === 'create' ? undefined : normalizeCredentials((await readResource(c, change.ref))?.properties.credentials);
  const missing: string[] = [];
  const placeholder = (what: string): string => {
    const value = placeholderSecret(c, `its credential ${what} is kept on the instance, but the instance has none: reference a secret named value instead`);
    missing.push(what);
    return value;
  };
  const resolveEntries = (entries: Record<string, string[]> | undefined, from: Record<string, string[]> | undefined, label: string) =>
    entries &&
    Object.fromEntries(
      Object.entries(entries).map(([name, values]) => [name, isKept(values) ? (from?.[name] ?? [placeholder(`${label} ${name}`)]) : values]),
    );
  const { header, query, authorization } = wanted;
  // A parameter is only meaningful under its own scheme.
  const liveParameter = live?.authorization?.scheme === authorization?.scheme ? live?.authorization?.parameter : undefined;
  const credentials = {
    ...(header && { header: resolveEntries(header, live?.header, 'header') }),
    ...(query && { query: resolveEntries(query, live?.query, 'query parameter') }),
    ...(authorization && {
      authorization: {
        scheme: authorization.scheme,
        parameter: isKept(authorization.parameter) ? (liveParameter ?? placeholder('authorization parameter')) : authorization.parameter,
      },
    }),
  };
  const note = missing.length
    ? `${missing.join(', ')} kept on the instance but missing there: set to a random placeholder; set the real value on the instance`
    : undefined;
  return { body: { ...body, credentials }, note };
}
