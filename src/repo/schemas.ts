import * as fs from 'fs';
import * as path from 'path';
import type Ajv from 'ajv';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import type { Finding, SourcePos } from '../diagnostics';
import type { YamlDocument, YamlPath } from './model';
import { didYouMean } from '../suggest';

export const SCHEMA_NAMES = ['apiops-config', 'api', 'product', 'named-value', 'backend', 'api-version-set', 'group', 'subscription', 'logger', 'diagnostic', 'api-revision', 'api-schema', 'graphql-resolver', 'test'] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

/** schemas/ at the package root: the same relative place from src/repo and dist/repo. */
export const SCHEMAS_DIR = path.resolve(__dirname, '..', '..', 'schemas');

/** The module the build writes beside this one (dist/repo/): every schema's validator as code (see validatorsCode). */
export const PRECOMPILED_MODULE = 'schema-validators';

const AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false };

/** An Ajv instance holding every schema under its name. Required here, not imported: a precompiled run never loads Ajv. */
function ajvWithSchemas(options: Options): Ajv {
  const { default: AjvClass } = require('ajv') as typeof import('ajv');
  const { default: addFormats } = require('ajv-formats') as typeof import('ajv-formats');
  const ajv = addFormats(new AjvClass(options));
  for (const name of SCHEMA_NAMES) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, `${name}.schema.json`), 'utf8')), name);
  return ajv;
}

/**
 * The validators of every schema as one CommonJS module, which `npm run build` writes to dist/repo/: loading it costs a
 * fraction of compiling the schemas, which was a third of `apiops validate`'s start-up.
 */
export function validatorsCode(): string {
  const { default: standaloneCode } = require('ajv/dist/standalone') as typeof import('ajv/dist/standalone');
  const ajv = ajvWithSchemas({ ...AJV_OPTIONS, code: { source: true } });
  return standaloneCode(ajv, Object.fromEntries(SCHEMA_NAMES.map((name) => [name, name])));
}

let validators: Record<SchemaName, ValidateFunction> | undefined;

/** The build's precompiled validators; run from src/ (tests, benches) there are none, and the schemas are compiled. */
function loadValidators(): Record<SchemaName, ValidateFunction> {
  try {
    return require(`./${PRECOMPILED_MODULE}`) as Record<SchemaName, ValidateFunction>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
  }
  const ajv = ajvWithSchemas(AJV_OPTIONS);
  return Object.fromEntries(SCHEMA_NAMES.map((name) => [name, ajv.getSchema(name)!])) as Record<SchemaName, ValidateFunction>;
}

function validatorFor(name: SchemaName): ValidateFunction {
  validators ??= loadValidators();
  return validators[name];
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
