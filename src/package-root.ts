import * as fs from 'node:fs';
import * as path from 'node:path';

/** The installed package's root: the nearest directory above this module with a package.json (src/ and dist/ alike). */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('apiops: package.json not found above its modules');
  }
}
