import * as fs from 'fs';
import * as path from 'path';
import { Document } from 'yaml';
import { UserError } from '../diagnostics';
import { ExistingRepository } from '../extract/existing';
import { layoutRepository, LiveIndex } from '../extract/layout';
import { schemaFiles } from '../extract/scaffold';
import { writeRepository } from '../extract/write';
import { schemaHeader, YAML_OUTPUT } from '../extract/yaml-files';
import { repoPathOf, type ResourceKind } from '../resources/types';
import { apiAdditionFiles } from './api-files';
import { unheldFields } from './fields';
import { readArtifacts, type ImportedService, type SourceTool } from './artifacts';
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

function configText(): string {
  const config = { environments: { [LOCAL_ENVIRONMENT]: { target: { emulator: LOCAL_EMULATOR } } } };
  return schemaHeader('apiops.config.yaml', 'apiops-config.schema.json') + new Document(config).toString(YAML_OUTPUT);
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
  if (unconvertible.length) throw new ImportRefused(unconvertible);

  const files = new Map(layout.files);
  for (const [apiId, additions] of service.additions) {
    for (const [file, text] of apiAdditionFiles(apiId, additions, layout.files.get(repoPathOf({ kind: 'api', ids: [apiId] })!), LAYOUT_CONTEXT)) files.set(file, text);
  }
  for (const [apiId, specification] of service.specifications) {
    const apiFile = repoPathOf({ kind: 'api', ids: [apiId] })!;
    files.set(path.posix.join(path.posix.dirname(apiFile), specification.fileName), specification.text.replace(/\r\n/g, '\n'));
  }
  files.set('apiops.config.yaml', configText());
  for (const [file, text] of schemaFiles()) files.set(file, text);

  const present = [...files.keys()].filter((file) => fs.existsSync(path.join(options.outDir, file))).sort();
  if (present.length) throw new UserError(`${options.outDir} already has ${present.slice(0, 5).join(', ')}${present.length > 5 ? ` and ${present.length - 5} more` : ''}: import writes a new repository and replaces nothing; nothing was written`);
  const outcome = writeRepository(options.outDir, files, []);
  return { written: outcome.written, notes, environments: [LOCAL_ENVIRONMENT], imported: count(service) };
}
