import type { ResourceKind, ResourceRef } from '../resources/types';

/**
 * What the live instance holds, as plain objects: the same ARM `properties` shape as DesiredResource,
 * so the plan compares like with like. Policies are read as `{ format: 'rawxml', value }`; secret named
 * values come without `value`.
 */
export interface LiveResource {
  ref: ResourceRef;
  properties: Record<string, unknown>;
  etag?: string;
}

export interface LiveState {
  resources: LiveResource[];
  /**
   * The API schemas read that a specification import created (see IMPORTED_SCHEMA_SOURCES): not resources of their
   * own, but they tell which kind of document the API was imported from.
   */
  importedSchemas?: LiveResource[];
}

/** Which part of the instance to read: only these kinds, and (when given) only these APIs / products. */
export interface ReadSelection {
  kinds: ResourceKind[];
  apis?: string[];
  products?: string[];
  /**
   * The APIs whose releases and (non-import) API schemas are read; absent: every API's. Publish reads them only where
   * the repository has some, which spares two requests per API.
   */
  releasesAndSchemasOf?: string[];
  /**
   * The operations (`[apiId, operationId]`) whose policies are read; absent: every operation's. A selection that will
   * not prune reads only those the repository has: a live one it lacks could only be deleted by --prune.
   */
  operationPoliciesOf?: Array<[string, string]>;
}
