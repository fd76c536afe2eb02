import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../diagnostics';

/**
 * Writing the extracted repository: only files whose bytes change are written; removed files take empty folders with
 * them. All or nothing: every new text is first written into a staging folder inside the repository (so moving it
 * into place is a rename on one file system), then each file is moved into place, the one it replaces kept aside;
 * when any step fails, what was moved is moved back, so the repository is as it was. Nothing is written through a
 * symbolic link: a link on the way to a file extract writes is refused before anything is written.
 */

export interface WriteOutcome {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/** Hidden (the loader skips names starting with a dot); left behind only if the process is killed while moving files. */
const STAGING_PREFIX = '.apiops-extract-';

function removeEmptyParents(root: string, file: string): void {
  for (let dir = path.posix.dirname(file); dir !== '.' && dir !== ''; dir = path.posix.dirname(dir)) {
    const absolute = path.join(root, dir);
    try {
      if (fs.readdirSync(absolute).length) return;
      fs.rmdirSync(absolute);
    } catch {
      return;
    }
  }
}

/** Undefined when nothing is there (a file on the way, ENOTDIR, is reported by refusal()). */
function lstat(absolute: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(absolute, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * Why `file` (repository-relative, `/`-separated) may not be written (`replace`) or removed, or undefined: it must stay
 * inside the repository, no folder on its way may be a symbolic link, and what it replaces must be a regular file.
 */
function refusal(root: string, file: string, replace: boolean): string | undefined {
  const segments = file.split('/');
  if (path.posix.isAbsolute(file) || segments.some((segment) => segment === '' || segment === '.' || segment === '..' || segment.includes('\\'))) {
    return `refusing to write outside the repository: ${file}`;
  }
  for (let depth = 1; depth <= segments.length; depth++) {
    const partial = segments.slice(0, depth).join('/');
    const stat = lstat(path.join(root, partial));
    if (!stat) return undefined;
    const last = depth === segments.length;
    if (stat.isSymbolicLink() && (!last || replace)) return `refusing to write ${file}: ${partial} is a symbolic link (extract never writes through one; remove it or extract into another folder)`;
    if (!last && !stat.isDirectory() && !stat.isSymbolicLink()) return `refusing to write ${file}: ${partial} is not a folder`;
    if (last && !stat.isFile() && !stat.isSymbolicLink()) return `refusing to write ${file}: it exists and is not a regular file`;
  }
  return undefined;
}

/** Two paths one file on a case-insensitive file system (Windows, macOS by default). */
function caseCollisions(files: string[]): string[] {
  const seen = new Map<string, string>();
  const collisions: string[] = [];
  for (const file of files) {
    const folded = file.normalize('NFC').toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined) collisions.push(`refusing to write both ${other} and ${file}: one file where letter case is ignored`);
    else seen.set(folded, file);
  }
  return collisions;
}

/** One step of moving files into place, and how to undo it. */
type Undo = () => void;

/** The folders missing on the way to `absolute`'s folder, created; each one's removal pushed onto `undo`. */
function makeParents(root: string, absolute: string, undo: Undo[]): void {
  const missing: string[] = [];
  for (let dir = path.dirname(absolute); dir.length > root.length && !lstat(dir); dir = path.dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    fs.mkdirSync(dir);
    undo.push(() => fs.rmdirSync(dir));
  }
}

/** `files`: repository-relative path → text (LF line endings); `remove`: paths to delete. */
export function writeRepository(root: string, files: Map<string, string>, remove: string[]): WriteOutcome {
  const base = path.resolve(root);
  const rootStat = lstat(base);
  if (rootStat && !fs.statSync(base).isDirectory()) throw new UserError(`cannot write into ${base}: it is not a folder`);
  const targets = [...files.keys()].sort();
  const removals = [...remove].sort();
  const refusals = [
    ...targets.map((file) => refusal(base, file, true)),
    ...removals.map((file) => refusal(base, file, false)),
    ...caseCollisions(targets),
  ].filter((reason): reason is string => reason !== undefined);
  if (refusals.length) throw new UserError(`${refusals.join('\n')}\nnothing was written`);

  const outcome: WriteOutcome = { written: [], unchanged: [], removed: [] };
  for (const file of targets) {
    const absolute = path.join(base, file);
    const current = lstat(absolute)?.isFile() ? fs.readFileSync(absolute, 'utf8') : undefined;
    (current === files.get(file) ? outcome.unchanged : outcome.written).push(file);
  }
  const removed = removals.filter((file) => lstat(path.join(base, file)));
  if (!outcome.written.length && !removed.length) return outcome;

  const undo: Undo[] = [];
  let staging: string | undefined;
  let step = '';
  try {
    step = base;
    // The repository folder itself too, when it is new.
    makeParents(path.parse(base).root, path.join(base, STAGING_PREFIX), undo);
    staging = fs.mkdtempSync(path.join(base, STAGING_PREFIX));
    const stagingFolder = staging;
    // Undone after the files kept aside in it are back, before the folders it is in are removed.
    undo.push(() => fs.rmSync(stagingFolder, { recursive: true, force: true }));
    const staged = outcome.written.map((file, index) => {
      step = file;
      const stagedFile = path.join(staging!, `new-${index}`);
      fs.writeFileSync(stagedFile, files.get(file)!);
      return stagedFile;
    });
    const setAside = (absolute: string, index: number): void => {
      if (!lstat(absolute)) return;
      const kept = path.join(staging!, `old-${index}`);
      fs.renameSync(absolute, kept);
      undo.push(() => fs.renameSync(kept, absolute));
    };
    outcome.written.forEach((file, index) => {
      step = file;
      const absolute = path.join(base, file);
      makeParents(base, absolute, undo);
      setAside(absolute, index);
      fs.renameSync(staged[index], absolute);
      undo.push(() => fs.rmSync(absolute, { force: true }));
    });
    removed.forEach((file, index) => {
      step = file;
      setAside(path.join(base, file), outcome.written.length + index);
    });
  } catch (error) {
    for (const action of undo.reverse()) {
      try {
        action();
      } catch {
        // Keep undoing the rest: each step's undo is independent of the others'.
      }
    }
    throw new UserError(`cannot write ${step}: ${(error as Error).message}; nothing was changed`);
  }
  fs.rmSync(staging!, { recursive: true, force: true });
  for (const file of removed) removeEmptyParents(base, file);
  outcome.removed.push(...removed);
  return outcome;
}
