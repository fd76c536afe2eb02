import * as YAML from 'yaml';
import { invalidField } from '../errors';
import { deriveApimOperation, resolveRef, specOperations, type ImportedParameter, type SpecOperationEntry } from '../../repo/openapi';
import { asObject, operationName, type ImportedApi, type ImportedOperation, type ImportOptions, type Json } from './types';

/**
 * OpenAPI 3 and Swagger 2 (YAML or JSON) as APIM imports and exports them. Import: one operation per path and method
 * (shared with the repository loader through deriveApimOperation), the document's title, description and server, and
 * one API schema holding its `components` (or `definitions`) that the operations' representations name. Export: the
 * imported document, each operation's entry kept as imported while the operation still matches it (schemas,
 * request bodies, response content, enums, formats, servers…), operations added or changed since written from what
 * the service holds.
 */

/** The schema APIM creates from an OpenAPI 3 document's components and a Swagger 2 document's definitions. */
export const OPENAPI_SCHEMA_TYPE = 'application/vnd.oai.openapi.components+json';
export const SWAGGER_SCHEMA_TYPE = 'application/vnd.ms-azure-apim.swagger.definitions+json';

export function parseOpenApi(text: string): Json {
  let spec: unknown;
  try {
    spec = text.trimStart().startsWith('{') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw invalidField('value', `The API specification could not be parsed: ${(error as Error).message}`);
  }
  const object = asObject(spec);
  if (!object.openapi && !object.swagger) throw invalidField('value', 'The API specification is neither OpenAPI 3 nor Swagger 2.0.');
  return object;
}

function storedParameter({ name, type, required, description }: ImportedParameter) {
  return { name, type: type ?? 'string', required, values: [] as string[], ...(description ? { description } : {}) };
}

const SCHEMA_REF = /^#\/(?:components\/schemas|definitions)\/(.+)$/;

/** The schema a body names by `$ref` (`#/components/schemas/Order`): its type name, if the document has one. */
function typeNameOf(schema: unknown): string | undefined {
  const ref = asObject(schema).$ref;
  const items = asObject(asObject(schema).items).$ref;
  const match = SCHEMA_REF.exec(String(ref ?? items ?? ''));
  return match ? decodeURIComponent(match[1].replace(/~1/g, '/').replace(/~0/g, '~')) : undefined;
}

interface Representation {
  contentType: string;
  schemaId?: string;
  typeName?: string;
}

/** The representations of an OpenAPI 3 `content` map, naming the import's schema where a body refers into it. */
function contentRepresentations(root: Json, holder: unknown, schemaId: string | undefined): Representation[] {
  const content = asObject(asObject(resolveRef(root, holder)).content);
  return Object.entries(content).map(([contentType, media]) => {
    const typeName = schemaId ? typeNameOf(asObject(media).schema) : undefined;
    return { contentType, ...(typeName ? { schemaId, typeName } : {}) };
  });
}

/** Swagger 2: a body parameter or a response `schema`, in each of the content types the operation declares. */
function swaggerRepresentations(contentTypes: string[], schema: unknown, schemaId: string | undefined): Representation[] {
  const typeName = schemaId ? typeNameOf(schema) : undefined;
  return contentTypes.map((contentType) => ({ contentType, ...(typeName ? { schemaId, typeName } : {}) }));
}

function swaggerContentTypes(root: Json, operation: Json, key: 'consumes' | 'produces'): string[] {
  const own = operation[key] ?? root[key];
  return Array.isArray(own) && own.length ? own.map(String) : ['application/json'];
}

function importedOperation(root: Json, entry: SpecOperationEntry, options: ImportOptions, schemaId: string | undefined): ImportedOperation {
  const name = operationName(entry.operation.operationId, entry.method, entry.path);
  const derived = deriveApimOperation(root, entry, { requiredQueryParameters: options.translateRequiredQueryParameters, fallbackName: name });
  const swagger = !root.openapi;
  const body = swagger ? [...(Array.isArray(entry.operation.parameters) ? entry.operation.parameters : [])].map((p) => asObject(resolveRef(root, p))).find((p) => p.in === 'body') : undefined;
  const requestRepresentations = swagger
    ? body
      ? swaggerRepresentations(swaggerContentTypes(root, entry.operation, 'consumes'), body.schema, schemaId)
      : []
    : contentRepresentations(root, entry.operation.requestBody, schemaId);
  const responses = asObject(entry.operation.responses);
  return {
    name,
    properties: {
      displayName: derived.displayName,
      method: derived.method,
      urlTemplate: derived.urlTemplate,
      templateParameters: derived.templateParameters.map(storedParameter),
      description: derived.description ?? '',
      request: {
        queryParameters: derived.request.queryParameters.map(storedParameter),
        headers: derived.request.headers.map(storedParameter),
        representations: requestRepresentations,
      },
      responses: derived.responses.map((r) => {
        const response = asObject(resolveRef(root, responses[String(r.statusCode)]));
        const representations = swagger
          ? response.schema
            ? swaggerRepresentations(swaggerContentTypes(root, entry.operation, 'produces'), response.schema, schemaId)
            : []
          : contentRepresentations(root, response, schemaId);
        return { statusCode: r.statusCode, description: r.description, representations, headers: [] };
      }),
    },
  };
}

function serverOf(spec: Json): { serviceUrl?: string; protocols?: string[] } {
  if (spec.openapi) {
    const url = asObject(Array.isArray(spec.servers) ? spec.servers[0] : undefined).url;
    return typeof url === 'string' && /^https?:\/\//.test(url) ? { serviceUrl: url } : {};
  }
  if (typeof spec.host !== 'string') return {};
  const schemes = Array.isArray(spec.schemes) ? spec.schemes.map(String).filter((s) => s === 'http' || s === 'https') : [];
  const scheme = schemes.includes('https') || !schemes.length ? 'https' : schemes[0];
  // APIM takes the API's protocols from a Swagger document's schemes.
  return { serviceUrl: `${scheme}://${spec.host}${typeof spec.basePath === 'string' ? spec.basePath : ''}`, ...(schemes.length ? { protocols: schemes } : {}) };
}

/** `schemaId`: the id the import's schema gets (kept across re-imports). */
export function importOpenApi(text: string, options: ImportOptions, schemaId: string): ImportedApi {
  const spec = parseOpenApi(text);
  const info = asObject(spec.info);
  const components = spec.openapi ? asObject(spec.components) : undefined;
  const hasSchemas = spec.openapi ? Object.keys(asObject(components?.schemas)).length > 0 : Object.keys(asObject(spec.definitions)).length > 0;
  const schema = hasSchemas
    ? spec.openapi
      ? { contentType: OPENAPI_SCHEMA_TYPE, document: { components: { schemas: asObject(components?.schemas) } } }
      : { contentType: SWAGGER_SCHEMA_TYPE, document: { definitions: asObject(spec.definitions) } }
    : undefined;
  return {
    displayName: typeof info.title === 'string' ? info.title : undefined,
    description: typeof info.description === 'string' ? info.description : undefined,
    ...serverOf(spec),
    operations: specOperations(spec).map((entry) => importedOperation(spec, entry, options, schema ? schemaId : undefined)),
    schemas: schema ? [schema] : [],
    specification: { kind: spec.openapi ? 'openapi' : 'swagger', text },
  };
}

interface ExportParameter {
  name: string;
  type?: string;
  required?: boolean;
  description?: string;
}

/** An operation written from what the service holds (no schemas: it has none of its own). */
function operationEntry(operation: { name: string; properties: Json }, swagger: boolean): { path: string; method: string; entry: Json } {
  const p = operation.properties;
  const [path, query = ''] = String(p.urlTemplate ?? '/').split('?');
  const requestProps = asObject(p.request);
  const parameter = (where: string) => (param: ExportParameter) =>
    swagger
      ? { name: param.name, in: where, required: where === 'path' ? true : Boolean(param.required), type: param.type ?? 'string', ...(param.description ? { description: param.description } : {}) }
      : { name: param.name, in: where, required: where === 'path' ? true : Boolean(param.required), schema: { type: param.type ?? 'string' }, ...(param.description ? { description: param.description } : {}) };
  const parameters = [
    ...((p.templateParameters as ExportParameter[] | undefined) ?? []).map((t) => parameter(query.includes(`{${t.name}}`) ? 'query' : 'path')({ ...t, required: true })),
    ...((requestProps.queryParameters as ExportParameter[] | undefined) ?? []).map(parameter('query')),
    ...((requestProps.headers as ExportParameter[] | undefined) ?? []).map(parameter('header')),
  ];
  const responses: Json = {};
  for (const response of (p.responses as Array<{ statusCode: number; description?: string }> | undefined) ?? []) {
    responses[String(response.statusCode)] = { description: response.description ?? '' };
  }
  if (!Object.keys(responses).length) responses['200'] = { description: '' };
  return {
    path,
    method: String(p.method).toLowerCase(),
    entry: { summary: p.displayName, ...(p.description ? { description: p.description } : {}), operationId: operation.name, parameters, responses },
  };
}

/** Whether the service's operation is still the one the document's entry imported as. */
function stillImported(spec: Json, entry: SpecOperationEntry, operation: { name: string; properties: Json }, options: ImportOptions): boolean {
  const imported = importedOperation(spec, entry, options, undefined);
  const fields = ['method', 'urlTemplate', 'displayName'] as const;
  return imported.name.toLowerCase() === operation.name.toLowerCase() && fields.every((f) => String(imported.properties[f]) === String(operation.properties[f]));
}

export interface ExportInput {
  api: Json;
  operations: Array<{ name: string; properties: Json }>;
  /** The document the API was imported from, when it was, and in which form. */
  imported?: { text: string; kind: 'openapi' | 'swagger' };
  /** The gateway URL of the API (the server of a document written from scratch). */
  gatewayUrl: string;
  translateRequiredQueryParameters: 'template' | 'query';
}

export function exportOpenApi({ api, operations, imported, gatewayUrl, translateRequiredQueryParameters }: ExportInput, swagger: boolean): Json {
  const base = imported && (imported.kind === 'swagger') === swagger ? parseOpenApi(imported.text) : undefined;
  const entries = base ? specOperations(base) : [];
  const options: ImportOptions = { translateRequiredQueryParameters };
  const paths: Record<string, Json> = {};
  for (const operation of operations) {
    const kept = base && entries.find((entry) => stillImported(base, entry, operation, options));
    if (base && kept) {
      // The path item's own parameters go with the operation: they are part of what it imported.
      const shared = Object.fromEntries(Object.entries(kept.pathItem).filter(([key]) => key === 'parameters' || key === 'summary' || key === 'description' || key === 'servers'));
      paths[kept.path] = { ...shared, ...paths[kept.path], [kept.method]: kept.operation };
      continue;
    }
    const written = operationEntry(operation, swagger);
    paths[written.path] = { ...paths[written.path], [written.method]: written.entry };
  }
  const info = { ...asObject(base?.info), title: api.displayName, ...(api.description ? { description: api.description } : {}), version: String(asObject(base?.info).version ?? api.apiVersion ?? '1.0') };
  if (base) return { ...base, info, paths };
  const url = new URL(gatewayUrl);
  return swagger
    ? { swagger: '2.0', info, host: url.host, basePath: url.pathname, schemes: ['https'], paths }
    : { openapi: '3.0.1', info, servers: [{ url: url.toString().replace(/\/$/, '') }], paths };
}
