import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageInfo, packageRoot } from '../package-root';

export const CI_SYSTEMS = ['github', 'azure-pipelines'] as const;
export type CiSystem = (typeof CI_SYSTEMS)[number];

/** One file `apiops init` writes: its path relative to the new repository, with forward slashes. */
export interface ScaffoldFile {
  path: string;
  content: string;
}

/** Where the files that `init` copies live: templates/init/<set>/ in the package (base, and one set per CI system). */
function templateDir(set: 'base' | CiSystem): string {
  return path.join(packageRoot(), 'templates', 'init', set);
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(path.join(dir, entry.name), relative) : [relative];
    });
}

/**
 * A template's path in the repository it scaffolds: a leading `_` names a dot file or folder (`_gitignore`,
 * `_github/`), since npm leaves `.gitignore` files out of a package and treats dot folders as its own.
 */
function targetPath(templatePath: string): string {
  return templatePath
    .split('/')
    .map((segment) => segment.replace(/^_/, '.'))
    .join('/');
}

/**
 * The schemas folder that the files' `$schema` comments point to: the installed package's own when it lies inside the
 * new repository (node_modules/apiops/schemas), else where `npm install --save-dev apiops` will put it.
 */
function schemasDir(repository: string): string {
  const ownSchemas = path.join(packageRoot(), 'schemas');
  const relative = path.relative(repository, ownSchemas);
  const inside = !relative.startsWith('..') && !path.isAbsolute(relative);
  return inside ? ownSchemas : path.join(repository, 'node_modules', 'apiops', 'schemas');
}

function schemaReference(repository: string, file: string): string {
  const relative = path.relative(path.dirname(path.join(repository, file)), schemasDir(repository)).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/** A package.json for a repository that has none, so `npm ci` in the pipelines installs this version of apiops. */
function packageJson(repository: string): string {
  const name = path.basename(repository).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'apim';
  const manifest = {
    name,
    private: true,
    description: 'Azure API Management as code (apiops)',
    scripts: { validate: 'apiops validate', test: 'apiops test' },
    devDependencies: { apiops: `^${packageInfo().version}` },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** What `apiops init` writes into `repository`: the sample repository, the pipeline files of `ci`, and a package.json if it has none. */
export function scaffold(repository: string, ci: CiSystem | undefined): ScaffoldFile[] {
  const sets: ('base' | CiSystem)[] = ci ? ['base', ci] : ['base'];
  const files = sets.flatMap((set) =>
    listFiles(templateDir(set)).map((templatePath) => {
      const file = targetPath(templatePath);
      const template = fs.readFileSync(path.join(templateDir(set), templatePath), 'utf8');
      return { path: file, content: template.replace(/@SCHEMAS@/g, schemaReference(repository, file)) };
    }),
  );
  if (!fs.existsSync(path.join(repository, 'package.json'))) files.push({ path: 'package.json', content: packageJson(repository) });
  return files;
}
