import { UserError } from '../../diagnostics';
import { startGateway } from '../../gateway';
import { loadAndRender } from '../../render';
import { ONE_VALUE, wantsColor, type ApiopsCommand } from '../command';
import { formatFindings, sortFindings } from '../output';
import { waitForStopSignal } from '../stop-signal';
import { repositoryRoot } from './validate';

interface GatewayArgs {
  env?: string;
  port: number;
  verbose: boolean;
}

/** `apiops gateway`: serves the environment's rendered repository as APIM's gateway would, until SIGINT/SIGTERM. */
export const gatewayCommand: ApiopsCommand<GatewayArgs> = {
  name: 'gateway',
  describe: "Serve the environment's rendered repository as APIM's gateway would (data plane, loopback)",
  errorExitCode: 2,
  builder: (y) =>
    y
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Environment to render (default: the first)' })
      .option('port', { type: 'number', ...ONE_VALUE, default: 8280, describe: 'Port on 127.0.0.1 (0 = any free port)' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Print one line per request' })
      .example('$0 gateway --env local', 'Then: curl -H "Ocp-Apim-Subscription-Key: …" http://127.0.0.1:8280/catalog/titles'),
  run: async (args, io) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UserError(`--port must be 0..65535, got ${args.port}`);
    const rendered = loadAndRender(repositoryRoot(args, io.cwd), args.env, io.env);
    const errors = sortFindings(rendered.findings.filter((f) => f.severity === 'error'));
    if (errors.length) {
      io.stderr(formatFindings('stylish', errors, { color: wantsColor(io), failOn: 'error' }));
      io.stderr('apiops gateway: calls through the files above answer 500 until they are fixed\n');
    }
    let gateway;
    try {
      gateway = await startGateway({ rendered, port: args.port, env: io.env, log: args.verbose ? (line) => io.stdout(`${line}\n`) : undefined });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UserError(`port ${args.port} is already in use`);
      throw error;
    }
    io.stdout(`apiops gateway (environment '${rendered.environment.name}') listening on ${gateway.url}; control endpoints under ${gateway.url}/.apiops/\n`);
    const signal = await waitForStopSignal();
    await gateway.close();
    io.stdout(`apiops gateway stopped (${signal})\n`);
    return 0;
  },
};
