import { XMLValidator } from 'fast-xml-parser';
import type { Finding } from '../diagnostics';
import type { ArmError } from '../emulator/errors';
import type { SpecificationKind } from '../emulator/specs/types';
import { schemaFinding } from './files';
import type { ApiSpecification, ApiType, OperationDefinition, OperationParameter, SpecificationFormat } from './model';
import { loadSpecification } from './openapi';
import { shared } from './sharing';

/**
 * Specification files of every API type. OpenAPI and Swagger are read by ./openapi; WSDL, WADL and GraphQL SDL are
 * read by the same importers the emulator runs (src/emulator/specs): they derive operations the way APIM's import
 * does, and deriving them a second way here would let the repository and the emulator disagree. They are required
 * when such a file is met, not imported: a repository of OpenAPI APIs alone never loads them, and a GraphQL SDL loads
 * only the GraphQL reader.
 */

function importers(): typeof import('../emulator/specs') {
  return require('../emulator/specs') as typeof import('../emulator/specs');
}

/** The GraphQL reader alone (the other importers, and the OpenAPI exporter, are not needed for an SDL). */
function graphqlReader(): typeof import('../emulator/specs/graphql') {
  return require('../emulator/specs/graphql') as typeof import('../emulator/specs/graphql');
}

/** An importer's refusal (an ARM validation error), as the message it gives. */
function refusal(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'ArmError') return undefined;
  const armError = error as ArmError;
  return armError.details[0]?.message ?? armError.message;
}

/** Default specification file names, in the order they are looked for when api.yaml names none. */
export const DEFAULT_SPEC_FILES = ['openapi.yaml', 'openapi.yml', 'openapi.json', 'api.wsdl', 'api.wadl', 'schema.graphql'];

const XML_FORMATS: Record<string, { format: SpecificationFormat; kind: SpecificationKind; what: string }> = {
  wsdl: { format: 'wsdl', kind: 'wsdl', what: 'WSDL document' },
  wadl: { format: 'wadl-xml', kind: 'wadl', what: 'WADL document' },
};

export interface SpecificationOptions {
  type?: ApiType;
  wsdlService?: string;
  wsdlEndpoint?: string;
}

function extensionOf(file: string): string {
  return /\.([^./]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
}

/** The API types a specification file's format can make. */
export function typesOfFormat(format: SpecificationFormat): ApiType[] {
  if (format === 'wsdl') return ['soap', 'http'];
  if (format === 'graphql') return ['graphql'];
  return ['http'];
}

/** Reads an API's specification file; every problem is a finding naming the file, line and column. */
export function loadSpecificationFile(file: string, text: string, options: SpecificationOptions = {}): { specification?: ApiSpecification; findings: Finding[] } {
  return shared('specification', `${file}\0${JSON.stringify(options)}`, text, () => readSpecification(file, text, options), ({ specification, findings }) => ({
    ...(specification ? { specification: copyOf(specification) } : {}),
    findings: [...findings],
  }));
}

/** A copy whose operations' positions stay lazy (copying reads them, which parses the file again). */
function copyOf(specification: ApiSpecification): ApiSpecification {
  return { ...specification, operations: specification.operations.map(({ pos, ...operation }) => ({ ...structuredClone(operation), pos })) };
}

function readSpecification(file: string, text: string, options: SpecificationOptions): { specification?: ApiSpecification; findings: Finding[] } {
  const extension = extensionOf(file);
  if (extension === 'graphql' || extension === 'gql') return loadGraphql(file, text);
  const xml = XML_FORMATS[extension];
  if (!xml) return loadSpecification(file, text);
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { findings: [schemaFinding(file, `not well-formed XML: ${valid.err.msg}`, valid.err.line, valid.err.col)] };
  try {
    const imported = importers().importSpecification(xml.kind, text, {
      translateRequiredQueryParameters: 'template',
      apiType: options.type === 'soap' ? 'soap' : 'http',
      wsdlSelector: { wsdlServiceName: options.wsdlService, wsdlEndpointName: options.wsdlEndpoint },
    }, 'schema');
    const operations = imported.operations.map((operation): OperationDefinition => {
      const p = operation.properties as Record<string, any>;
      return {
        id: operation.name,
        displayName: String(p.displayName ?? operation.name),
        method: String(p.method),
        urlTemplate: String(p.urlTemplate),
        description: typeof p.description === 'string' && p.description ? p.description : undefined,
        templateParameters: (Array.isArray(p.templateParameters) ? p.templateParameters : []).map((t: any) => ({ name: String(t.name), type: String(t.type ?? 'string'), required: t.required !== false })),
        request: { queryParameters: parameters(p.request?.queryParameters), headers: parameters(p.request?.headers) },
        responses: (Array.isArray(p.responses) ? p.responses : []).map((r: any) => ({ statusCode: Number(r.statusCode) })),
        pos: { file, line: 1, column: 1 },
      };
    });
    return { specification: { file, format: xml.format, text, operations }, findings: [] };
  } catch (error) {
    const message = refusal(error);
    if (message === undefined) throw error;
    return { findings: [schemaFinding(file, `not a ${xml.what} APIM imports: ${message}`)] };
  }
}

/** An import's query parameters or headers, as the repository compares them. */
function parameters(list: unknown): OperationParameter[] {
  return (Array.isArray(list) ? list : []).map((p: any) => ({ name: String(p.name), required: p.required === true, ...(typeof p.type === 'string' ? { type: p.type } : {}) }));
}

function loadGraphql(file: string, text: string): { specification?: ApiSpecification; findings: Finding[] } {
  try {
    graphqlReader().graphqlTypes(text);
  } catch (error) {
    const message = refusal(error);
    if (message === undefined) throw error;
    return { findings: [schemaFinding(file, `not a GraphQL schema APIM accepts: ${message}`, ...unbalancedAt(text))] };
  }
  return { specification: { file, format: 'graphql', text, operations: [] }, findings: [] };
}

/** Where a GraphQL document's braces stop balancing: the first unmatched `}`, else the last unclosed `{`. */
function unbalancedAt(text: string): [number, number] {
  const open: Array<[number, number]> = [];
  let line = 1;
  let column = 1;
  for (const char of text) {
    if (char === '{') open.push([line, column]);
    if (char === '}' && !open.pop()) return [line, column];
    if (char === '\n') [line, column] = [line + 1, 1];
    else column += 1;
  }
  return open.pop() ?? [1, 1];
}

/** The one operation APIM gives a WebSocket API. */
export const WEBSOCKET_HANDSHAKE = 'onHandshake';

/** A GraphQL SDL's fields as resolver paths (`Query/users`). */
export function graphqlFields(sdl: string): Set<string> {
  return new Set([...graphqlReader().graphqlTypes(sdl)].flatMap(([type, fields]) => [...fields].map((field) => `${type}/${field}`)));
}
