import { UserError } from '../../diagnostics';
import { startEmulator } from '../../emulator';
import type { CommandIO, GlobalArgs } from '../command';
import type { EmulatorArgs } from '../commands/emulator';
import { waitForStopSignal } from '../stop-signal';

/**
 * Whether an address reaches only this machine. The emulator takes any bearer token and hands out secrets to
 * whoever asks, so serving it anywhere else is worth a warning.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare) || /^::ffff:127\./.test(bare);
}

/** `apiops emulator`: serves the local APIM management plane until SIGINT/SIGTERM. */
export async function run(args: EmulatorArgs & GlobalArgs, io: CommandIO): Promise<number> {
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UserError(`--port must be 0..65535, got ${args.port}`);
  if (!(args.latency >= 0)) throw new UserError(`--latency must be a non-negative number of ms, got ${args.latency}`);
  if (!(args.faultRate >= 0 && args.faultRate <= 1)) throw new UserError(`--fault-rate must be between 0 and 1, got ${args.faultRate}`);
  if (!Number.isInteger(args.seed)) throw new UserError(`--seed must be an integer, got ${args.seed}`);
  // Said before binding, so it is seen even when the address cannot be had.
  if (!isLoopbackHost(args.host)) {
    io.stderr(
      `warning: listening on ${args.host}, which other machines can reach: the emulator accepts any bearer token and returns secret values to anyone who asks. Use --host 127.0.0.1 unless every machine on that network may do so.\n`,
    );
  }
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
    if (code === 'EADDRNOTAVAIL') throw new UserError(`${args.host} is not an address of this machine`);
    throw error;
  }
  io.stdout(`apiops emulator listening on ${emulator.url}${args.data ? ` (state in ${args.data})` : ' (state in memory)'}\n`);
  const signal = await waitForStopSignal();
  await emulator.close();
  io.stdout(`apiops emulator stopped (${signal})\n`);
  return 0;
}
