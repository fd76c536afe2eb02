import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');

/** What `apiops test` needs of the sample: its repository folders and its tests, copied into a temp folder. */
const SAMPLE_ENTRIES = ['apiops.config.yaml', 'apis', 'api-version-sets', 'products', 'policies', 'named-values', 'backends', 'subscriptions', 'groups', 'loggers', 'diagnostics', 'tests'];

export function copySample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-sample-'));
  for (const entry of SAMPLE_ENTRIES) {
    const from = path.join(ROOT, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, entry), { recursive: true });
  }
  return dir;
}

/** Replaces `from` (which must be there) with `to` in a file of `root`. */
export function edit(root: string, file: string, from: string | RegExp, to: string): void {
  const target = path.join(root, file);
  const text = fs.readFileSync(target, 'utf8');
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`${file} does not contain ${from}`);
  fs.writeFileSync(target, changed);
}
