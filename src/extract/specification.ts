import { Document } from 'yaml';
import { changedFields } from '../plan/compare';
import { operationProperties } from '../render/render';
import { loadSpecification } from '../repo/openapi';
import type { ApiSpecification } from '../repo/model';
import type { ExportedSpecification } from '../azure/export';
import { openApiFromOperations, withOperationIdsOf, withOperationsFromInstance, type LiveOperation } from './openapi';
import { YAML_OUTPUT } from './yaml-files';

/**
 * API specification files. The repository derives an API's operations from its specification, so an existing
 * specification whose operations match the instance's is kept as it is (it is usually richer than anything an
 * export gives back: schemas, examples, comments); otherwise it is replaced by the exported document.
 */

type Properties = Record<string, unknown>;

/** The operations on which a specification file's text and the instance disagree; undefined when the text is not a specification. */
export function mismatchedOperations(file: string, text: string, live: LiveOperation[]): string[] | undefined {
  const { specification } = loadSpecification(file, text);
  return specification && mismatchedOperationsOf(specification, live);
}

/**
 * The operations on which a specification and the instance disagree (by id): those it derives otherwise than the live
 * ones are (a plan would show a change: the same comparison diff makes), those it lacks and those the instance lacks.
 */
function mismatchedOperationsOf(specification: ApiSpecification, live: LiveOperation[]): string[] {
  const liveById = new Map(live.map((operation) => [operation.id.toLowerCase(), operation]));
  const mismatched = specification.operations
    .filter((operation) => {
      const found = liveById.get(operation.id.toLowerCase());
      if (!found) return true;
      const ref = { kind: 'apiOperation' as const, ids: ['', operation.id] };
      const desired = { ref, properties: operationProperties(operation), source: operation.pos };
      return changedFields(desired, { ref, properties: found.properties }, operation.id).fields.length > 0;
    })
    .map((operation) => operation.id);
  const described = new Set(specification.operations.map((operation) => operation.id.toLowerCase()));
  return [...mismatched, ...live.filter((operation) => !described.has(operation.id.toLowerCase())).map((operation) => operation.id)];
}

/** Whether a specification describes exactly the instance's operations. */
export function specificationMatches(specification: ApiSpecification, live: LiveOperation[]): boolean {
  return mismatchedOperationsOf(specification, live).length === 0;
}

export interface ExtractedSpecification {
  text: string;
  warning?: string;
}

/**
 * The specification extract writes for an API whose file must change, its operationIds spelled as `operations` spell
 * them (the repository's spelling, which names its operation policy files). The exported document when it describes
 * the instance's operations exactly; else that document with the operations it misdescribes built from the instance
 * (an export gives an operation without responses a `200` one, for instance), keeping its schemas and examples for
 * the rest; else, and when the instance cannot export, the document built from the operations alone.
 */
export function extractedSpecification(file: string, exported: ExportedSpecification, api: Properties, operations: LiveOperation[]): ExtractedSpecification {
  const textOf = (document: Record<string, unknown>): string => specificationText(file, repositorySpecification(document));
  const mismatchesIn = (text: string): string[] | undefined => mismatchedOperations(file, text, operations);
  let reason: string;
  if (exported.ok) {
    const document = withOperationIdsOf(exported.document, operations);
    const text = textOf(document);
    const mismatched = mismatchesIn(text);
    if (mismatched?.length === 0) return { text };
    if (mismatched) {
      const repaired = textOf(withOperationsFromInstance(document, operations, mismatched));
      const described = `the exported document misdescribed ${[...mismatched].sort().join(', ')}`;
      if (mismatchesIn(repaired)?.length === 0) return { text: repaired, warning: `${file}: ${described}; ${mismatched.length === 1 ? 'it was' : 'they were'} built from the instance's operations` };
      reason = described;
    } else {
      reason = 'the exported document is not a specification';
    }
  } else {
    reason = exported.reason;
  }
  const text = textOf(openApiFromOperations(api, operations));
  const stillMismatched = mismatchesIn(text) ?? [];
  const inexact = stillMismatched.length ? `; the repository cannot describe ${stillMismatched.join(', ')} exactly, so diff will show ${stillMismatched.length === 1 ? 'it' : 'them'} changed` : '';
  return { text, warning: `${file}: built from the API's operations (${reason})${inexact}` };
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
