import { numberOption, ONE_VALUE, PORT, type ApiopsCommand } from '../command';

export interface GatewayArgs {
  env?: string;
  port: number;
  verbose: boolean;
  trace: boolean;
}

/** `apiops gateway`: serves the environment's rendered repository as APIM's gateway would, until SIGINT/SIGTERM. */
export const gatewayCommand: ApiopsCommand<GatewayArgs> = {
  name: 'gateway',
  describe: "Serve the environment's rendered repository as APIM's gateway would (data plane, loopback)",
  errorExitCode: 2,
  exitCodes: 'runs until stopped (0); 2 could not start.',
  builder: (y) =>
    y
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Environment to render (default: the first)' })
      .option('port', { ...numberOption('port', PORT), default: 8280, describe: 'Port on 127.0.0.1 (0 = any free port)' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Print one line per request' })
      .option('trace', { type: 'boolean', default: false, describe: 'Print each request\'s trace: every policy with its file:line:column and the values it used (masked)' })
      .example('$0 gateway --env local', 'Then: curl -H "Ocp-Apim-Subscription-Key: …" http://127.0.0.1:8280/catalog/titles')
      .example('$0 gateway --trace', 'The same, printing each request\'s policy trace (docs/trace.md)'),
  load: () => import('../actions/gateway'),
};
