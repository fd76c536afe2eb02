import * as fs from 'fs';
import * as path from 'path';
import type { EnvironmentConfig } from '../repo/model';
import { SCHEMAS_DIR } from '../repo/schemas';
import type { ExistingRepository } from './existing';
import { YAML_OUTPUT, schemaHeader } from './yaml-files';
import { Document } from 'yaml';

/**
 * What makes an empty output directory a repository of its own: the JSON Schemas editors use (the YAML files'
 * headers point at them) and an apiops.config.yaml with the environment extracted from, so validate and diff
 * run there as they do in the source repository. Files that already exist are left alone.
 */

export interface ScaffoldSource {
  environment: EnvironmentConfig;
  /** Root of the repository whose config named the environment (an emulator target's directory is relative to it). */
  repoRoot: string;
}

function configText(source: ScaffoldSource, outDir: string): string {
  const { environment } = source;
  const target =
    'emulator' in environment.target
      ? { emulator: path.relative(outDir, path.resolve(source.repoRoot, environment.target.emulator)).split(path.sep).join('/') || '.' }
      : environment.target;
  const entry: Record<string, unknown> = { target };
  if (Object.keys(environment.values).length) entry.values = environment.values;
  const document = new Document({ environments: { [environment.name]: entry } }, { aliasDuplicateObjects: false });
  return schemaHeader('apiops.config.yaml', 'apiops-config.schema.json') + document.toString(YAML_OUTPUT);
}

export function scaffoldFiles(existing: ExistingRepository, source: ScaffoldSource): Map<string, string> {
  const files = new Map<string, string>();
  if (existing.read('apiops.config.yaml') === undefined) files.set('apiops.config.yaml', configText(source, existing.root));
  for (const [file, text] of schemaFiles()) if (existing.read(file) === undefined) files.set(file, text);
  return files;
}

/** The JSON Schemas a repository's YAML headers point at (`schemas/*.schema.json`), by repository path. */
export function schemaFiles(): Map<string, string> {
  const names = fs.readdirSync(SCHEMAS_DIR).filter((entry) => entry.endsWith('.schema.json')).sort();
  return new Map(names.map((name) => [`schemas/${name}`, fs.readFileSync(path.join(SCHEMAS_DIR, name), 'utf8')]));
}
