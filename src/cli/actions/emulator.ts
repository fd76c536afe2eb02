import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../diagnostics';
import { startEmulator } from '../../emulator';
import { isLoopbackHost } from '../../emulator/loopback';
import type { CommandIO, GlobalArgs } from '../command';
import type { EmulatorArgs } from '../commands/emulator';
import { waitForStopSignal } from '../stop-signal';

/** `--links FILE`: `{ "<url>": "<file>" }`, each file relative to FILE. */
function readLinks(file: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`--links ${file}: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new UserError(`--links ${file}: expected a JSON object of URL to file path`);
  }
  return Object.fromEntries(Object.entries(parsed as Record<string, string>).map(([url, target]) => [url, path.resolve(path.dirname(file), target)]));
}

/** `apiops emulator`: serves the local APIM management plane until SIGINT/SIGTERM. */
export async function run(args: EmulatorArgs & GlobalArgs, io: CommandIO): Promise<number> {
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
      links: args.links === undefined ? undefined : readLinks(args.links),
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
