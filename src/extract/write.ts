import * as fs from 'fs';
import * as path from 'path';

/** Writing the extracted repository: only files whose bytes change are written; removed files take empty folders with them. */

export interface WriteOutcome {
  written: string[];
  unchanged: string[];
  removed: string[];
}

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

/** Resource ids come from the instance: one that would lead out of the repository (`..`) is refused. */
function inside(root: string, file: string): string {
  const absolute = path.resolve(root, file);
  if (!absolute.startsWith(path.resolve(root) + path.sep)) throw new Error(`refusing to write outside the repository: ${file}`);
  return absolute;
}

/** `files`: repository-relative path → text (LF line endings); `remove`: paths to delete. */
export function writeRepository(root: string, files: Map<string, string>, remove: string[]): WriteOutcome {
  const outcome: WriteOutcome = { written: [], unchanged: [], removed: [] };
  const targets = [...files.keys()].sort().map((file) => [file, inside(root, file)] as const);
  const removals = [...remove].sort().map((file) => [file, inside(root, file)] as const);
  for (const [file, absolute] of targets) {
    const text = files.get(file) as string;
    let current: string | undefined;
    try {
      current = fs.readFileSync(absolute, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) {
      outcome.unchanged.push(file);
      continue;
    }
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    fs.writeFileSync(absolute, text);
    outcome.written.push(file);
  }
  for (const [file, absolute] of removals) {
    fs.rmSync(absolute, { force: true });
    removeEmptyParents(root, file);
    outcome.removed.push(file);
  }
  return outcome;
}
