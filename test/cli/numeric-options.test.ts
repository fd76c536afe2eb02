import { COMMANDS, main } from '../../src/cli/main';
import { captureIO } from '../fixtures/repo';

describe('numeric options', () => {
  it.each([
    [['publish', '--concurrency', 'abc'], "--concurrency must be a positive integer, got 'abc'", 1],
    [['publish', '--concurrency', '0'], "--concurrency must be a positive integer, got '0'", 1],
    [['publish', '--concurrency', '2.5'], "--concurrency must be a positive integer, got '2.5'", 1],
    [['extract', '--concurrency', 'many'], "--concurrency must be a positive integer, got 'many'", 1],
    [['test', '--concurrency', '0'], "--concurrency must be a positive integer, got '0'", 2],
    [['emulator', '--port', 'http'], "--port must be a port number, 0..65535 (0 = any free port), got 'http'", 2],
    [['emulator', '--port', '70000'], "--port must be a port number, 0..65535 (0 = any free port), got '70000'", 2],
    [['emulator', '--latency', 'slow'], "--latency must be a number of milliseconds, 0 or more, got 'slow'", 2],
    [['emulator', '--latency', '-5'], "--latency must be a number of milliseconds, 0 or more, got '-5'", 2],
    [['emulator', '--fault-rate', 'NaN'], "--fault-rate must be a share of requests between 0 and 1, got 'NaN'", 2],
    [['emulator', '--fault-rate', '1.5'], "--fault-rate must be a share of requests between 0 and 1, got '1.5'", 2],
    [['emulator', '--seed', 'x1'], "--seed must be an integer, got 'x1'", 2],
    [['emulator', '--seed', '1.5'], "--seed must be an integer, got '1.5'", 2],
    [['gateway', '--port', 'eighty'], "--port must be a port number, 0..65535 (0 = any free port), got 'eighty'", 2],
  ])("%j is a usage error naming the option and the value, before the command runs", async (argv, message, code) => {
    const io = captureIO(process.cwd());
    expect(await main(argv, io)).toBe(code);
    expect(io.err).toBe(`error: ${message}\n`);
    expect(io.out).toBe('');
  });

  it.each(COMMANDS.map((command) => command.name.split(' ')[0]))('%s declares no option of yargs type number (which passes NaN on): numeric ones go through numberOption', async (name) => {
    const io = captureIO(process.cwd());
    expect(await main([name, '--help'], io)).toBe(0);
    expect(io.out).toMatch(/--help/);
    expect(io.out).not.toContain('[number]');
  });
});
