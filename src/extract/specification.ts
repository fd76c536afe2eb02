import { Document } from 'yaml';
import { changedFields } from '../plan/compare';
import { operationProperties } from '../render/render';
import { loadSpecification } from '../repo/openapi';
import type { LiveOperation } from './openapi';
import { YAML_OUTPUT } from './yaml-files';

/**
 * API specification files. The repository derives an API's operations from its specification, so an existing
 * specification whose operations match the instance's is kept as it is (it is usually richer than anything an
 * export gives back: schemas, examples, comments); otherwise it is replaced by the exported document.
 */

/**
 * Whether a specification file's text describes exactly the instance's operations: each operation it derives
 * would show no change in a plan against the live one (the same comparison diff makes).
 */
export function specificationMatches(file: string, text: string, live: LiveOperation[]): boolean {
  const { specification } = loadSpecification(file, text);
  if (!specification || specification.operations.length !== live.length) return false;
  const liveById = new Map(live.map((operation) => [operation.id.toLowerCase(), operation]));
  return specification.operations.every((operation) => {
    const found = liveById.get(operation.id.toLowerCase());
    if (!found) return false;
    const ref = { kind: 'apiOperation' as const, ids: ['', operation.id] };
    const desired = { ref, properties: operationProperties(operation), source: operation.pos };
    return changedFields(desired, { ref, properties: found.properties }, operation.id).fields.length === 0;
  });
}

/**
 * A specification as the repository keeps it (exported, or built from operations). `servers` goes: APIM exports its own gateway URL there, which
 * differs per instance and, imported back into an API without a serviceUrl, would make the gateway its own
 * backend (the backend lives in api.yaml). Paths are sorted, so the file reads the same whatever order the
 * instance lists operations in.
 */
export function repositorySpecification(exported: Record<string, unknown>): Record<string, unknown> {
  const { servers: _gateway, ...document } = exported;
  const paths = document.paths;
  if (!paths || typeof paths !== 'object' || Array.isArray(paths)) return document;
  const sorted = Object.fromEntries(Object.keys(paths).sort().map((key) => [key, (paths as Record<string, unknown>)[key]]));
  return { ...document, paths: sorted };
}

/** Prints an OpenAPI document in the file's format: JSON for `.json`, YAML otherwise. */
export function specificationText(file: string, document: Record<string, unknown>): string {
  if (/\.json$/i.test(file)) return `${JSON.stringify(document, null, 2)}\n`;
  return new Document(document, { aliasDuplicateObjects: false }).toString(YAML_OUTPUT);
}
