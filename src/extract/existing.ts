import * as fs from 'fs';
import * as path from 'path';
import { listDir } from '../repo/files';
import { DEFAULT_SPEC_FILES } from '../repo/loader';
import type { ApiSpecification } from '../repo/model';
import { loadSpecificationFile } from '../repo/specifications';
import { parseYaml } from '../repo/yaml';
import { repoPathOf, revisionOf } from '../resources/types';

/**
 * The repository extract writes into, as it is on disk before extracting: files are read once, lazily, and
 * only those extract would write or remove are ever looked at (unrelated files are never touched).
 */
export class ExistingRepository {
  private readonly texts = new Map<string, string | undefined>();
  private readonly mappings = new Map<string, Record<string, unknown> | undefined>();
  private readonly listings = new Map<string, string[]>();
  private readonly specifications = new Map<string, ApiSpecification | undefined>();

  constructor(readonly root: string) {}

  /** The file's text, or undefined when it does not exist (or is not a readable text file). */
  read(file: string): string | undefined {
    if (!this.texts.has(file)) {
      let text: string | undefined;
      try {
        text = fs.readFileSync(path.join(this.root, file), 'utf8');
      } catch {
        text = undefined;
      }
      this.texts.set(file, text);
    }
    return this.texts.get(file);
  }

  list(dir: string, want: 'file' | 'directory'): string[] {
    const listing = `${want}:${dir}`;
    if (!this.listings.has(listing)) this.listings.set(listing, listDir(path.join(this.root, dir), want));
    return this.listings.get(listing)!;
  }

  /** An existing YAML (or JSON) mapping file's data, read the way the repository loader reads it (merge keys honoured). */
  private mapping(file: string): Record<string, unknown> | undefined {
    if (!this.mappings.has(file)) {
      const text = this.read(file);
      const data: unknown = text === undefined ? undefined : parseYaml<unknown>(file, text).document?.data;
      this.mappings.set(file, data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined);
    }
    return this.mappings.get(file);
  }

  /** A top-level field of an existing YAML mapping file. */
  yamlField(file: string, field: string): unknown {
    return this.mapping(file)?.[field];
  }

  /**
   * The API's existing specification as the repository loader derives it; undefined when it has none or the file is
   * not a specification. Loaded once: both the repository's spelling and the check whether it still matches the
   * instance need it.
   */
  specification(apiId: string): ApiSpecification | undefined {
    return this.specificationIn(apiFolderOf(apiId));
  }

  private specificationIn(folder: string): ApiSpecification | undefined {
    if (!this.specifications.has(folder)) {
      const file = this.specificationFileIn(folder);
      const text = file === undefined ? undefined : this.read(file);
      const api = this.apiDefinitionIn(folder);
      const options = { type: api.type as never, wsdlService: api.wsdlService as string | undefined, wsdlEndpoint: api.wsdlEndpoint as string | undefined };
      this.specifications.set(folder, text === undefined ? undefined : loadSpecificationFile(file!, text, options).specification);
    }
    return this.specifications.get(folder);
  }

  /** The operationIds of the specification in an API folder (`apis/<name>`), as written there. */
  operationIdsIn(folder: string): string[] {
    return this.specificationIn(folder)?.operations.map((operation) => operation.id) ?? [];
  }

  /** The API's specification file (relative to the root) as the repository names it; undefined when it has none. */
  specificationFile(apiId: string): string | undefined {
    return this.specificationFileIn(apiFolderOf(apiId));
  }

  /** The definition of the API whose folder (or revision folder) this is: api.yaml's fields. */
  private apiDefinitionIn(folder: string): Record<string, unknown> {
    const apiFolder = folder.replace(/\/revisions\/[^/]+$/, '');
    return this.mapping(`${apiFolder}/api.yaml`) ?? {};
  }

  /** A name leading out of the API's folder is ignored: extract never writes outside the repository it was given. */
  private specificationFileIn(folder: string): string | undefined {
    const named = this.yamlField(`${folder}/${/\/revisions\/[^/]+$/.test(folder) ? 'revision.yaml' : 'api.yaml'}`, 'specification');
    const joined = typeof named === 'string' && named ? path.posix.join(folder, named) : undefined;
    if (joined?.startsWith(`${folder}/`)) return joined;
    const found = DEFAULT_SPEC_FILES.find((name) => this.read(`${folder}/${name}`) !== undefined);
    return found && `${folder}/${found}`;
  }

  /** The files of the API that extract manages. */
  apiFiles(apiId: string): string[] {
    return this.apiFilesIn(apiFolderOf(apiId));
  }

  private apiFilesIn(folder: string): string[] {
    const files = [`${folder}/api.yaml`, `${folder}/revision.yaml`, `${folder}/policy.xml`];
    const specification = this.specificationFileIn(folder);
    if (specification) files.push(specification);
    const inDir = (dir: string, ...extensions: string[]) =>
      this.list(`${folder}/${dir}`, 'file').filter((name) => extensions.some((extension) => name.endsWith(extension))).map((name) => `${folder}/${dir}/${name}`);
    files.push(...inDir('operations', '.xml'), ...inDir('diagnostics', '.yaml'), ...inDir('api-schemas', '.yaml'), ...inDir('resolvers', '.yaml', '.xml'));
    files.push(...this.list(`${folder}/revisions`, 'directory').flatMap((revision) => this.apiFilesIn(`${folder}/revisions/${revision}`)));
    return files.filter((file) => this.read(file) !== undefined);
  }

  productFiles(productId: string): string[] {
    return this.productFilesIn(path.posix.dirname(repoPathOf({ kind: 'product', ids: [productId] })!));
  }

  private productFilesIn(folder: string): string[] {
    return [`${folder}/product.yaml`, `${folder}/policy.xml`].filter((file) => this.read(file) !== undefined);
  }

  /** Every file extract manages in the whole repository (for a full extraction's removal of what the instance lost). */
  allManagedFiles(): string[] {
    const inDir = (dir: string, extension: string): string[] =>
      this.list(dir, 'file')
        .filter((name) => name.endsWith(extension))
        .map((name) => `${dir}/${name}`);
    return [
      ...this.list('apis', 'directory').flatMap((name) => this.apiFilesIn(`apis/${name}`)),
      ...this.list('products', 'directory').flatMap((name) => this.productFilesIn(`products/${name}`)),
      ...inDir('named-values', '.yaml'),
      ...inDir('backends', '.yaml'),
      ...['api-version-sets', 'groups', 'subscriptions', 'loggers', 'diagnostics'].flatMap((dir) => inDir(dir, '.yaml')),
      ...inDir('policies/fragments', '.xml'),
      ...['policies/global.xml'].filter((file) => this.read(file) !== undefined),
    ];
  }
}

/** The folder an API's files are kept in (`apis/<its name>`; a revision's: `apis/<its API's name>/revisions/<n>`). */
export function apiFolderOf(apiId: string): string {
  return path.posix.dirname(repoPathOf({ kind: 'api', ids: [apiId] })!);
}

/** Whether an API id names a non-current revision. */
export function isRevisionId(apiId: string): boolean {
  return revisionOf(apiId) !== undefined;
}
