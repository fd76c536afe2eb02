import * as fs from 'fs';
import * as path from 'path';
import { Document, parseDocument } from 'yaml';
import { UserError } from '../diagnostics';
import { ExistingRepository } from '../extract/existing';
import { layoutRepository, LiveIndex } from '../extract/layout';
import { schemaFiles } from '../extract/scaffold';
import { writeRepository } from '../extract/write';
import { schemaHeader, YAML_OUTPUT } from '../extract/yaml-files';
import { parseYaml } from '../repo/yaml';
import { repoPathOf, type ResourceKind } from '../resources/types';
import { apiAdditionFiles } from './api-files';
import { unheldFields } from './fields';
import { readOverrides, type EnvironmentOverrides } from './overrides';
import { readArtifacts, refuseUnread, type ImportedService, type SourceTool } from './artifacts';
import { SourceFolder, type Unconvertible } from './source-folder';

/**
 * `apiops import`: another tool's artifact folder → this repository format. The folder is read into the instance's
 * shape (artifacts.ts) and laid out as extract lays out an instance, so an imported repository is what extracting the
 * instance those artifacts describe would give. Everything is converted or nothing is written: what the format cannot
 * hold is listed with its file.
 */

export interface ImportOptions {
  from: SourceTool;
  /** Absolute path of the artifact folder. */
  sourceDir: string;
  /** Absolute path of the repository to write (created when missing; no file in it is replaced). */
  outDir: string;
}

export interface ImportResult {
  written: string[];
  /** Descriptive settings left out (named with their file); nothing that changes what the gateway does. */
  notes: Unconvertible[];
  environments: string[];
  imported: Record<string, number>;
}

/** Import refused: nothing was written. */
export class ImportRefused extends Error {
  constructor(readonly unconvertible: Unconvertible[]) {
    super(`${unconvertible.length} thing(s) cannot be converted; nothing was written`);
    this.name = 'ImportRefused';
  }
}

const LOCAL_ENVIRONMENT = 'local';
const LOCAL_EMULATOR = '.apiops/local';
/** The layout renders nothing (policies are kept as written): any environment does. */
const LAYOUT_CONTEXT = { env: LOCAL_ENVIRONMENT, values: {} };

/**
 * The source's policy texts, as if they were already in the repository: the layout keeps a file that says what the
 * "instance" says, so policies keep their author's formatting, comments and escaping.
 */
class SourceTexts extends ExistingRepository {
  constructor(private readonly sourceTexts: Map<string, string>) {
    super('');
  }

  override read(file: string): string | undefined {
    return this.sourceTexts.get(file);
  }

  override list(): string[] {
    return [];
  }
}

/**
 * `local` on the embedded emulator, and one environment per configuration file: its target is an emulator too until
 * the user names the instance (the file says at most the service's name, never its subscription or resource group).
 */
function configText(environments: EnvironmentOverrides[], templated: TemplatedField[]): string {
  const valuesOf = (name: string): Record<string, unknown> | undefined => {
    const values = Object.fromEntries(templated.map((field) => [field.key, field.values.get(name) ?? field.base]));
    return templated.length ? values : undefined;
  };
  const entries: Record<string, unknown> = { [LOCAL_ENVIRONMENT]: { target: { emulator: LOCAL_EMULATOR }, values: valuesOf(LOCAL_ENVIRONMENT) } };
  for (const environment of environments) {
    const instance = environment.serviceName ? ` for APIM service ${environment.serviceName}` : '';
    entries[environment.name] = {
      description: `imported from ${environment.file}${instance}; set its target to that instance ({ subscriptionId, resourceGroup, serviceName })`,
      target: { emulator: `.apiops/${environment.name}` },
      values: valuesOf(environment.name),
    };
  }
  return schemaHeader('apiops.config.yaml', 'apiops-config.schema.json') + new Document({ environments: entries }).toString(YAML_OUTPUT);
}

function yamlData(file: string, text: string | undefined): Record<string, unknown> {
  return text === undefined ? {} : (parseYaml<Record<string, unknown>>(file, text).document?.data ?? {});
}

/** Top-level fields of two YAML texts that differ (none for an XML file). */
function differingFields(file: string, a: string | undefined, b: string | undefined): string[] {
  if (!file.endsWith('.yaml') || a === undefined || b === undefined) return [];
  const [left, right] = [yamlData(file, a), yamlData(file, b)];
  return [...new Set([...Object.keys(left), ...Object.keys(right)])].filter((key) => JSON.stringify(left[key]) !== JSON.stringify(right[key]));
}

/** A top-level field of a resource file that the overrides make differ per environment: `"{{values.<key>}}"` in the file. */
interface TemplatedField {
  file: string;
  field: string;
  key: string;
  /** The artifacts' value (the `local` environment's, and any environment's that does not override it). */
  base: unknown;
  /** The value of each environment that overrides it. */
  values: Map<string, unknown>;
}

/** `products/partners/product.yaml` + `subscriptionsLimit` → `productsPartnersSubscriptionsLimit`. */
function valueKey(file: string, field: string): string {
  const segments = file.replace(/\.yaml$/, '').split('/');
  if (['api', 'product', 'revision'].includes(segments[segments.length - 1])) segments.pop();
  const words = [...segments, field].flatMap((segment) => segment.split(/[^A-Za-z0-9]+/)).filter(Boolean);
  return words.map((word, i) => (i === 0 ? word.charAt(0).toLowerCase() : word.charAt(0).toUpperCase()) + word.slice(1)).join('');
}

/**
 * What an environment's overrides change in the repository's files. A top-level field of a resource YAML file that
 * differs becomes a template (`"{{values.x}}"`, the value's type kept) with the value in each environment; a field
 * the artifacts or the environment leave out, and a policy that differs, are named at their override entry.
 * Overrides that change nothing (a policy's `format`, a value equal to the artifact's) convert as they are.
 */
function environmentDifferences(environment: EnvironmentOverrides, base: Map<string, string>, service: ImportedService, templated: Map<string, TemplatedField>): Unconvertible[] {
  const laidOut = layoutRepository(new LiveIndex({ resources: environment.resources }), new SourceTexts(service.policyTexts), LAYOUT_CONTEXT, false).files;
  const problems: Unconvertible[] = [];
  for (const [resource, at] of environment.entries) {
    const file = repoPathOf(resource.ref);
    if (!file || base.get(file) === laidOut.get(file)) continue;
    const fields = differingFields(file, base.get(file), laidOut.get(file));
    const [before, after] = [yamlData(file, base.get(file)), yamlData(file, laidOut.get(file))];
    const convertible = fields.length > 0 && fields.every((field) => before[field] !== undefined && after[field] !== undefined);
    if (convertible) {
      for (const field of fields) {
        const key = `${file}\u0000${field}`;
        const entry = templated.get(key) ?? { file, field, key: valueKey(file, field), base: before[field], values: new Map() };
        entry.values.set(environment.name, after[field]);
        templated.set(key, entry);
      }
      continue;
    }
    const what = fields.length ? `${fields.join(', ')} of ${file}` : file;
    const why = fields.length ? 'a field only some environments have cannot be templated' : 'per-environment policy differences are not converted';
    problems.push({ file: environment.file, line: at.line, column: at.column, reason: `${what} would differ in environment '${environment.name}': ${why}` });
  }
  return problems;
}

/** The base files with each templated field written as its template. */
function withTemplates(files: Map<string, string>, templated: TemplatedField[]): void {
  for (const file of new Set(templated.map((field) => field.file))) {
    const document = parseDocument(files.get(file)!);
    for (const field of templated.filter((f) => f.file === file)) document.set(field.field, `{{values.${field.key}}}`);
    files.set(file, document.toString(YAML_OUTPUT));
  }
}

/** The layout's note on a fragment's description, which unheldFields reports as left out. */
const FRAGMENT_DESCRIPTION = /^policies\/fragments\/[^:]+: its description is not managed by apiops/;

/** The layout's notes name repository files; the user knows the source's. */
function inSourceTerms(warning: string, service: ImportedService): Unconvertible {
  const match = /^([^:]+): (.*)$/s.exec(warning);
  const source = match && service.sourceOf.get(match[1]);
  return source ? { file: source, reason: match[2] } : { file: match?.[1] ?? '', reason: match?.[2] ?? warning };
}

function count(service: ImportedService): Record<string, number> {
  const counts: Record<string, number> = {};
  const counted = (kind: string, n = 1): void => {
    if (n) counts[kind] = (counts[kind] ?? 0) + n;
  };
  for (const { ref } of service.resources) counted(ref.kind);
  for (const additions of service.additions.values()) {
    counted('apiRevision', additions.revisions.length);
    counted('apiRelease', additions.fields.release ? 1 : 0);
    counted('apiSchema', additions.schemas.length);
    counted('graphQLResolver', additions.resolvers.length);
  }
  return counts;
}

export function importArtifacts(options: ImportOptions): ImportResult {
  if (!fs.existsSync(options.sourceDir) || !fs.statSync(options.sourceDir).isDirectory()) throw new UserError(`${options.sourceDir}: not a folder`);
  const folder = new SourceFolder(options.sourceDir);
  const service = readArtifacts(folder, options.from);
  const environments = readOverrides(folder, service.resources, service.notes);
  refuseUnread(folder, options.from);
  const layout = layoutRepository(new LiveIndex({ resources: service.resources }), new SourceTexts(service.policyTexts), LAYOUT_CONTEXT, false);
  const notes: Unconvertible[] = [...service.notes];
  const unconvertible = [...folder.unconvertible, ...layout.warnings.filter((warning) => !FRAGMENT_DESCRIPTION.test(warning)).map((warning) => inSourceTerms(warning, service))];
  const checkFields = (kind: ResourceKind, properties: Record<string, unknown>, file: string): void => {
    const { unheld, notes: leftOut } = unheldFields(kind, properties);
    if (unheld.length) unconvertible.push({ file, reason: `${unheld.map((field) => `'${field}'`).join(', ')}: not held by the repository format` });
    notes.push(...leftOut.map((reason) => ({ file, reason })));
  };
  for (const resource of service.resources) checkFields(resource.ref.kind, resource.properties, service.sourceOfResource.get(resource) ?? '');
  for (const additions of service.additions.values()) for (const revision of additions.revisions) checkFields('api', revision.information, revision.source);
  const templatedFields = new Map<string, TemplatedField>();
  for (const environment of environments) unconvertible.push(...environmentDifferences(environment, layout.files, service, templatedFields));
  if (unconvertible.length) throw new ImportRefused(unconvertible);

  const files = new Map(layout.files);
  const templated = [...templatedFields.values()];
  for (const [apiId, additions] of service.additions) {
    for (const [file, text] of apiAdditionFiles(apiId, additions, layout.files.get(repoPathOf({ kind: 'api', ids: [apiId] })!), LAYOUT_CONTEXT)) files.set(file, text);
  }
  for (const [apiId, specification] of service.specifications) {
    const apiFile = repoPathOf({ kind: 'api', ids: [apiId] })!;
    files.set(path.posix.join(path.posix.dirname(apiFile), specification.fileName), specification.text.replace(/\r\n/g, '\n'));
  }
  withTemplates(files, templated);
  files.set('apiops.config.yaml', configText(environments, templated));
  for (const [file, text] of schemaFiles()) files.set(file, text);

  const present = [...files.keys()].filter((file) => fs.existsSync(path.join(options.outDir, file))).sort();
  if (present.length) throw new UserError(`${options.outDir} already has ${present.slice(0, 5).join(', ')}${present.length > 5 ? ` and ${present.length - 5} more` : ''}: import writes a new repository and replaces nothing; nothing was written`);
  const outcome = writeRepository(options.outDir, files, []);
  return { written: outcome.written, notes, environments: [LOCAL_ENVIRONMENT, ...environments.map((environment) => environment.name)], imported: count(service) };
}
