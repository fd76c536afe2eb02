import type { ApiopsCommand } from '../command';

/** Placeholder for a command another issue delivers: says so and exits 2. */
export function notAvailableYet(name: string, describe: string): ApiopsCommand {
  return {
    name,
    describe,
    errorExitCode: 2,
    builder: (y) => y,
    run: async (_args, io) => {
      io.stderr(`apiops ${name}: not available yet\n`);
      return 2;
    },
  };
}
