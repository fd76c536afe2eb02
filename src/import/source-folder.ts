import * as fs from 'fs';
import * as path from 'path';
import { readTextFile } from '../repo/files';
import { parseYaml } from '../repo/yaml';

/**
 * The folder being imported: every file in it is read at most once and marked as converted, so that whatever no
 * converter consumed is named as unconvertible rather than dropped. Paths are folder-relative and `/`-separated.
 */

/** Something in the source that the repository format cannot hold (yet): named with its file, and, when known, where. */
export interface Unconvertible {
  file: string;
  line?: number;
  column?: number;
  reason: string;
}

export type Properties = Record<string, unknown>;

export class SourceFolder {
  private readonly unread = new Set<string>();
  readonly unconvertible: Unconvertible[] = [];

  constructor(readonly root: string) {
    for (const file of walk(root, '')) this.unread.add(file);
  }

  /** Names of the sub-folders of `dir` (sorted; hidden ones skipped). */
  folders(dir: string): string[] {
    return entries(path.join(this.root, dir)).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  }

  /** Files directly in `dir` whose names match. */
  files(dir: string, name: RegExp): string[] {
    return entries(path.join(this.root, dir))
      .filter((entry) => entry.isFile() && name.test(entry.name))
      .map((entry) => join(dir, entry.name));
  }

  exists(file: string): boolean {
    return this.unread.has(file) || fs.existsSync(path.join(this.root, file));
  }

  /** The file's text (marking it converted), or undefined when absent or unreadable (which is recorded). */
  text(file: string): string | undefined {
    if (!fs.existsSync(path.join(this.root, file))) return undefined;
    this.unread.delete(file);
    const read = readTextFile(this.root, file);
    if (read.finding) {
      this.problem(file, read.finding.message, read.finding);
      return undefined;
    }
    return read.text;
  }

  /** A JSON file's data; a syntax error is recorded with its line and column. */
  json(file: string): unknown {
    const text = this.text(file);
    if (text === undefined) return undefined;
    const parsed = parseYaml<unknown>(file, text);
    for (const finding of parsed.findings) this.problem(file, finding.message, finding);
    return parsed.document?.data;
  }

  /** An information file's `properties` (`{}` for an empty link file such as `productApiInformation.json`). */
  properties(file: string): Properties | undefined {
    const data = this.json(file);
    if (data === undefined) return undefined;
    if (!isObject(data)) {
      this.problem(file, 'expected a JSON object');
      return undefined;
    }
    if (data.properties === undefined) return {};
    if (!isObject(data.properties)) {
      this.problem(file, "'properties' is not an object");
      return undefined;
    }
    return data.properties;
  }

  problem(file: string, reason: string, at?: { line: number; column: number }): void {
    this.unconvertible.push({ file, reason, ...(at ? { line: at.line, column: at.column } : {}) });
  }

  /** A folder (or file) that cannot be converted as a whole: named once, and what it holds is marked read. */
  refuse(dir: string, reason: string): void {
    for (const file of this.remaining(dir)) this.unread.delete(file);
    this.unread.delete(dir);
    const isFolder = fs.statSync(path.join(this.root, dir), { throwIfNoEntry: false })?.isDirectory() ?? false;
    this.problem(isFolder ? `${dir}/` : dir, reason);
  }

  /** Files under `dir` ('' for all) that nothing has read. */
  remaining(dir = ''): string[] {
    const prefix = dir ? `${dir}/` : '';
    return [...this.unread].filter((file) => file.startsWith(prefix)).sort();
  }
}

export function isObject(value: unknown): value is Properties {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function join(...segments: string[]): string {
  return segments.filter(Boolean).join('/');
}

function entries(dir: string): fs.Dirent[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => !entry.name.startsWith('.'))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

function walk(root: string, dir: string): string[] {
  return entries(path.join(root, dir)).flatMap((entry) => {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) return walk(root, file);
    return entry.isFile() ? [file] : [];
  });
}
