import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { pruneCompileCache } from '../../src/compile-cache';

const ROOT = path.join(__dirname, '..', '..');
const COMPILE_CACHE = path.join(ROOT, 'src', 'compile-cache.ts');

/**
 * Runs, in a fresh Node process, what bin/apiops.js does (enable the cache, then load modules) on a small program in
 * `dir`, and returns what the program printed.
 */
function runCached(dir: string, cacheDir: string): string {
  const script = `require(${JSON.stringify(COMPILE_CACHE)}).enable({ NODE_COMPILE_CACHE: ${JSON.stringify(cacheDir)} });
    require(${JSON.stringify(path.join(dir, 'main.js'))});`;
  const run = spawnSync(process.execPath, ['-r', path.join(ROOT, 'bench', 'lib', 'register-ts.js'), '-e', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`child failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

function entries(cacheDir: string): Map<string, number> {
  const versions = fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : [];
  const files = versions.flatMap((version) => fs.readdirSync(path.join(cacheDir, version)).map((name) => path.join(cacheDir, version, name)));
  return new Map(files.map((file) => [file, fs.statSync(file).mtimeMs]));
}

describe('the compile cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-compile-cache-test-'));
    fs.writeFileSync(path.join(dir, 'dep.js'), "module.exports = (x) => `dep says ${x}`;\n");
    fs.writeFileSync(
      path.join(dir, 'main.js'),
      [
        '#!/usr/bin/env node',
        "const dep = require('./dep');",
        'console.log(JSON.stringify({ said: dep(1), file: __filename, dir: __dirname, self: require.resolve("./dep"), paths: Array.isArray(require.resolve.paths("x")), same: require.cache[__filename] === module, strict: this === module.exports }));',
      ].join('\n'),
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs a module as Node would, from the cache on the next run, and compiles an edited module afresh', () => {
    const cacheDir = path.join(dir, 'cache');
    const expected = { said: 'dep says 1', file: path.join(dir, 'main.js'), dir, self: path.join(dir, 'dep.js'), paths: true, same: true, strict: true };
    expect(JSON.parse(runCached(dir, cacheDir))).toEqual(expected);
    const written = entries(cacheDir);
    // The two modules (and compile-cache.ts itself is loaded before the cache is on, so it is not among them).
    expect(written.size).toBe(2);
    expect((fs.statSync(cacheDir).mode & 0o777).toString(8)).toBe('700');

    expect(JSON.parse(runCached(dir, cacheDir))).toEqual(expected);
    expect(entries(cacheDir)).toEqual(written);

    fs.writeFileSync(path.join(dir, 'dep.js'), "module.exports = (x) => `dep now says ${x}`;\n");
    expect(JSON.parse(runCached(dir, cacheDir)).said).toBe('dep now says 1');
    // The edited module's entry replaces the one for its earlier content.
    const rewritten = entries(cacheDir);
    expect(rewritten.size).toBe(2);
    expect([...rewritten.keys()].filter((file) => written.has(file))).toHaveLength(1);
  });

  it('stays within its size: the oldest entries of every Node version go first, down to three quarters of it', () => {
    const cacheDir = path.join(dir, 'cache');
    const entry = (version: string, name: string, ageSeconds: number) => {
      fs.mkdirSync(path.join(cacheDir, version), { recursive: true });
      const file = path.join(cacheDir, version, name);
      fs.writeFileSync(file, Buffer.alloc(1000));
      const when = Date.now() / 1000 - ageSeconds;
      fs.utimesSync(file, when, when);
      return file;
    };
    const oldVersion = entry('v18.0.0-x64', 'a-1', 500);
    const older = entry('v20.0.0-x64', 'b-1', 400);
    const old = entry('v20.0.0-x64', 'c-1', 300);
    const recent = entry('v20.0.0-x64', 'd-1', 200);
    const newest = entry('v20.0.0-x64', 'e-1', 100);
    pruneCompileCache(cacheDir, new Set(), 5000);
    expect([...entries(cacheDir).keys()].sort()).toEqual([oldVersion, older, old, recent, newest].sort());
    pruneCompileCache(cacheDir, new Set(), 4000);
    expect([...entries(cacheDir).keys()].sort()).toEqual([old, recent, newest].sort());
  });

  it('is not used in a folder other users can write into, nor when NODE_DISABLE_COMPILE_CACHE is set', () => {
    const shared = path.join(dir, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o777);
    expect(JSON.parse(runCached(dir, shared)).said).toBe('dep says 1');
    expect(entries(shared).size).toBe(0);

    const linked = path.join(dir, 'linked');
    fs.mkdirSync(path.join(dir, 'target'), { mode: 0o700 });
    fs.symlinkSync(path.join(dir, 'target'), linked);
    runCached(dir, linked);
    expect(fs.readdirSync(path.join(dir, 'target'))).toEqual([]);

    const script = `require(${JSON.stringify(COMPILE_CACHE)}).enable({ NODE_COMPILE_CACHE: ${JSON.stringify(path.join(dir, 'off'))}, NODE_DISABLE_COMPILE_CACHE: '1' });
      require(${JSON.stringify(path.join(dir, 'main.js'))});`;
    const run = spawnSync(process.execPath, ['-r', path.join(ROOT, 'bench', 'lib', 'register-ts.js'), '-e', script], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(fs.existsSync(path.join(dir, 'off'))).toBe(false);
  });
});
