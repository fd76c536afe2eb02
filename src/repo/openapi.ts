import type { Finding } from '../diagnostics';
import type { ApiSpecification, OperationDefinition, YamlDocument } from './model';
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
 * does: one operation per path and method, id = operationId, display name = summary (else the id), template parameters
 * = the path's `{…}` segments with their declared types.
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
    return {
      findings: [{ ...schemaFinding(file, "unsupported specification: expected 'openapi: 3.x' or 'swagger: \"2.0\"'"), ...doc.locate(['openapi']) }],
    };
  }
  const findings: Finding[] = [];
  const operations = deriveOperations(doc as YamlDocument<JsonObject>, findings);
  return { specification: { file, format, text: sentText, operations }, findings };
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
  for (const [urlTemplate, pathItem] of Object.entries(paths)) {
    if (!isObject(pathItem)) continue;
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
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
      const summary = typeof operation.summary === 'string' && operation.summary.trim() ? operation.summary.trim() : id;
      operations.push({
        id,
        displayName: summary,
        method: method.toUpperCase(),
        urlTemplate,
        ...(typeof operation.description === 'string' ? { description: operation.description } : {}),
        templateParameters: templateParameters(doc.data, urlTemplate, pathItem, operation),
        pos,
      });
    }
  }
  return operations;
}

/** Resolves a local `$ref` (`#/components/parameters/x`, `#/parameters/x`); anything else is left as it is. */
function resolveRef(root: JsonObject, value: unknown): unknown {
  if (!isObject(value) || typeof value.$ref !== 'string' || !value.$ref.startsWith('#/')) return value;
  let node: unknown = root;
  for (const segment of value.$ref.slice(2).split('/')) {
    if (!isObject(node)) return value;
    node = node[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node ?? value;
}

function templateParameters(root: JsonObject, urlTemplate: string, pathItem: JsonObject, operation: JsonObject): OperationDefinition['templateParameters'] {
  const declared = new Map<string, JsonObject>();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const parameter = resolveRef(root, raw);
      if (isObject(parameter) && parameter.in === 'path' && typeof parameter.name === 'string') declared.set(parameter.name, parameter);
    }
  }
  const names = [...urlTemplate.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  return names.map((name) => {
    const parameter = declared.get(name);
    const schema = parameter ? resolveRef(root, parameter.schema) : undefined;
    const type = (isObject(schema) && typeof schema.type === 'string' ? schema.type : undefined) ?? (typeof parameter?.type === 'string' ? parameter.type : 'string');
    return {
      name,
      type,
      required: true,
      ...(typeof parameter?.description === 'string' ? { description: parameter.description } : {}),
    };
  });
}
