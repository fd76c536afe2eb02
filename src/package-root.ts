import * as fs from 'node:fs';
import * as path from 'node:path';

/** The installed package's root: the nearest directory above this module with a package.json (src/ and dist/ alike). */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('apiops: package.json not found above its modules');
  }
}

export interface PackageInfo {
  version: string;
  /** Where the project's sources are browsable (package.json `repository`, else `homepage`), without `git+`/`.git`. */
  repositoryUrl?: string;
}

export function packageInfo(): PackageInfo {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'));
  const repository = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const url = (repository ?? pkg.homepage) as string | undefined;
  return { version: pkg.version, repositoryUrl: url?.replace(/^git\+/, '').replace(/\.git$/, '') };
}
