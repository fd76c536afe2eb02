import { UserError } from '../../diagnostics';
import { startEmulator } from '../../emulator';
import { ONE_VALUE, type ApiopsCommand } from '../command';
import { waitForStopSignal } from '../stop-signal';

interface EmulatorArgs {
  port: number;
  host: string;
  data?: string;
  latency: number;
  faultRate: number;
  seed: number;
  verbose: boolean;
}

/** `apiops emulator`: serves the local APIM management plane until SIGINT/SIGTERM. */
export const emulatorCommand: ApiopsCommand<EmulatorArgs> = {
  name: 'emulator',
  describe: 'Run the local APIM management-plane emulator',
  errorExitCode: 1,
  builder: (y) =>
    y
      .option('port', { type: 'number', ...ONE_VALUE, default: 8787, describe: 'Port to listen on (0 = any free port)' })
      .option('host', { type: 'string', ...ONE_VALUE, default: '127.0.0.1', describe: 'Address to listen on' })
      .option('data', { type: 'string', ...ONE_VALUE, describe: 'Directory where state persists (default: in memory)' })
      .option('latency', { type: 'number', ...ONE_VALUE, default: 0, describe: 'Added latency per request in ms (with ±50% jitter)' })
      .option('fault-rate', { type: 'number', ...ONE_VALUE, default: 0, describe: 'Share of requests answered with a fault (429, 500, 503, dropped connection), 0..1' })
      .option('seed', { type: 'number', ...ONE_VALUE, default: 1, describe: 'Seed of the fault and jitter sequence' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Print one line per request' }),
  run: async (args, io) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UserError(`--port must be 0..65535, got ${args.port}`);
    if (!(args.latency >= 0)) throw new UserError(`--latency must be a non-negative number of ms, got ${args.latency}`);
    if (!(args.faultRate >= 0 && args.faultRate <= 1)) throw new UserError(`--fault-rate must be between 0 and 1, got ${args.faultRate}`);
    if (!Number.isInteger(args.seed)) throw new UserError(`--seed must be an integer, got ${args.seed}`);
    let emulator;
    try {
      emulator = await startEmulator({
        port: args.port,
        host: args.host,
        dataDir: args.data,
        latencyMs: args.latency,
        faultRate: args.faultRate,
        seed: args.seed,
        log: args.verbose ? (line) => io.stdout(`${line}\n`) : undefined,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`port ${args.port} is already in use`);
      throw error;
    }
    io.stdout(`apiops emulator listening on ${emulator.url}${args.data ? ` (state in ${args.data})` : ' (state in memory)'}\n`);
    const signal = await waitForStopSignal();
    await emulator.close();
    io.stdout(`apiops emulator stopped (${signal})\n`);
    return 0;
  },
};
