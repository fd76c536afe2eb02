import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../diagnostics';
import { fillWithFileNames, resourceType } from '../resources/types';
import type { DesiredResource, DesiredState } from './desired';

/** Written instead of a secret named value's value: secrets never reach disk. */
export const SECRET_PLACEHOLDER = '<secret: not written by apiops render>';
/** Marks a directory as apiops render output, which a later render may replace. */
const MARKER_FILE = '.apiops-render';

/**
 * The file (relative to the output directory) a resource is written to: its ARM path, `.xml` for policies, each id
 * named as the repository names it (a 256-character id, or one starting with a dot, is a file name like any other).
 */
export function renderedFileOf(resource: DesiredResource): string {
  const type = resourceType(resource.ref.kind);
  const ids = Object.fromEntries(type.keys.map((key, index) => [key, resource.ref.ids[index]]));
  return fillWithFileNames(`${type.armPath}${type.policy ? '.xml' : '.json'}`, ids);
}

/** A resource's file content: the rawxml policy text, or the `{ properties }` JSON body with secrets masked. */
export function renderedContentOf(resource: DesiredResource): string {
  if (resourceType(resource.ref.kind).policy) return String(resource.properties.value);
  const properties = { ...resource.properties };
  if (properties.secret === true && 'value' in properties) properties.value = SECRET_PLACEHOLDER;
  for (const field of resourceType(resource.ref.kind).secretFields ?? []) if (field in properties) properties[field] = SECRET_PLACEHOLDER;
  return `${JSON.stringify({ properties }, null, 2)}\n`;
}

/**
 * Writes the desired state as a tree mirroring the ARM paths publish writes to. Refuses to write into a non-empty
 * directory it did not create (so a mistyped --out cannot wipe someone's files); replaces its own earlier output.
 * A file system failure (--out names a file, a read-only place…) is the user's to fix: a UserError naming the path.
 */
export function writeDesiredState(desired: DesiredState, outDir: string): string[] {
  try {
    return writeTree(desired, outDir);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot write ${outDir}: ${(error as Error).message}`);
  }
}

function writeTree(desired: DesiredState, outDir: string): string[] {
  if (fs.existsSync(outDir)) {
    const entries = fs.readdirSync(outDir);
    if (entries.length && !entries.includes(MARKER_FILE)) {
      throw new UserError(`${outDir} is not empty and was not written by apiops render; choose an empty or new directory`);
    }
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, MARKER_FILE), `apiops render output for environment '${desired.environment}'\n`);
  const written: string[] = [];
  for (const resource of desired.resources) {
    const file = renderedFileOf(resource);
    fs.mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
    fs.writeFileSync(path.join(outDir, file), renderedContentOf(resource));
    written.push(file);
  }
  return written;
}
