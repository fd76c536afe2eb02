import { main } from '../../src/cli/main';
import { captureIO as captureIn } from '../fixtures/repo';

const captureIO = () => captureIn(process.cwd());

describe('apiops CLI', () => {
  it('lists the six contract commands in --help', async () => {
    const io = captureIO();
    expect(await main(['--help'], io)).toBe(0);
    for (const name of ['validate', 'render', 'diff', 'publish', 'extract', 'emulator']) {
      expect(io.out).toContain(`apiops ${name}`);
    }
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
