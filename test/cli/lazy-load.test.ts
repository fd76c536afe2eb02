import { spawnSync } from 'child_process';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { captureIO } from '../fixtures/repo';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Runs the CLI's main() on the sources in a fresh Node process (TypeScript transpiled on load) and returns its exit
 * code and every module it loaded, relative to the package root.
 */
function modulesLoadedBy(argv: string[], cwd = ROOT): { code: number; modules: string[] } {
  const script = `
    const { main } = require(${JSON.stringify(path.join(ROOT, 'src', 'cli', 'main.ts'))});
    const io = { stdout() {}, stderr() {}, isTTY: false, cwd: process.cwd(), env: process.env };
    main(${JSON.stringify(argv)}, io).then((code) => process.stdout.write(JSON.stringify({ code, modules: Object.keys(require.cache) })));
  `;
  const run = spawnSync(process.execPath, ['-r', path.join(ROOT, 'bench', 'lib', 'register-ts.js'), '-e', script], { cwd, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`child failed (${run.status}): ${run.stderr}`);
  const { code, modules } = JSON.parse(run.stdout) as { code: number; modules: string[] };
  return { code, modules: modules.map((file) => path.relative(ROOT, file).split(path.sep).join('/')) };
}

const AZURE_SDK = /^node_modules\/@azure\//;

describe('commands load what they need when they run', () => {
  it('--version loads no command implementation, no Azure SDK and no repository code', () => {
    const { code, modules } = modulesLoadedBy(['--version']);
    expect(code).toBe(0);
    expect(modules.filter((m) => AZURE_SDK.test(m) || m.startsWith('src/cli/actions/') || /^src\/(repo|lint|render|azure\/(?!concurrency))/.test(m))).toEqual([]);
  });

  it('validate of the sample loads neither the Azure SDK nor another command', () => {
    const { code, modules } = modulesLoadedBy(['validate', '--format', 'json']);
    expect(code).toBe(0);
    expect(modules).toContain('src/cli/actions/validate.ts');
    // The sample's GraphQL API is read by the emulator's GraphQL reader (shared so that both read an SDL alike), alone.
    const shared = ['src/emulator/specs/graphql.ts', 'src/emulator/errors.ts'];
    expect(modules.filter((m) => AZURE_SDK.test(m) || (m.startsWith('src/emulator/') && !shared.includes(m)) || (m.startsWith('src/cli/actions/') && m !== 'src/cli/actions/validate.ts'))).toEqual([]);
    // Planning is for --changed-since only.
    expect(modules.filter((m) => m.startsWith('src/plan/'))).toEqual([]);
  });

  it('a command\'s help lists its options without loading what it does', async () => {
    const { modules } = modulesLoadedBy(['publish', '--help']);
    expect(modules.filter((m) => AZURE_SDK.test(m) || m.startsWith('src/cli/actions/'))).toEqual([]);
    const io = captureIO(ROOT);
    expect(await main(['publish', '--help'], io)).toBe(0);
    for (const option of ['--env', '--dry-run', '--prune', '--concurrency', '--json']) expect(io.out).toContain(option);
  });
});
