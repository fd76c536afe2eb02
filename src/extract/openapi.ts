/**
 * An OpenAPI 3 document built from an API's operations, for instances that cannot export one (and for the
 * operations an exported document misdescribes). It carries what the repository derives operations from
 * (operationId, method, path, summary, description, parameters) and the responses the instance records, so
 * importing it recreates the same operations.
 */

type Properties = Record<string, unknown>;

export interface LiveOperation {
  id: string;
  properties: Properties;
}

interface ParameterOut {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: Record<string, unknown>;
}

/** `templated`: parameters of the URL template, which a request cannot leave out (and which only a required query parameter becomes on import). */
function parameters(list: unknown, locate: (name: string) => ParameterOut['in'], templated = false): ParameterOut[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((item): item is Properties => Boolean(item) && typeof item === 'object' && typeof (item as Properties).name === 'string')
    .map((item) => {
      const location = locate(item.name as string);
      const schema: Record<string, unknown> = { type: typeof item.type === 'string' && item.type ? item.type : 'string' };
      if (Array.isArray(item.values) && item.values.length) schema.enum = [...item.values];
      if (typeof item.defaultValue === 'string' && item.defaultValue) schema.default = item.defaultValue;
      const parameter: ParameterOut = {
        name: item.name as string,
        in: location,
        // OpenAPI requires path parameters to be required.
        required: templated || location === 'path' ? true : item.required === true,
        schema,
      };
      if (typeof item.description === 'string' && item.description) parameter.description = item.description;
      return parameter;
    });
}

/**
 * OpenAPI wants at least one response; an operation that records none gets only a `default` one, which an import
 * does not turn into a response (a made-up `200` would add one to the operation on the next publish).
 */
const NO_RECORDED_RESPONSES = { default: { description: 'No responses recorded on the instance' } };

function responses(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Array.isArray(list)) {
    for (const item of list as Properties[]) {
      if (typeof item?.statusCode !== 'number') continue;
      out[String(item.statusCode)] = { description: typeof item.description === 'string' && item.description ? item.description : String(item.statusCode) };
    }
  }
  return Object.keys(out).length ? out : NO_RECORDED_RESPONSES;
}

/** `/orders/{id}?expand={expand}` → path `/orders/{id}`: template parameters of the query part are query parameters. */
function pathOf(urlTemplate: string): string {
  const queryStart = urlTemplate.indexOf('?');
  return queryStart < 0 ? urlTemplate : urlTemplate.slice(0, queryStart);
}

function operationObject(operation: LiveOperation, path: string): Record<string, unknown> {
  const properties = operation.properties;
  const request = (properties.request ?? {}) as Properties;
  const out: Record<string, unknown> = {
    operationId: operation.id,
    summary: typeof properties.displayName === 'string' ? properties.displayName : operation.id,
  };
  if (typeof properties.description === 'string' && properties.description) out.description = properties.description;
  const allParameters = [
    ...parameters(properties.templateParameters, (name) => (path.includes(`{${name}}`) ? 'path' : 'query'), true),
    ...parameters(request.queryParameters, () => 'query'),
    ...parameters(request.headers, () => 'header'),
  ];
  if (allParameters.length) out.parameters = allParameters;
  out.responses = responses(properties.responses);
  return out;
}

/** Where an operation goes in a document's `paths`: its path and (lowercase) method. */
function placeOf(operation: LiveOperation): { pathKey: string; method: string } {
  const urlTemplate = typeof operation.properties.urlTemplate === 'string' ? operation.properties.urlTemplate : '/';
  const method = typeof operation.properties.method === 'string' ? operation.properties.method.toLowerCase() : 'get';
  return { pathKey: pathOf(urlTemplate), method };
}

export function openApiFromOperations(api: Properties, operations: LiveOperation[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of [...operations].sort((a, b) => a.id.localeCompare(b.id))) {
    const { pathKey, method } = placeOf(operation);
    paths[pathKey] ??= {};
    paths[pathKey][method] = operationObject(operation, pathKey);
  }
  const info: Record<string, unknown> = {
    title: typeof api.displayName === 'string' ? api.displayName : '',
    version: typeof api.apiVersion === 'string' && api.apiVersion ? api.apiVersion : '1.0',
  };
  if (typeof api.description === 'string' && api.description) info.description = api.description;
  return { openapi: '3.0.1', info, paths };
}

function isObject(value: unknown): value is Properties {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

/**
 * An exported document with the named operations described as the instance has them: each is removed from where
 * the document has it (found by operationId, ignoring case as APIM does) and built from the instance's operation
 * instead; named operations the instance lacks are only removed. The rest of the document (schemas, examples) stays.
 */
export function withOperationsFromInstance(document: Record<string, unknown>, operations: LiveOperation[], ids: string[]): Record<string, unknown> {
  const replaced = new Set(ids.map((id) => id.toLowerCase()));
  const paths: Record<string, Properties> = {};
  for (const [pathKey, pathItem] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    if (!isObject(pathItem)) continue;
    const kept = Object.entries(pathItem).filter(([, entry]) => !(isObject(entry) && typeof entry.operationId === 'string' && replaced.has(entry.operationId.toLowerCase())));
    if (kept.length) paths[pathKey] = Object.fromEntries(kept);
  }
  for (const operation of operations.filter((candidate) => replaced.has(candidate.id.toLowerCase()))) {
    const { pathKey, method } = placeOf(operation);
    paths[pathKey] ??= {};
    paths[pathKey][method] = operationObject(operation, pathKey);
  }
  return { ...document, paths };
}

/**
 * A document whose operationIds are spelled as `operations` spell them (APIM matches them ignoring case): an export
 * spells them as the instance does, and the repository's operation policy files are named by the operationId.
 */
export function withOperationIdsOf(document: Record<string, unknown>, operations: LiveOperation[]): Record<string, unknown> {
  const spellings = new Map(operations.map((operation) => [operation.id.toLowerCase(), operation.id]));
  const respelled = (entry: unknown): unknown => {
    if (!isObject(entry) || typeof entry.operationId !== 'string') return entry;
    const operationId = spellings.get(entry.operationId.toLowerCase()) ?? entry.operationId;
    return operationId === entry.operationId ? entry : { ...entry, operationId };
  };
  if (!isObject(document.paths)) return document;
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([pathKey, pathItem]) => [pathKey, isObject(pathItem) ? Object.fromEntries(Object.entries(pathItem).map(([method, entry]) => [method, respelled(entry)])) : pathItem]),
  );
  return { ...document, paths };
}
