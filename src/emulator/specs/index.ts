import { invalidField } from '../errors';
import { GRAPHQL_SCHEMA_ID, importGraphql } from './graphql';
import { importGrpc, importOdata } from './odata-grpc';
import { exportOpenApi, importOpenApi, type ExportInput } from './openapi';
import type { ImportedApi, ImportOptions, SpecificationKind, StoredSpecification } from './types';
import { importWadl } from './wadl';
import { importWsdl } from './wsdl';
import * as YAML from 'yaml';

export type { ImportedApi, ImportedOperation, ImportedSchema, StoredSpecification } from './types';
export { GRAPHQL_SCHEMA_ID, GRAPHQL_SCHEMA_TYPE, graphqlTypes } from './graphql';

/**
 * The import formats of api-version 2024-05-01 (`properties.format`), what each holds, and whether its `value` is
 * a link to the document rather than the document. `swagger-link` is not in the specification's enum, but Azure's
 * own example imports with it: it is read as `swagger-link-json`.
 */
const IMPORT_FORMATS: Record<string, { kind: SpecificationKind; link: boolean }> = {
  openapi: { kind: 'openapi', link: false },
  'openapi+json': { kind: 'openapi', link: false },
  'openapi-link': { kind: 'openapi', link: true },
  'openapi+json-link': { kind: 'openapi', link: true },
  'swagger-json': { kind: 'swagger', link: false },
  'swagger-link-json': { kind: 'swagger', link: true },
  'swagger-link': { kind: 'swagger', link: true },
  wsdl: { kind: 'wsdl', link: false },
  'wsdl-link': { kind: 'wsdl', link: true },
  'wadl-xml': { kind: 'wadl', link: false },
  'wadl-link-json': { kind: 'wadl', link: true },
  'graphql-link': { kind: 'graphql', link: true },
  odata: { kind: 'odata', link: false },
  'odata-link': { kind: 'odata', link: true },
  grpc: { kind: 'grpc', link: false },
  'grpc-link': { kind: 'grpc', link: true },
};

export const IMPORT_FORMAT_NAMES = Object.keys(IMPORT_FORMATS);

/** The format's entry, or a 400 naming the formats there are. */
export function importFormat(format: unknown): { kind: SpecificationKind; link: boolean } {
  const entry = IMPORT_FORMATS[String(format ?? '').toLowerCase()];
  if (!entry) throw invalidField('format', `'${String(format)}' is not a supported import format; expected one of ${IMPORT_FORMAT_NAMES.join(', ')}.`);
  return entry;
}

/**
 * Imports a document of this kind. `schemaId` names the API schema the import creates (kept across re-imports; a
 * GraphQL API's is always `graphql`, as in APIM).
 */
export function importSpecification(kind: SpecificationKind, text: string, options: ImportOptions, schemaId: string): ImportedApi {
  switch (kind) {
    case 'openapi':
    case 'swagger': {
      const imported = importOpenApi(text, options, schemaId);
      if ((kind === 'swagger') !== (imported.specification.kind === 'swagger')) {
        throw invalidField('format', `The document is ${imported.specification.kind === 'swagger' ? 'Swagger 2.0' : 'OpenAPI 3'}, not what format '${kind === 'swagger' ? 'swagger' : 'openapi'}' imports.`);
      }
      return imported;
    }
    case 'wsdl':
      return importWsdl(text, options, schemaId);
    case 'wadl':
      return importWadl(text);
    case 'graphql':
      return importGraphql(text);
    case 'odata':
      return importOdata(text);
    case 'grpc':
      return importGrpc(text);
  }
}

export function schemaIdFor(kind: SpecificationKind, existing: string | undefined, fresh: () => string): string {
  return kind === 'graphql' ? GRAPHQL_SCHEMA_ID : (existing ?? fresh());
}

/** Export formats of api-version 2024-05-01 (all links), the format the response reports and the content type. */
const EXPORT_FORMATS: Record<string, { resultFormat: string; contentType: string; write: (input: ExportInput & { stored?: StoredSpecification }) => string }> = {
  'openapi-link': { resultFormat: 'openapi-link', contentType: 'application/yaml', write: (input) => YAML.stringify(exportOpenApi(input, false)) },
  'openapi+json-link': { resultFormat: 'openapi-link', contentType: 'application/json', write: (input) => JSON.stringify(exportOpenApi(input, false), null, 2) },
  'swagger-link': { resultFormat: 'swagger-link-json', contentType: 'application/json', write: (input) => JSON.stringify(exportOpenApi(input, true), null, 2) },
  'wsdl-link': { resultFormat: 'wsdl-link+xml', contentType: 'text/xml', write: (input) => storedDocument(input.stored, 'wsdl') },
  'wadl-link': { resultFormat: 'wadl-link-json', contentType: 'application/xml', write: (input) => storedDocument(input.stored, 'wadl') },
};

function storedDocument(stored: StoredSpecification | undefined, kind: SpecificationKind): string {
  if (stored?.kind !== kind) throw invalidField('format', `The API was not imported from a ${kind.toUpperCase()} document, so it cannot be exported as one.`);
  return stored.text;
}

export function exportSpecification(format: string, input: ExportInput & { stored?: StoredSpecification }): { resultFormat: string; contentType: string; text: string } {
  const shape = EXPORT_FORMATS[format.toLowerCase()];
  if (!shape) throw invalidField('format', `'${format}' is not a supported export format; expected one of ${Object.keys(EXPORT_FORMATS).join(', ')}.`);
  return { resultFormat: shape.resultFormat, contentType: shape.contentType, text: shape.write(input) };
}
