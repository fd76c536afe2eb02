import type { Finding, SourcePos } from '../diagnostics';
import type { ApiSpecification, OperationDefinition, OperationParameter, YamlDocument } from './model';
import { checkId } from './ids';
import { schemaFinding } from './files';
import { parseYaml } from './yaml';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Loads an OpenAPI 3 (YAML or JSON) or Swagger 2 document and derives APIM operations from it the way APIM's import
 * does (deriveApimOperation, which the emulator's import uses too): one operation per path and method,
 * id = operationId, display name = summary (else the id), template parameters = the path's `{…}` segments and the
 * required query parameters, query parameters, headers and response status codes.
 */
export function loadSpecification(file: string, text: string): { specification?: ApiSpecification; findings: Finding[] } {
  const parsed = parseYaml<unknown>(file, text);
  if (!parsed.document) return { findings: parsed.findings };
  const doc = parsed.document;
  const root = doc.data;
  if (!isObject(root)) return { findings: [schemaFinding(file, 'not an OpenAPI or Swagger document (expected a mapping)')] };
  const isJson = /\.json$/i.test(file);
  let format: ApiSpecification['format'];
  let sentText = text;
  if (typeof root.openapi === 'string' && root.openapi.startsWith('3.')) {
    format = isJson ? 'openapi+json' : 'openapi';
  } else if (String(root.swagger) === '2.0') {
    // APIM imports Swagger 2 only as JSON; a YAML Swagger file is sent as its JSON equivalent.
    format = 'swagger-json';
    if (!isJson) sentText = JSON.stringify(root, null, 2);
  } else {
    const versionKey = 'swagger' in root && !('openapi' in root) ? 'swagger' : 'openapi';
    const at = doc.locate([versionKey]);
    // YAML reads an unquoted `swagger: 2.0` or `openapi: 3.1` as a number, which no specification version is. The
    // advice quotes it as written: the number would print `3.0` as 3.
    const unquoted = typeof root[versionKey] === 'number' ? `; the version must be a string: quote it (${versionKey}: "${writtenScalarAt(text, at) ?? root[versionKey]}")` : '';
    return {
      findings: [{ ...schemaFinding(file, `unsupported specification: expected 'openapi: 3.x' or 'swagger: "2.0"'${unquoted}`), ...at }],
    };
  }
  const findings: Finding[] = [];
  const operations = deriveOperations(doc as YamlDocument<JsonObject>, findings);
  return { specification: { file, format, text: sentText, operations }, findings };
}

/** The plain scalar that starts at `at` in `text`, as written (`3.0`, `3.10`). */
function writtenScalarAt(text: string, at: SourcePos): string | undefined {
  const line = text.split(/\r?\n/)[at.line - 1];
  return line === undefined ? undefined : /^[^\s,\]}#]+/.exec(line.slice(at.column - 1))?.[0];
}

function deriveOperations(doc: YamlDocument<JsonObject>, findings: Finding[]): OperationDefinition[] {
  const paths = doc.data.paths;
  if (paths === undefined) return [];
  if (!isObject(paths)) {
    findings.push({ ...schemaFinding(doc.file, 'paths: must be a mapping'), ...doc.locate(['paths']) });
    return [];
  }
  const operations: OperationDefinition[] = [];
  const seen = new Map<string, string>();
  for (const entry of specOperations(doc.data)) {
    const { path: urlTemplate, method, operation } = entry;
    const pos = (doc.locateKey ?? doc.locate)(['paths', urlTemplate, method]);
    const where = `${method.toUpperCase()} ${urlTemplate}`;
    const id = operation.operationId;
    if (typeof id !== 'string' || id === '') {
      findings.push(schemaFinding(doc.file, `${where} has no operationId (apiops uses it as the APIM operation id)`, pos.line, pos.column));
      continue;
    }
    const idPos = doc.locate(['paths', urlTemplate, method, 'operationId']);
    const idProblem = checkId('apiOperation', id, idPos);
    if (idProblem) findings.push(idProblem);
    const previous = seen.get(id.toLowerCase());
    if (previous) {
      findings.push({ ...schemaFinding(doc.file, `operationId '${id}' is used twice, ignoring letter case as APIM does (${previous} and ${where})`), ...idPos });
      continue;
    }
    seen.set(id.toLowerCase(), where);
    const derived = deriveApimOperation(doc.data, entry, { fallbackName: id });
    operations.push({
      id,
      displayName: derived.displayName,
      method: derived.method,
      urlTemplate: derived.urlTemplate,
      ...(derived.description !== undefined ? { description: derived.description } : {}),
      templateParameters: derived.templateParameters,
      request: { queryParameters: derived.request.queryParameters.map(comparedParameter), headers: derived.request.headers.map(comparedParameter) },
      responses: derived.responses.map(({ statusCode }) => ({ statusCode })),
      pos,
    });
  }
  return operations;
}

/** The parts of a query parameter or header the plan compares: unambiguous in what APIM stores from an import. */
function comparedParameter({ name, type, required }: ImportedParameter): OperationParameter {
  return { name, ...(type !== undefined ? { type } : {}), required };
}

/* ------------------------------------------------------------------------------------------------------------------
 * APIM's OpenAPI/Swagger import, shared by the repository loader (what the instance will hold after publish) and the
 * emulator (what it stores on import), so the two cannot drift apart.
 * ------------------------------------------------------------------------------------------------------------------ */

/** A parameter as APIM records it from an import. `type` only when the document declares a single primitive type. */
export interface ImportedParameter {
  name: string;
  type?: string;
  required: boolean;
  description?: string;
}

/** An operation as APIM's import creates it (the ARM `properties`, minus schemas and examples). */
export interface ImportedOperation {
  displayName: string;
  method: string;
  urlTemplate: string;
  description?: string;
  /** The URL template's parameters, in its order; an undeclared one is a required string. */
  templateParameters: Array<ImportedParameter & { type: string }>;
  request: { queryParameters: ImportedParameter[]; headers: ImportedParameter[]; contentTypes: string[] };
  responses: Array<{ statusCode: number; description: string; contentTypes: string[] }>;
}

/**
 * APIM's `translateRequiredQueryParameters`: with `template` (its default) required query parameters become part of
 * the URL template (`/titles?genre={genre}`) and template parameters; with `query` they stay query parameters.
 */
export type RequiredQueryParameters = 'template' | 'query';

export interface SpecOperationEntry {
  path: string;
  pathItem: JsonObject;
  method: string;
  operation: JsonObject;
}

/** Every operation object of a document's `paths`, in document order (path, then APIM's method order). */
export function specOperations(root: JsonObject): SpecOperationEntry[] {
  const paths = root.paths;
  if (!isObject(paths)) return [];
  return Object.entries(paths).flatMap(([path, pathItem]) =>
    isObject(pathItem)
      ? HTTP_METHODS.filter((method) => isObject(pathItem[method])).map((method) => ({ path, pathItem, method, operation: pathItem[method] as JsonObject }))
      : [],
  );
}

/** Follows local `$ref`s (`#/components/parameters/x`, `#/parameters/x`, chains of them); anything else stays as it is. */
export function resolveRef(root: JsonObject, value: unknown): unknown {
  let node = value;
  for (let hops = 0; hops < 16; hops += 1) {
    if (!isObject(node) || typeof node.$ref !== 'string' || !node.$ref.startsWith('#/')) return node;
    let target: unknown = root;
    for (const segment of node.$ref.slice(2).split('/')) target = isObject(target) ? target[segment.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    if (target === undefined) return node;
    node = target;
  }
  return node;
}

/** The declared primitive type: OpenAPI 3 `schema.type`, Swagger 2 `type`; none for a union, a composition or nothing. */
function declaredType(root: JsonObject, parameter: JsonObject): string | undefined {
  const schema = resolveRef(root, parameter.schema);
  if (isObject(schema)) return typeof schema.type === 'string' ? schema.type : undefined;
  return typeof parameter.type === 'string' ? parameter.type : undefined;
}

function importedParameter(root: JsonObject, parameter: JsonObject, required: boolean): ImportedParameter {
  const type = declaredType(root, parameter);
  return {
    name: String(parameter.name),
    ...(type !== undefined ? { type } : {}),
    required,
    ...(typeof parameter.description === 'string' && parameter.description ? { description: parameter.description } : {}),
  };
}

function contentTypes(root: JsonObject, holder: unknown): string[] {
  const content = (resolveRef(root, holder) as JsonObject | undefined)?.content;
  return isObject(content) ? Object.keys(content) : [];
}

/**
 * One operation as APIM's import derives it. Operation-level parameters override path-level ones of the same name
 * and location. The display name is the summary, else the operationId, else `fallbackName`.
 */
export function deriveApimOperation(
  root: JsonObject,
  { path, pathItem, method, operation }: SpecOperationEntry,
  options: { requiredQueryParameters?: RequiredQueryParameters; fallbackName: string },
): ImportedOperation {
  const byLocation = new Map<string, JsonObject>();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const parameter = resolveRef(root, raw);
      if (isObject(parameter) && typeof parameter.name === 'string') byLocation.set(`${String(parameter.in)}:${parameter.name}`, parameter);
    }
  }
  const parameters = [...byLocation.values()];
  const templated = (p: JsonObject) => (options.requiredQueryParameters ?? 'template') === 'template' && p.in === 'query' && p.required === true;
  const queryTemplate = parameters.filter(templated);
  const urlTemplate = queryTemplate.length ? `${path}?${queryTemplate.map((p) => `${String(p.name)}={${String(p.name)}}`).join('&')}` : path;
  const templateParameters = [
    ...[...path.matchAll(/\{([^}]+)\}/g)].map((m) => parameters.find((p) => p.in === 'path' && p.name === m[1]) ?? { name: m[1] }),
    ...queryTemplate,
  ].map((p) => {
    const parameter = importedParameter(root, p, true);
    return { ...parameter, type: parameter.type ?? 'string' };
  });
  const ofLocation = (location: string) => parameters.filter((p) => p.in === location && !templated(p)).map((p) => importedParameter(root, p, p.required === true));
  const responses = Object.entries(isObject(operation.responses) ? operation.responses : {})
    .filter(([code]) => /^\d{3}$/.test(code))
    .map(([code, raw]) => {
      const response = resolveRef(root, raw);
      return {
        statusCode: Number(code),
        description: isObject(response) && typeof response.description === 'string' ? response.description : '',
        contentTypes: contentTypes(root, response),
      };
    });
  const summary = typeof operation.summary === 'string' ? operation.summary.trim() : '';
  const operationId = typeof operation.operationId === 'string' ? operation.operationId.trim() : '';
  return {
    displayName: summary || operationId || options.fallbackName,
    method: method.toUpperCase(),
    urlTemplate,
    ...(typeof operation.description === 'string' ? { description: operation.description } : {}),
    templateParameters,
    request: { queryParameters: ofLocation('query'), headers: ofLocation('header'), contentTypes: contentTypes(root, operation.requestBody) },
    responses,
  };
}
