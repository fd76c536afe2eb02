/**
 * Request matching as APIM does it: the API by URL suffix (the longest that matches whole segments, in any letter
 * case; `;rev=n` after it selects a revision) and, for an API in a version set, by its version — the path segment
 * after the suffix, a header or a query parameter, as the set says; the set's API without a version (APIM's
 * "Original") answers calls that name none. Then the operation by method and URL template. The listener is plain
 * http on loopback but counts as https, so an API whose protocols lack https never matches.
 */
import type { NameValues } from './expressions';
import type { GatewayApi, GatewayOperation } from './repository';
import { compareScores, matchTemplate } from './url-template';

export interface RequestMatch {
  api: GatewayApi;
  operation: GatewayOperation;
  /** `context.Request.MatchedParameters`. */
  parameters: Record<string, string>;
  /** The path after the API suffix (and `;rev=n`), starting with `/`: what is appended to the backend URL. */
  operationPath: string;
}

export class RequestMatcher {
  private readonly apis: Array<{ api: GatewayApi; segments: string[] }>;

  constructor(apis: readonly GatewayApi[]) {
    this.apis = apis
      .filter((api) => api.protocols.includes('https'))
      .map((api) => {
        const segments = api.path.split('/').filter(Boolean).map((s) => s.toLowerCase());
        if (api.versioning?.scheme === 'Segment' && api.version) segments.push(api.version.toLowerCase());
        return { api, segments };
      })
      .sort((a, b) => b.segments.length - a.segments.length);
  }

  match(method: string, rawPath: string, query: NameValues, headers: NameValues): RequestMatch | undefined {
    const found = this.apiAt(rawPath, query, headers);
    if (!found) return undefined;
    const operation = this.matchOperation(found.api, method, found.operationPath, query);
    // APIM picks the API first: an unmatched operation is a 404 even if a shorter API suffix had one.
    return operation && { api: found.api, ...operation, operationPath: found.operationPath };
  }

  /** The API (revision) a path is for, whatever its operations, and the path after the API's suffix. */
  apiAt(rawPath: string, query: NameValues, headers: NameValues): { api: GatewayApi; operationPath: string } | undefined {
    const parts = rawPath.split('/').slice(1);
    for (const { api, segments } of this.apis) {
      const suffix = matchSuffix(segments, parts);
      if (!suffix || !versionMatches(api, query, headers)) continue;
      // Without `;rev=n` the current revision answers; with it, revision n (the current one too).
      if (suffix.revision === undefined ? !api.current : Number(suffix.revision) !== Number(api.revision)) continue;
      return { api, operationPath: `/${parts.slice(segments.length).join('/')}` };
    }
    return undefined;
  }

  private matchOperation(api: GatewayApi, method: string, path: string, query: Iterable<[string, string[]]>) {
    let best: { operation: GatewayOperation; parameters: Record<string, string>; score: number[] } | undefined;
    for (const operation of api.operations) {
      if (operation.method !== method) continue;
      const matched = matchTemplate(operation.template, path, query);
      if (matched && (!best || compareScores(matched.score, best.score) > 0)) best = { operation, ...matched };
    }
    return best && { operation: best.operation, parameters: best.parameters };
  }
}

/** For Header and Query version sets: the version the call names is the API's (none for the unversioned one). */
function versionMatches(api: GatewayApi, query: NameValues, headers: NameValues): boolean {
  const versioning = api.versioning;
  if (!versioning || versioning.scheme === 'Segment' || versioning.name === undefined) return true;
  const named = (versioning.scheme === 'Header' ? headers.get(versioning.name) : queryValue(query, versioning.name))?.[0];
  return api.version ? named?.toLowerCase() === api.version.toLowerCase() : named === undefined;
}

function queryValue(query: NameValues, name: string): string[] | undefined {
  for (const [key, values] of query) if (key.toLowerCase() === name.toLowerCase()) return values;
  return undefined;
}

/** Whether the request path starts with the API's segments; the last may carry `;rev=n`. */
function matchSuffix(segments: readonly string[], parts: readonly string[]): { revision?: string } | undefined {
  if (segments.length === 0) return {};
  if (parts.length < segments.length) return undefined;
  let revision: string | undefined;
  for (let i = 0; i < segments.length; i++) {
    let part = parts[i].toLowerCase();
    if (i === segments.length - 1) {
      const rev = /^(.*);rev=(\d+)$/.exec(part);
      if (rev) {
        part = rev[1];
        revision = rev[2];
      }
    }
    if (part !== segments[i]) return undefined;
  }
  return { revision };
}
