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
  installOnLoader(path.join(dir, `${process.version}-${process.arch}`));
}

function installOnLoader(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return;
  }
  const toWrite: { file: string; script: vm.Script }[] = [];
  const compile = NodeModule.prototype._compile;
  NodeModule.prototype._compile = function compileCached(this: LoadingModule, content: string, filename: string): unknown {
    // A dynamic import() needs Node's own compilation (a vm.Script cannot resolve it as the module would).
    if (content.includes('import(')) return compile.call(this, content, filename);
    const file = path.join(dir, crypto.createHash('sha256').update(filename).update('\0').update(content).digest('hex'));
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
    for (const { file, script } of toWrite) writeAtomically(file, script.createCachedData());
  });
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
