import yargs from 'yargs';
import { formatPos, UserError } from '../diagnostics';
import { packageInfo } from '../package-root';
import { ONE_VALUE, redactingOutput, type ApiopsCommand, type CommandIO } from './command';
import { validateCommand } from './commands/validate';
import { renderCommand } from './commands/render';
import { diffCommand } from './commands/diff';
import { publishCommand } from './commands/publish';
import { extractCommand } from './commands/extract';
import { emulatorCommand } from './commands/emulator';
import { gatewayCommand } from './commands/gateway';
import { testCommand } from './commands/test';
import { traceCommand } from './commands/trace';
import { importCommand } from './commands/import';
import { initCommand } from './commands/init';

// Only the commands' names, help and options: what a command does is loaded when it runs (ApiopsCommand.load).
export const COMMANDS: ApiopsCommand<any>[] = [
  validateCommand,
  renderCommand,
  diffCommand,
  publishCommand,
  extractCommand,
  emulatorCommand,
  gatewayCommand,
  testCommand,
  traceCommand,
  importCommand,
  initCommand,
];

function reportError(error: unknown, debug: boolean, io: CommandIO): void {
  if (error instanceof UserError) {
    io.stderr(`${error.pos ? `${formatPos(error.pos)}: ` : ''}error: ${error.message}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`apiops: ${message}\n`);
  }
  if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  else if (!(error instanceof UserError)) io.stderr('(run with --debug for details)\n');
}

/** Runs the CLI in-process and resolves to the exit code. */
export async function main(argv: string[], processIO: CommandIO): Promise<number> {
  return (await runCommandLine(argv, processIO)).exitCode;
}

interface CommandLineRun {
  exitCode: number;
  /** The command that ran, when it ran to its end (not for a usage error, --help or --version). */
  ran?: ApiopsCommand<any>;
}

async function runCommandLine(argv: string[], processIO: CommandIO): Promise<CommandLineRun> {
  const io = redactingOutput(processIO);
  let exitCode = 0;
  let ran: ApiopsCommand<any> | undefined;
  let parser = yargs(argv)
    .scriptName('apiops')
    .usage('$0 <command> [options]\n\nPolicy-as-code for Azure API Management.')
    .option('debug', { type: 'boolean', default: false, describe: 'Show stack traces and internal details' })
    .option('repo', { type: 'string', ...ONE_VALUE, describe: 'Repository root (default: current directory)' })
    .demandCommand(1, 'Name a command.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(packageInfo().version)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((message, error) => {
      // yargs reports some usage errors (a missing option value) as its own YError: a usage error all the same.
      throw error && error.name !== 'YError' ? error : new UserError(message ?? error.message);
    });
  for (const command of COMMANDS) {
    const builder = (y: Parameters<typeof command.builder>[0]) => command.builder(y).epilogue(`Exit codes: ${command.exitCodes}`);
    parser = parser.command(command.name, command.describe, builder, async (args) => {
      try {
        const { run } = await command.load();
        exitCode = await run(args as never, io);
      } catch (error) {
        reportError(error, Boolean(args.debug), io);
        exitCode = command.errorExitCode;
      }
      ran = command;
    });
  }
  // Bare `apiops` (or only global options): the command list, and exit 2 since nothing ran.
  if (!argv.some((arg) => !arg.startsWith('-')) && !argv.some((arg) => ['-h', '--help', '--version'].includes(arg))) {
    io.stderr(`${await parser.getHelp()}\n`);
    return { exitCode: 2 };
  }
  try {
    let helpText = '';
    await parser.parseAsync(argv, {}, (_err, _argv, output) => {
      helpText = output;
    });
    if (helpText) io.stdout(`${helpText}\n`);
  } catch (error) {
    reportError(error, argv.includes('--debug'), io);
    // A usage error means the command could not run: its own code for that (publish and diff promise 1, not 2).
    return { exitCode: COMMANDS.find((command) => command.name.split(' ')[0] === argv[0])?.errorExitCode ?? 2 };
  }
  return { exitCode, ran };
}

/** Whether the output could not be written (other than to a reader that went away): the run then exits 2, whatever the command returned. */
interface OutputState {
  failed: boolean;
}

/**
 * A reader that goes away (`apiops validate | head`) is not a crash: the rest of the output is dropped and the exit code
 * stays the command's. Any other failure to write is reported (on stderr, when stdout failed) and exits 2.
 */
export function tolerateClosedReader(stream: NodeJS.EventEmitter, name: 'stdout' | 'stderr', output: OutputState = { failed: false }): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    output.failed = true;
    // Also set here: the failure may surface after the command's exit code was set.
    process.exitCode = 2;
    if (name === 'stdout') process.stderr.write(`apiops: cannot write the output: ${error.message}\n`);
  });
}

/**
 * Runs the CLI on this process's arguments and streams; resolves once the exit code is set, to whether the process
 * may exit now (the command that ran leaves nothing running: see exitOnceWritten).
 */
export function runFromProcess(argv: string[] = process.argv.slice(2)): Promise<boolean> {
  const output: OutputState = { failed: false };
  tolerateClosedReader(process.stdout, 'stdout', output);
  tolerateClosedReader(process.stderr, 'stderr', output);
  const io: CommandIO = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
  return runCommandLine(argv, io).then(
    ({ exitCode, ran }) => {
      // A write error usually fires while the command still runs: its exit code must not hide it.
      process.exitCode = output.failed ? 2 : exitCode;
      return ran?.leavesNothingRunning === true;
    },
    (error) => {
      reportError(error, argv.includes('--debug'), io);
      process.exitCode = 2;
      return false;
    },
  );
}

/** What bin/apiops.js runs: the CLI on this process, ended as soon as the command's output is written when it may. */
export function runAsProcess(argv: string[] = process.argv.slice(2)): void {
  void runFromProcess(argv).then((mayExit) => {
    if (mayExit) exitOnceWritten();
  });
}

/**
 * Ends the process (with process.exitCode) once everything given to stdout and stderr is written; for a command that
 * leaves nothing running (ApiopsCommand.leavesNothingRunning), so that the process does not wait for V8's background
 * work as a natural exit does. A stream that cannot be written any more (a reader gone) counts as written.
 */
function exitOnceWritten(): void {
  let pending = 2;
  const written = () => {
    if (--pending === 0) process.exit();
  };
  process.stdout.write('', written);
  process.stderr.write('', written);
}
