import * as fs from 'fs';
import { wantsColor } from '../../src/cli/command';
import { main } from '../../src/cli/main';
import { captureIO, makeRepo, removeRepo, runCli } from '../fixtures/repo';

const COMMANDS = ['validate', 'render', 'diff', 'publish', 'extract', 'emulator', 'gateway', 'test', 'trace', 'import', 'init'];

describe('CLI conventions', () => {
  it('bare `apiops` prints the command list and exits 2', async () => {
    const io = captureIO(process.cwd());
    expect(await main([], io)).toBe(2);
    for (const name of COMMANDS) expect(io.err).toMatch(new RegExp(`^ {2}apiops ${name}\\b`, 'm'));
    expect(io.out).toBe('');
  });

  it('-h is --help', async () => {
    const short = captureIO(process.cwd());
    const long = captureIO(process.cwd());
    expect(await main(['-h'], short)).toBe(0);
    expect(await main(['--help'], long)).toBe(0);
    expect(short.out).toBe(long.out);
    expect(short.out).toMatch(/apiops init/);
  });

  it.each(COMMANDS)('%s --help ends with its exit codes', async (name) => {
    const io = captureIO(process.cwd());
    expect(await main([name, '-h'], io)).toBe(0);
    expect(io.out).toMatch(/\nExit codes: .*\b0\b.+\n*$/s);
  });

  it('honours NO_COLOR and FORCE_COLOR', () => {
    const io = (isTTY: boolean, env: NodeJS.ProcessEnv) => ({ ...captureIO(process.cwd(), { isTTY, env }) });
    expect(wantsColor(io(true, {}))).toBe(true);
    expect(wantsColor(io(false, {}))).toBe(false);
    expect(wantsColor(io(true, { NO_COLOR: '1' }))).toBe(false);
    expect(wantsColor(io(false, { FORCE_COLOR: '1' }))).toBe(true);
    expect(wantsColor(io(true, { FORCE_COLOR: '0' }))).toBe(false);
  });

  it('diff validates as publish does: a policy rule error stops publish before the instance is read; diff says publish would stop, and still shows the plan', async () => {
    const root = makeRepo();
    try {
      const policy = `${root}/apis/orders/policy.xml`;
      fs.writeFileSync(policy, fs.readFileSync(policy, 'utf8').replace('<base />', '<base />\n        <set-backend-service backend-id="billing" />'));
      const validate = await runCli(['validate', '--env', 'local', '--format', 'json'], root);
      expect(validate.code).toBe(1);
      expect(JSON.parse(validate.io.out).findings).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'backend-missing', severity: 'error' })]));
      const publish = await runCli(['publish', '--env', 'local'], root);
      expect(publish.code).toBe(1);
      expect(publish.io.err).toMatch(/backend-missing/);
      expect(publish.io.err).toContain('apiops publish: stopped, the repository has 1 error');
      expect(publish.io.out).toBe('');
      expect(fs.existsSync(`${root}/.apiops`)).toBe(false);
      const diff = await runCli(['diff', '--env', 'local', '--json'], root);
      expect(diff.code).toBe(0);
      expect(diff.io.err).toMatch(/billing.*backend-missing/);
      expect(diff.io.err).toContain('apiops diff: publish would stop on this error (see `apiops validate`); the plan is what it applies once they are fixed.');
      expect(JSON.parse(diff.io.out).summary.create).toBeGreaterThan(0);
    } finally {
      removeRepo(root);
    }
  });

  describe('in CI (CI=true)', () => {
    let root: string;
    beforeEach(() => {
      root = makeRepo();
    });
    afterEach(() => removeRepo(root));

    it.each(['diff', 'publish'])('%s without --env is refused (exit 1) before anything is read', async (command) => {
      const { code, io } = await runCli([command], root, { env: { CI: 'true' } });
      expect(code).toBe(1);
      expect(io.err).toBe(`error: ${command} needs --env in CI (CI=true): name the environment to compare with, e.g. --env prod\n`);
      expect(fs.existsSync(`${root}/.apiops`)).toBe(false);
    });

    it('diff with --env runs', async () => {
      const { code } = await runCli(['diff', '--env', 'local'], root, { env: { CI: 'true' } });
      expect(code).toBe(0);
    });
  });
});
