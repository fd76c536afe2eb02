/**
 * An OpenAPI 3 document built from an API's operations, for instances that cannot export one. It carries what
 * the repository derives operations from (operationId, method, path, summary, description, parameters) and
 * the responses the instance records, so importing it recreates the same operations.
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

function parameters(list: unknown, locate: (name: string) => ParameterOut['in']): ParameterOut[] {
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
        required: location === 'path' ? true : item.required === true,
        schema,
      };
      if (typeof item.description === 'string' && item.description) parameter.description = item.description;
      return parameter;
    });
}

function responses(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Array.isArray(list)) {
    for (const item of list as Properties[]) {
      if (typeof item?.statusCode !== 'number') continue;
      out[String(item.statusCode)] = { description: typeof item.description === 'string' && item.description ? item.description : String(item.statusCode) };
    }
  }
  return Object.keys(out).length ? out : { '200': { description: 'OK' } };
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
    ...parameters(properties.templateParameters, (name) => (path.includes(`{${name}}`) ? 'path' : 'query')),
    ...parameters(request.queryParameters, () => 'query'),
    ...parameters(request.headers, () => 'header'),
  ];
  if (allParameters.length) out.parameters = allParameters;
  out.responses = responses(properties.responses);
  return out;
}

export function openApiFromOperations(api: Properties, operations: LiveOperation[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of [...operations].sort((a, b) => a.id.localeCompare(b.id))) {
    const urlTemplate = typeof operation.properties.urlTemplate === 'string' ? operation.properties.urlTemplate : '/';
    const method = typeof operation.properties.method === 'string' ? operation.properties.method.toLowerCase() : 'get';
    const pathKey = pathOf(urlTemplate);
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
