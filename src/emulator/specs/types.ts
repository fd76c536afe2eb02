/** What a specification import gives an API: its own settings, its operations, the schemas it carries. */

export type Json = Record<string, unknown>;

export interface ImportedOperation {
  name: string;
  properties: Json;
  /** The operation policy APIM generates with it (SOAP-to-REST), rawxml. */
  policy?: string;
}

export interface ImportedSchema {
  contentType: string;
  /** The schema's `document` (`value`, `definitions` or `components`). */
  document: Json;
}

/** The document an API was imported from, kept so that export gives back what the import gave. */
export interface StoredSpecification {
  kind: SpecificationKind;
  text: string;
}

export type SpecificationKind = 'openapi' | 'swagger' | 'wsdl' | 'wadl' | 'graphql' | 'odata' | 'grpc';

export interface ImportedApi {
  displayName?: string;
  description?: string;
  serviceUrl?: string;
  protocols?: string[];
  /** The API type the document makes (`soap` for a pass-through WSDL import); undefined keeps the one asked for. */
  type?: string;
  operations: ImportedOperation[];
  schemas: ImportedSchema[];
  specification: StoredSpecification;
}

export interface ImportOptions {
  /** APIM's translateRequiredQueryParameters. */
  translateRequiredQueryParameters: 'template' | 'query';
  /** `apiType` / `type` of the request: `soap` imports a WSDL as SOAP pass-through, otherwise SOAP-to-REST. */
  apiType?: string;
  wsdlSelector?: { wsdlServiceName?: string; wsdlEndpointName?: string };
}

export function asObject(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** APIM's operation name from an operationId or other given name: characters it does not allow become `-`. */
export function operationName(given: unknown, method: string, path: string): string {
  if (typeof given === 'string' && given.trim()) return given.trim().replace(/[*#&+:<>?/\\\s]+/g, '-');
  return `${method}${path}`.toLowerCase().replace(/[{}]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
