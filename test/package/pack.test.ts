import { spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** The environment without what an enclosing `npm test` set (npm_config_*, npm_package_*) or CI's stricter mode. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'CI'));
}

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

// Packs the built package (dist/ as `npm ci` or `npm run build` left it) and installs the tarball into an empty folder.
describe('the npm package', () => {
  let work: string;
  let tarball: string;
  let app: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-pack-'));
    const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT).stdout);
    tarball = path.join(work, packed[0].filename);
    files = packed[0].files.map((file: { path: string }) => file.path);
    app = path.join(work, 'app');
    fs.mkdirSync(app);
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
  }, 300_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  let files: string[];

  it('holds the built CLI, schemas, init templates and rule docs, and nothing else', () => {
    const unexpected = files.filter((file) => !/^(bin\/apiops\.js|dist\/.+\.js|schemas\/.+\.schema\.json|templates\/init\/.+|docs\/rules\/.+\.md|package\.json|README\.md)$/.test(file));
    expect(unexpected).toEqual([]);
    for (const required of ['bin/apiops.js', 'dist/cli/main.js', 'schemas/api.schema.json', 'templates/init/base/_gitignore', 'docs/rules/base-inherited.md']) {
      expect(files).toContain(required);
    }
  });

  it('installed into an empty folder: --version, then init --ci github, validate, test and publish --env local', () => {
    const npx = (...args: string[]) => run('npx', ['--no-install', 'apiops', ...args], app);
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(npx('--version').stdout).toBe(`${version}\n`);
    npx('init', '--ci', 'github');
    expect(fs.existsSync(path.join(app, '.github/workflows/apiops-release.yml'))).toBe(true);
    expect(npx('validate').stdout).toBe('No problems found.\n');
    expect(npx('test').stdout).toMatch(/Tests: 3 passed, 3 total/);
    expect(npx('publish', '--env', 'local').stdout).toMatch(/Publish complete: 5 applied, 0 failed/);
    // The schemas init hooked up resolve inside node_modules.
    for (const file of ['apiops.config.yaml', 'apis/hello/api.yaml', 'products/starter/product.yaml', 'tests/hello.test.yaml']) {
      const reference = /^# yaml-language-server: \$schema=(.+)$/m.exec(fs.readFileSync(path.join(app, file), 'utf8'))![1];
      const schema = path.resolve(path.dirname(path.join(app, file)), reference);
      expect(path.relative(app, schema)).toMatch(/^node_modules\/apiops\/schemas\/[a-z-]+\.schema\.json$/);
      expect(JSON.parse(fs.readFileSync(schema, 'utf8'))).toHaveProperty('$schema');
    }
  });
});
