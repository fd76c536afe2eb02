import { invalidField } from '../errors';
import type { ImportedApi } from './types';

/**
 * GraphQL SDL, read as far as APIM needs it: the object types and their fields, so that a resolver's `path`
 * (`Query/users`) can be checked against the API's schema. A GraphQL API holds no operations: its fields are what
 * resolvers (synthetic APIs) or the backend (pass-through) answer.
 */

export const GRAPHQL_SCHEMA_TYPE = 'application/vnd.ms-azure-apim.graphql.schema';
/** The id APIM gives the schema of a GraphQL API. */
export const GRAPHQL_SCHEMA_ID = 'graphql';

/** Object types (`type`, `extend type`, `interface`) and their field names. */
export function graphqlTypes(sdl: string): Map<string, Set<string>> {
  const stripped = sdl.replace(/"""[\s\S]*?"""/g, ' ').replace(/"(?:[^"\\\n]|\\.)*"/g, ' ').replace(/#[^\n]*/g, ' ');
  let depth = 0;
  for (const char of stripped) {
    if (char === '{') depth += 1;
    if (char === '}') depth -= 1;
    if (depth < 0) break;
  }
  if (depth !== 0) throw invalidField('value', 'The GraphQL schema is not valid: its braces do not balance.');
  const types = new Map<string, Set<string>>();
  for (const match of stripped.matchAll(/\b(?:extend\s+)?(?:type|interface)\s+([_A-Za-z][_0-9A-Za-z]*)[^{]*\{([^}]*)\}/g)) {
    const fields = types.get(match[1]) ?? new Set<string>();
    // A field starts a line (or follows another field's type) and is followed by `(` or `:`.
    for (const field of match[2].replace(/\([^)]*\)/g, '').matchAll(/([_A-Za-z][_0-9A-Za-z]*)\s*:/g)) fields.add(field[1]);
    types.set(match[1], fields);
  }
  if (!types.size) throw invalidField('value', 'The GraphQL schema defines no object type.');
  return types;
}

export function importGraphql(sdl: string): ImportedApi {
  graphqlTypes(sdl);
  return { operations: [], schemas: [{ contentType: GRAPHQL_SCHEMA_TYPE, document: { value: sdl } }], specification: { kind: 'graphql', text: sdl }, type: 'graphql' };
}
