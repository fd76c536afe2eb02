import { spawnSync } from 'child_process';
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, runFromProcess, tolerateClosedReader } from '../../src/cli/main';
import { captureIO as captureIn, makeRepo, removeRepo, runCli } from '../fixtures/repo';

const captureIO = () => captureIn(process.cwd());

describe('apiops CLI', () => {
  it('lists the six contract commands in --help', async () => {
    const io = captureIO();
    expect(await main(['--help'], io)).toBe(0);
    for (const name of ['validate', 'render', 'diff', 'publish', 'extract', 'emulator']) {
      expect(io.out).toContain(`apiops ${name}`);
    }
  });

  it('prints the package version with --version', async () => {
    const io = captureIO();
    expect(await main(['--version'], io)).toBe(0);
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(io.out).toBe(`${version}\n`);
  });

  it('rejects an unknown command with exit 2 and no stack trace', async () => {
    const io = captureIO();
    expect(await main(['bogus'], io)).toBe(2);
    expect(io.err).toMatch(/Unknown argument: bogus/);
    expect(io.err).not.toMatch(/\n\s+at /);
  });
});

describe('usage errors', () => {
  it.each([
    ['diff', 1],
    ['publish', 1],
    ['extract', 1],
    ['validate', 2],
  ])('exit with the "could not run" code of %s (%i)', async (command, code) => {
    const io = captureIO();
    expect(await main([command, '--no-such-flag'], io)).toBe(code);
    expect(io.err).toMatch(/Unknown argument/);
  });
});

describe('options that take one value', () => {
  it.each([
    [['validate', '--env']],
    [['validate', '--output']],
    [['validate', '--format']],
    [['render', '--out']],
    [['validate', '--repo']],
  ])('%j without its value is a usage error (exit 2), not an empty string', async (argv) => {
    const io = captureIO();
    expect(await main(argv, io)).toBe(2);
    expect(io.err).toMatch(/^error: Not enough arguments following: [a-z-]+\n$/);
  });

  it.each([
    [['diff', '--env'], 1],
    [['publish', '--env'], 1],
    [['publish', '--concurrency'], 1],
    [['extract', '--env'], 1],
    [['extract', '--out'], 1],
    [['extract', '--concurrency'], 1],
    [['emulator', '--port'], 2],
    [['emulator', '--data'], 2],
    [['emulator', '--host'], 2],
    [['emulator', '--latency'], 2],
    [['emulator', '--fault-rate'], 2],
    [['emulator', '--seed'], 2],
  ])('%j without its value is a usage error (exit %i, the command\'s "could not run"), not a default', async (argv, code) => {
    const io = captureIO();
    expect(await main(argv, io)).toBe(code);
    expect(io.err).toMatch(/^error: Not enough arguments following: [a-z-]+\n$/);
  });

  it('emulator: a repeated option takes the last value', async () => {
    const io = captureIO();
    expect(await main(['emulator', '--port', '8787', '--port', '70000'], io)).toBe(2);
    expect(io.err).toBe("error: --port must be a port number, 0..65535 (0 = any free port), got '70000'\n");
  });

  it('diff: a repeated --env takes the last value', async () => {
    const root = makeRepo();
    try {
      const { code, io } = await runCli(['diff', '--env', 'no-such-env', '--env', 'local', '--json'], root);
      expect(io.err).not.toContain('no-such-env');
      expect(code).toBe(0);
      expect(JSON.parse(io.out).summary.create).toBeGreaterThan(0);
    } finally {
      removeRepo(root);
    }
  });

  it('given twice, the last value counts (no crash on an array)', async () => {
    const root = makeRepo();
    try {
      const { code, io } = await runCli(['validate', '--format', 'sarif', '--format', 'json'], root);
      expect(io.err).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(io.out)).toEqual({ findings: [], summary: { error: 0, warn: 0 } });
    } finally {
      removeRepo(root);
    }
  });
});

describe('writing to a reader that went away', () => {
  const savedExitCode = process.exitCode;
  afterEach(() => {
    process.exitCode = savedExitCode;
  });

  it('`apiops validate | head`: EPIPE on stdout is no crash and keeps the exit code', () => {
    const stdout = new EventEmitter();
    tolerateClosedReader(stdout, 'stdout');
    process.exitCode = 1;
    expect(() => stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).not.toThrow();
    expect(() => stdout.emit('error', Object.assign(new Error('destroyed'), { code: 'ERR_STREAM_DESTROYED' }))).not.toThrow();
    expect(process.exitCode).toBe(1);
  });

  it('another write failure exits 2 with a message on stderr, not a stack trace', () => {
    const stdout = new EventEmitter();
    tolerateClosedReader(stdout, 'stdout');
    const written = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      stdout.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      expect(process.exitCode).toBe(2);
      expect(written).toHaveBeenCalledWith('apiops: cannot write the output: no space left on device\n');
    } finally {
      written.mockRestore();
    }
  });
});

describe('the CLI run on the process streams', () => {
  const savedExitCode = process.exitCode;
  let listeners: { stdout: Function[]; stderr: Function[] };
  beforeEach(() => {
    listeners = { stdout: process.stdout.listeners('error'), stderr: process.stderr.listeners('error') };
  });
  afterEach(() => {
    jest.restoreAllMocks();
    for (const name of ['stdout', 'stderr'] as const) {
      for (const listener of process[name].listeners('error')) {
        if (!listeners[name].includes(listener)) process[name].removeListener('error', listener as (error: Error) => void);
      }
    }
    process.exitCode = savedExitCode;
  });

  /** Runs `apiops --help` (exit 0) with stdout failing with `code` as the help is written. */
  async function runWithFailingStdout(code: string): Promise<string> {
    let err = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((text) => {
      err += String(text);
      return true;
    });
    jest.spyOn(process.stdout, 'write').mockImplementation(() => process.stdout.emit('error', Object.assign(new Error(`write ${code}`), { code })));
    await runFromProcess(['--help']);
    return err;
  }

  it('`apiops validate --format json > /dev/full`: a failed write exits 2 even though the command succeeded', async () => {
    const err = await runWithFailingStdout('ENOSPC');
    expect(process.exitCode).toBe(2);
    expect(err).toBe('apiops: cannot write the output: write ENOSPC\n');
  });

  it('a reader that went away keeps the exit code of the command', async () => {
    const err = await runWithFailingStdout('EPIPE');
    expect(process.exitCode).toBe(0);
    expect(err).toBe('');
  });
});

describe('bin/apiops.js', () => {
  it('validate ends the process once its report is written: all of it through a pipe, with its exit code', () => {
    // A report far larger than a pipe holds, so that the process has to wait for its reader before it may end.
    const products = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [`products/p${i}/product.yaml`, `displayName: Product ${i}\nstate: live\napis: [orders]\n`]),
    );
    const root = makeRepo(products);
    try {
      const script = `require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts'))}).runAsProcess(${JSON.stringify(['validate', '--format', 'sarif', '--repo', root])})`;
      const run = spawnSync(process.execPath, ['-r', path.join(__dirname, '..', '..', 'bench', 'lib', 'register-ts.js'), '-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(1);
      expect(run.stdout.length).toBeGreaterThan(256 * 1024);
      const results = (JSON.parse(run.stdout) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> }).runs[0].results;
      expect(new Set(results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri)).size).toBe(400);
    } finally {
      removeRepo(root);
    }
  });

  it('in a checkout installed without its build step: exit 2 with the command to run, no stack trace', () => {
    const checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-unbuilt-'));
    try {
      fs.mkdirSync(path.join(checkout, 'bin'));
      fs.copyFileSync(path.join(__dirname, '..', '..', 'bin', 'apiops.js'), path.join(checkout, 'bin', 'apiops.js'));
      const run = spawnSync(process.execPath, [path.join(checkout, 'bin', 'apiops.js'), 'validate'], { encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stderr).toBe('apiops: not built yet (no dist/): run `npm run build` in the apiops package (`npm ci` does it)\n');
    } finally {
      fs.rmSync(checkout, { recursive: true, force: true });
    }
  });
});
