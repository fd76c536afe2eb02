import * as fs from 'fs';
import * as path from 'path';
import { listDir } from '../repo/files';
import { DEFAULT_SPEC_FILES } from '../repo/loader';
import type { ApiSpecification } from '../repo/model';
import { loadSpecification } from '../repo/openapi';
import { parseYaml } from '../repo/yaml';

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
    if (!this.specifications.has(apiId)) {
      const file = this.specificationFile(apiId);
      const text = file === undefined ? undefined : this.read(file);
      this.specifications.set(apiId, text === undefined ? undefined : loadSpecification(file!, text).specification);
    }
    return this.specifications.get(apiId);
  }

  /** The operationIds of the API's existing specification, as written there. */
  operationIds(apiId: string): string[] {
    return this.specification(apiId)?.operations.map((operation) => operation.id) ?? [];
  }

  /**
   * The API's specification file (relative to the root) as the repository names it; undefined when it has none.
   * A name leading out of the API's folder is ignored: extract never writes outside the repository it was given.
   */
  specificationFile(apiId: string): string | undefined {
    const named = this.yamlField(`apis/${apiId}/api.yaml`, 'specification');
    const joined = typeof named === 'string' && named ? path.posix.join('apis', apiId, named) : undefined;
    if (joined?.startsWith(`apis/${apiId}/`)) return joined;
    const found = DEFAULT_SPEC_FILES.find((name) => this.read(`apis/${apiId}/${name}`) !== undefined);
    return found && `apis/${apiId}/${found}`;
  }

  /** The files of an API folder that extract manages. */
  apiFiles(apiId: string): string[] {
    const dir = `apis/${apiId}`;
    const files = [`${dir}/api.yaml`, `${dir}/policy.xml`];
    const specification = this.specificationFile(apiId);
    if (specification) files.push(specification);
    files.push(...this.list(`${dir}/operations`, 'file').filter((name) => name.endsWith('.xml')).map((name) => `${dir}/operations/${name}`));
    files.push(...this.list(`${dir}/diagnostics`, 'file').filter((name) => name.endsWith('.yaml')).map((name) => `${dir}/diagnostics/${name}`));
    return files.filter((file) => this.read(file) !== undefined);
  }

  productFiles(productId: string): string[] {
    return [`products/${productId}/product.yaml`, `products/${productId}/policy.xml`].filter((file) => this.read(file) !== undefined);
  }

  /** Every file extract manages in the whole repository (for a full extraction's removal of what the instance lost). */
  allManagedFiles(): string[] {
    const inDir = (dir: string, extension: string): string[] =>
      this.list(dir, 'file')
        .filter((name) => name.endsWith(extension))
        .map((name) => `${dir}/${name}`);
    return [
      ...this.list('apis', 'directory').flatMap((id) => this.apiFiles(id)),
      ...this.list('products', 'directory').flatMap((id) => this.productFiles(id)),
      ...inDir('named-values', '.yaml'),
      ...inDir('backends', '.yaml'),
      ...['api-version-sets', 'groups', 'subscriptions', 'loggers', 'diagnostics'].flatMap((dir) => inDir(dir, '.yaml')),
      ...inDir('policies/fragments', '.xml'),
      ...['policies/global.xml'].filter((file) => this.read(file) !== undefined),
    ];
  }
}
