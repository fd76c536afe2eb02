import { Document } from 'yaml';
import type { OperationDefinition } from '../repo/model';
import { loadSpecification } from '../repo/openapi';
import type { LiveOperation } from './openapi';
import { sameValue, YAML_OUTPUT } from './yaml-files';

/**
 * API specification files. The repository derives an API's operations from its specification, so an existing
 * specification whose operations match the instance's is kept as it is (it is usually richer than anything an
 * export gives back: schemas, examples, comments); otherwise it is replaced by the exported document.
 */

function comparable(operation: { id: string; method: string; urlTemplate: string; displayName: string; description?: string; templateParameters: unknown[] }): unknown {
  return {
    id: operation.id,
    method: operation.method.toUpperCase(),
    urlTemplate: operation.urlTemplate,
    displayName: operation.displayName,
    description: operation.description || undefined,
    templateParameters: operation.templateParameters
      .map((parameter) => {
        const { name, type, required } = parameter as { name: string; type?: string; required?: boolean };
        return { name, type: type || 'string', required: required === true };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function liveAsDefinition(operation: LiveOperation): Parameters<typeof comparable>[0] {
  const p = operation.properties;
  return {
    id: operation.id,
    method: typeof p.method === 'string' ? p.method : '',
    urlTemplate: typeof p.urlTemplate === 'string' ? p.urlTemplate : '',
    displayName: typeof p.displayName === 'string' ? p.displayName : '',
    description: typeof p.description === 'string' ? p.description : undefined,
    templateParameters: Array.isArray(p.templateParameters) ? p.templateParameters : [],
  };
}

function byId<T extends { id: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.id.localeCompare(b.id));
}

/** Whether a specification file's text describes exactly the instance's operations. */
export function specificationMatches(file: string, text: string, live: LiveOperation[]): boolean {
  const { specification } = loadSpecification(file, text);
  if (!specification) return false;
  const ours = byId<OperationDefinition>(specification.operations).map(comparable);
  const theirs = byId(live).map((operation) => comparable(liveAsDefinition(operation)));
  return sameValue(ours, theirs);
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
