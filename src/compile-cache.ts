import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import Module = require('node:module');

/**
 * V8's code cache for the CLI's modules, kept between runs: compiling apiops and its libraries (yaml, yargs, the
 * schema validators) is a third of a short command's time, and a cached module skips it, together with the lazy
 * compilation of the functions the previous run called. Node 22.1+ does this itself (module.enableCompileCache); on
 * older Node, `enable` installs the same on the CommonJS loader. Both honour Node's variables: NODE_COMPILE_CACHE
 * (the folder) and NODE_DISABLE_COMPILE_CACHE (off).
 *
 * A cache entry is named after the module's path and content (and the Node version), so an edited or upgraded module
 * is compiled afresh; V8 itself refuses data made by another V8 or with other flags. The folder must be a real folder
 * owned by the user and writable by nobody else: cached code runs as the user's own, so a folder another user can
 * write into is not used.
 *
 * The folder stays bounded: a run that compiled a module afresh removes that module's entries for its earlier
 * contents, and when the folder (every Node version's entries) holds more than MAX_CACHE_BYTES, the oldest entries go
 * until it holds three quarters of that (installs in folders since deleted, other Node versions). Only runs that wrote
 * something look, so a run served from the cache does no extra work.
 */
interface CompileCacheModule {
  enableCompileCache?: (dir?: string) => unknown;
  prototype: { _compile(content: string, filename: string): unknown };
  wrap(script: string): string;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _cache: Record<string, unknown>;
  _extensions: Record<string, unknown>;
}

interface LoadingModule {
  exports: unknown;
  require(id: string): unknown;
}

const NodeModule = Module as unknown as CompileCacheModule;

/** What the cache may hold: a few times what one install's commands compile to (about 8 MB). */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;

export function defaultCacheDir(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
  return path.join(os.tmpdir(), `apiops-compile-cache-${user}`);
}

/** Creates `dir` (private) if missing; whether it is a folder only this user can write into. */
export function isPrivateFolder(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory()) return false;
    if (process.platform === 'win32') return true;
    return stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Turns the cache on for every CommonJS module loaded from now on; nothing happens when it is off or unusable. */
export function enable(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_DISABLE_COMPILE_CACHE) return;
  const dir = env.NODE_COMPILE_CACHE || defaultCacheDir();
  if (!isPrivateFolder(dir)) return;
  if (typeof NodeModule.enableCompileCache === 'function') {
    NodeModule.enableCompileCache(dir);
    return;
  }
  installOnLoader(dir);
}

function installOnLoader(dir: string): void {
  const versionDir = path.join(dir, `${process.version}-${process.arch}`);
  try {
    fs.mkdirSync(versionDir, { recursive: true, mode: 0o700 });
  } catch {
    return;
  }
  const toWrite: { file: string; script: vm.Script }[] = [];
  const compile = NodeModule.prototype._compile;
  NodeModule.prototype._compile = function compileCached(this: LoadingModule, content: string, filename: string): unknown {
    // A dynamic import() needs Node's own compilation (a vm.Script cannot resolve it as the module would).
    if (content.includes('import(')) return compile.call(this, content, filename);
    const file = path.join(versionDir, entryName(filename, content));
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    // The shebang line of an executable script is not JavaScript; Node's loader strips it the same way.
    const script = new vm.Script(NodeModule.wrap(content.replace(/^#!.*/, '')), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) toWrite.push({ file, script });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };
  // At exit the cache holds, besides each module's top level, every function this run compiled.
  process.once('exit', () => {
    if (!toWrite.length) return;
    for (const { file, script } of toWrite) writeAtomically(file, script.createCachedData());
    pruneCompileCache(dir, new Set(toWrite.map(({ file }) => path.basename(file))));
  });
}

const hash = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 32);

/** `<hash of the module's path>-<hash of its content>`: the entries of one module share the part before the dash. */
function entryName(filename: string, content: string): string {
  return `${hash(filename)}-${hash(content)}`;
}

/**
 * Removes from the cache folder `dir` the entries of the modules in `written` (entry names) for other contents than
 * the written ones, then the oldest entries while the folder holds more than `maxBytes`, down to three quarters of it.
 */
export function pruneCompileCache(dir: string, written: ReadonlySet<string>, maxBytes = MAX_CACHE_BYTES): void {
  const rewritten = new Set([...written].map((name) => name.split('-')[0]));
  const entries: { file: string; size: number; mtimeMs: number }[] = [];
  for (const version of readdirOrEmpty(dir)) {
    const versionDir = path.join(dir, version);
    for (const name of readdirOrEmpty(versionDir)) {
      const file = path.join(versionDir, name);
      if (rewritten.has(name.split('-')[0]) && !written.has(name)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (stat?.isFile()) entries.push({ file, size: stat.size, mtimeMs: stat.mtimeMs });
    }
  }
  let total = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (total <= maxBytes) return;
  for (const entry of entries.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
    if (total <= (maxBytes * 3) / 4) break;
    fs.rmSync(entry.file, { force: true });
    total -= entry.size;
  }
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** The `require` a module's code receives (what Node's loader gives it). */
function requireFor(module: LoadingModule): NodeJS.Require {
  const require = ((id: string) => module.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: unknown) => NodeModule._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => (Module as unknown as { _resolveLookupPaths(r: string, m: unknown): string[] | null })._resolveLookupPaths(request, module);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.cache = NodeModule._cache as NodeJS.Require['cache'];
  require.extensions = NodeModule._extensions as NodeJS.Require['extensions'];
  return require;
}

/** Another run may write the same entry at the same time: each writes its own file and renames it into place. */
function writeAtomically(file: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, data, { flag: 'wx', mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}
