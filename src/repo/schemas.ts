import * as fs from 'fs';
import * as path from 'path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Finding, SourcePos } from '../diagnostics';
import type { YamlDocument, YamlPath } from './model';
import { didYouMean } from '../suggest';

export type SchemaName = 'apiops-config' | 'api' | 'product' | 'named-value' | 'backend' | 'api-version-set' | 'group' | 'subscription' | 'logger' | 'diagnostic' | 'test';

/** schemas/ at the package root: the same relative place from src/repo and dist/repo. */
export const SCHEMAS_DIR = path.resolve(__dirname, '..', '..', 'schemas');

let ajv: Ajv | undefined;
const validators = new Map<SchemaName, ValidateFunction>();

function validatorFor(name: SchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    ajv ??= addFormats(new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false }));
    const schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, `${name}.schema.json`), 'utf8'));
    validate = ajv.compile(schema);
    validators.set(name, validate);
  }
  return validate;
}

export interface SchemaProblem {
  /** Path of the offending value in the document. */
  path: YamlPath;
  finding: Finding;
}

/** Validates a YAML document against schemas/<name>.schema.json; each error becomes a finding at the offending value. */
export function validateAgainstSchema(name: SchemaName, doc: YamlDocument<unknown>): SchemaProblem[] {
  const validate = validatorFor(name);
  if (validate(doc.data)) return [];
  return usefulErrors(validate.errors ?? []).map((error) => {
    const at = errorPath(error);
    const conflict = conflictingKey(error, doc, at);
    // An unknown or misnamed property is best shown at its key, two keys that exclude each other at the later of
    // them; any other problem at the offending value.
    const pointAtKey = error.keyword === 'additionalProperties' || error.propertyName !== undefined;
    const pos = conflict ?? (pointAtKey && doc.locateKey ? doc.locateKey : doc.locate)(at);
    return { path: at, finding: { rule: 'schema', severity: 'error', ...pos, message: errorMessage(error, at) } };
  });
}

/**
 * Where a combination of properties is the problem ("serviceUrl and backend are alternatives", more than one branch
 * of a oneOf matching, a property a `not` forbids): the key, among those the failing subschemas require and the
 * mapping holds, that comes last in the file — the one a reader added second. The path stays the mapping's: no single
 * property is wrong on its own.
 */
function conflictingKey(error: ErrorObject, doc: YamlDocument<unknown>, at: YamlPath): SourcePos | undefined {
  const data = error.data;
  if (!doc.locateKey || typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  let schemas: unknown[];
  if (error.keyword === 'not') schemas = [error.schema];
  else if (error.keyword === 'oneOf' && Array.isArray(error.params.passingSchemas)) {
    schemas = (error.params.passingSchemas as number[]).map((i) => (error.schema as unknown[])[i]);
  } else return undefined;
  const present = [...new Set(schemas.flatMap(requiredKeys))].filter((key) => Object.prototype.hasOwnProperty.call(data, key));
  const positions = present.map((key) => doc.locateKey!([...at, key]));
  return positions.reduce<SourcePos | undefined>((last, pos) => (!last || pos.line > last.line || (pos.line === last.line && pos.column > last.column) ? pos : last), undefined);
}

/** Property names a subschema requires, through its anyOf/oneOf/allOf branches. */
function requiredKeys(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const { required, anyOf, oneOf, allOf } = schema as { required?: unknown; anyOf?: unknown[]; oneOf?: unknown[]; allOf?: unknown[] };
  const own = Array.isArray(required) ? required.filter((key): key is string => typeof key === 'string') : [];
  return [...own, ...[anyOf, oneOf, allOf].flatMap((branches) => (branches ?? []).flatMap(requiredKeys))];
}

/**
 * Drops the noise of composite keywords: the failed branches of a oneOf/anyOf/not (the composite's own error says
 * it better) and the "must match then schema" echo of if/then.
 */
function usefulErrors(errors: ErrorObject[]): ErrorObject[] {
  const composites = errors.filter((e) => ['oneOf', 'anyOf', 'not'].includes(e.keyword)).map((e) => `${e.schemaPath}/`);
  // A bad property name arrives twice: as `propertyNames` and as the failed check on the name; keep the latter.
  return errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames' && !composites.some((prefix) => e.schemaPath.startsWith(prefix)));
}

function errorPath(error: ErrorObject): YamlPath {
  const segments: Array<string | number> = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  if (error.propertyName !== undefined) segments.push(error.propertyName);
  // The later of two equal items is the one to remove.
  if (error.keyword === 'uniqueItems') segments.push(Math.max(error.params.i, error.params.j));
  return segments;
}

function errorMessage(error: ErrorObject, at: YamlPath): string {
  const where = `${at.length ? `${at.join('.')}: ` : ''}${error.propertyName !== undefined ? 'invalid name: ' : ''}`;
  const comment = (error.parentSchema as { $comment?: string } | undefined)?.$comment;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where}unknown property${didYouMean(String(error.params.additionalProperty), knownProperties(error.parentSchema))}`;
    case 'required':
      return `${where}missing required property '${error.params.missingProperty}'`;
    case 'enum':
      return `${where}must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `${where}must be ${JSON.stringify(error.params.allowedValue)}`;
    case 'uniqueItems': {
      const list = at.slice(0, -1).join('.');
      const item = (error.data as unknown[])[Number(at[at.length - 1])];
      return `${list}: ${JSON.stringify(item)} is listed twice`;
    }
    case 'format':
      return `${where}must be a valid ${error.params.format}`;
    case 'pattern':
    case 'not':
    case 'oneOf':
    case 'anyOf':
      return `${where}${comment ?? error.message}`;
    default:
      return `${where}${error.message}`;
  }
}

/** The properties a mapping's schema names (`displayname` → `displayName`). */
function knownProperties(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}
