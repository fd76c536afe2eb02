import { UserError } from '../../diagnostics';
import { startGateway } from '../../gateway';
import { loadAndRender } from '../../render';
import { repositoryRoot, wantsColor, type CommandIO, type GlobalArgs } from '../command';
import type { GatewayArgs } from '../commands/gateway';
import { formatFindings, sortFindings } from '../output';
import { formatTrace } from '../output/trace';
import { waitForStopSignal } from '../stop-signal';

/** `apiops gateway`: serves until SIGINT/SIGTERM. Errors in the repository are shown; calls through them answer 500. */
export async function run(args: GatewayArgs & GlobalArgs, io: CommandIO): Promise<number> {
  const rendered = loadAndRender(repositoryRoot(args, io.cwd), args.env, io.env);
  const color = wantsColor(io);
  const errors = sortFindings(rendered.findings.filter((f) => f.severity === 'error'));
  if (errors.length) {
    io.stderr(formatFindings('stylish', errors, { color, failOn: 'error' }));
    io.stderr('apiops gateway: calls through the files above answer 500 until they are fixed\n');
  }
  let gateway;
  try {
    gateway = await startGateway({
      rendered,
      port: args.port,
      env: io.env,
      // A trace begins with the line --verbose prints.
      log: args.verbose && !args.trace ? (line) => io.stdout(`${line}\n`) : undefined,
      onTrace: args.trace ? (trace) => io.stdout(`${formatTrace(trace, { color })}\n`) : undefined,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UserError(`port ${args.port} is already in use`);
    throw error;
  }
  io.stdout(`apiops gateway (environment '${rendered.environment.name}') listening on ${gateway.url}; control endpoints under ${gateway.url}/.apiops/\n`);
  const signal = await waitForStopSignal();
  await gateway.close();
  io.stdout(`apiops gateway stopped (${signal})\n`);
  return 0;
}
