import { numberOption, ONE_VALUE, PORT, type ApiopsCommand } from '../command';

export interface EmulatorArgs {
  port: number;
  host: string;
  data?: string;
  latency: number;
  faultRate: number;
  seed: number;
  links?: string;
  verbose: boolean;
}

/** `apiops emulator`: serves the local APIM management plane until SIGINT/SIGTERM. */
export const emulatorCommand: ApiopsCommand<EmulatorArgs> = {
  name: 'emulator',
  describe: 'Run the local APIM management-plane emulator',
  errorExitCode: 2,
  exitCodes: 'runs until stopped (0); 2 could not start.',
  builder: (y) =>
    y
      .option('port', { ...numberOption('port', PORT), default: 8787, describe: 'Port to listen on (0 = any free port)' })
      .option('host', { type: 'string', ...ONE_VALUE, default: '127.0.0.1', describe: 'Address to listen on' })
      .option('data', { type: 'string', ...ONE_VALUE, describe: 'Directory where state persists (default: in memory)' })
      .option('latency', { ...numberOption('latency', { what: 'a number of milliseconds, 0 or more', integer: false, min: 0 }), default: 0, describe: 'Added latency per request in ms (with ±50% jitter)' })
      .option('fault-rate', { ...numberOption('fault-rate', { what: 'a share of requests between 0 and 1', integer: false, min: 0, max: 1 }), default: 0, describe: 'Share of requests answered with a fault (429, 500, 503, dropped connection; 409 on writes), 0..1' })
      .option('seed', { ...numberOption('seed', { what: 'an integer', integer: true }), default: 1, describe: 'Seed of the fault and jitter sequence' })
      .option('links', { type: 'string', ...ONE_VALUE, describe: 'JSON file mapping import-link URLs to local files (paths relative to it), for imports that name internet URLs' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Print one line per request' }),
  load: () => import('../actions/emulator'),
};
