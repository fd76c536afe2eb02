import { invalidField } from '../errors';
import { attribute, child, children, parseXml, rootElement, text, unprefixed } from './xml';
import { operationName, type ImportedApi, type ImportedOperation, type Json } from './types';

/**
 * WADL as APIM imports it: one operation per `<method>` of each (nested) `<resource>`, its path the resource paths
 * joined, named by the method's `id`; `template` parameters (on the resource or the method) are template parameters,
 * `query` and `header` ones query parameters and headers; responses by status with their media types. The API is
 * named after, and served from, the `<resources base>` URL, as APIM does.
 */

interface Param {
  name: string;
  style: string;
  type: string;
  required: boolean;
  description?: string;
}

function params(node: Json | undefined): Param[] {
  return children(node, 'param').map((param) => ({
    name: attribute(param, 'name') ?? '',
    style: attribute(param, 'style') ?? 'query',
    type: unprefixed(attribute(param, 'type')) ?? 'string',
    required: attribute(param, 'required') === 'true',
    description: text(child(param, 'doc')),
  }));
}

function stored(param: Param, required = param.required) {
  return { name: param.name, type: param.type, required, values: [] as string[], ...(param.description ? { description: param.description } : {}) };
}

function joinPath(base: string, segment: string): string {
  return `${base.replace(/\/+$/, '')}/${segment.replace(/^\/+/, '')}`;
}

function collect(resource: Json, parentPath: string, inherited: Param[], out: ImportedOperation[]): void {
  const path = joinPath(parentPath, attribute(resource, 'path') ?? '');
  const resourceParams = [...inherited, ...params(resource)];
  for (const method of children(resource, 'method')) {
    const verb = (attribute(method, 'name') ?? 'GET').toUpperCase();
    const request = child(method, 'request');
    const all = [...resourceParams, ...params(request)];
    const templateNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const id = attribute(method, 'id');
    out.push({
      name: operationName(id, verb.toLowerCase(), path),
      properties: {
        displayName: id ?? `${verb} ${path}`,
        method: verb,
        urlTemplate: path,
        templateParameters: templateNames.map((name) => stored(all.find((p) => p.name === name) ?? { name, style: 'template', type: 'string', required: true }, true)),
        description: text(child(method, 'doc')) ?? '',
        request: {
          queryParameters: all.filter((p) => p.style === 'query').map((p) => stored(p)),
          headers: all.filter((p) => p.style === 'header').map((p) => stored(p)),
          representations: children(request, 'representation').map((r) => ({ contentType: attribute(r, 'mediaType') ?? 'application/xml' })),
        },
        responses: children(method, 'response').flatMap((response) =>
          (attribute(response, 'status') ?? '200').split(/\s+/).map((status) => ({
            statusCode: Number(status),
            description: text(child(response, 'doc')) ?? '',
            representations: children(response, 'representation').map((r) => ({ contentType: attribute(r, 'mediaType') ?? 'application/xml' })),
            headers: [],
          })),
        ),
      },
    });
  }
  for (const nested of children(resource, 'resource')) collect(nested, path, resourceParams.filter((p) => p.style === 'template'), out);
}

export function importWadl(document: string): ImportedApi {
  const application = rootElement(parseXml(document, 'WADL document'), 'application', 'a WADL document');
  const resources = child(application, 'resources');
  const base = attribute(resources, 'base');
  if (!resources) throw invalidField('value', 'The WADL document has no <resources>.');
  const operations: ImportedOperation[] = [];
  for (const resource of children(resources, 'resource')) collect(resource, '', [], operations);
  return {
    displayName: base,
    description: text(child(application, 'doc')) ?? '',
    serviceUrl: base,
    operations,
    schemas: [],
    specification: { kind: 'wadl', text: document },
  };
}
