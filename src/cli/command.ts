import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../diagnostics';
import type { Argv } from 'yargs';
import { secretRedactor, type KnownSecret, type Redact } from '../known-secrets';

/** Where a command writes; injected so tests run commands in-process. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is an interactive terminal (colour, progress). */
  isTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface GlobalArgs {
  debug: boolean;
  /** Repository root (default: the current directory). */
  repo?: string;
}

/**
 * The IO a command runs with: once told the secret values the run knows (from the rendered repository), everything
 * written through it — output, progress, reports, and the error main() prints — shows them redacted.
 */
export interface CommandOutput extends CommandIO {
  redact(secrets: readonly KnownSecret[]): void;
  /** `text` as stdout and stderr would show it: for what a command writes to a file instead (`--output`). */
  redacted(text: string): string;
}

/** `io` with secret redaction in front of its stdout and stderr. */
export function redactingOutput(io: CommandIO): CommandOutput {
  let redact: Redact = (text) => text;
  return {
    ...io,
    stdout: (text) => io.stdout(redact(text)),
    stderr: (text) => io.stderr(redact(text)),
    redacted: (text) => redact(text),
    redact: (secrets) => {
      redact = secretRedactor(secrets);
    },
  };
}

/** What a command does: resolves to the process exit code. */
export type CommandRun<A> = (args: A & GlobalArgs, io: CommandOutput) => Promise<number>;

/**
 * One CLI command: its name, help and options, and `load`, which brings in what it does only when it runs, so that
 * `--version`, `--help` and every other command do not pay for its modules (the Azure SDK above all). A thrown
 * UserError is reported as `file:line:column: message` and exits with `errorExitCode` (the contract's code for "could
 * not run").
 */
export interface ApiopsCommand<A = Record<string, unknown>> {
  name: string;
  describe: string;
  errorExitCode: number;
  /** The exit codes the command promises, shown at the end of its --help. */
  exitCodes: string;
  builder: (yargs: Argv) => Argv;
  load: () => Promise<{ run: CommandRun<A> }>;
  /**
   * Its run leaves nothing behind once it resolves (no server, socket, timer, child or write still going): the process
   * can then exit as soon as its output is written. At a natural exit Node first waits for V8's background work
   * (optimising compilation, concurrent marking), which costs `apiops validate` of the sample 30–40 ms and changes nothing.
   */
  leavesNothingRunning?: true;
}

/**
 * yargs settings for an option that takes one value: it must be given one (`--env` alone is a usage error, not ''), and
 * given twice the last one counts, as in most CLIs (yargs would otherwise pass an array the command cannot use).
 */
export const ONE_VALUE = {
  requiresArg: true,
  coerce: (value: unknown) => (Array.isArray(value) ? value[value.length - 1] : value),
} as const;

/** `--changed-since REF` of validate, diff and publish (see plan/changed-since.ts). */
export const CHANGED_SINCE = {
  type: 'string',
  ...ONE_VALUE,
  describe: 'Only what changed since the commit REF (commits since it, and uncommitted edits) and what that uses',
} as const;

/** What a numeric option takes, said in its error: `--concurrency must be a positive integer, got 'abc'`. */
export interface NumberRange {
  /** e.g. 'a positive integer', 'a port number (0..65535)'. */
  what: string;
  integer: boolean;
  min?: number;
  max?: number;
}

export const POSITIVE_INTEGER: NumberRange = { what: 'a positive integer', integer: true, min: 1 };
export const PORT: NumberRange = { what: 'a port number, 0..65535 (0 = any free port)', integer: true, min: 0, max: 65535 };

/**
 * yargs settings for a numeric option, checked by name when the command line is parsed: `--concurrency abc` is a usage
 * error naming the option and the value, where yargs' own `type: 'number'` would pass NaN on. Leaving the type unset,
 * yargs still turns what looks like a number into one; anything else arrives here as the string it was.
 */
export function numberOption(name: string, range: NumberRange) {
  return {
    ...ONE_VALUE,
    coerce: (given: unknown): number => {
      const value = ONE_VALUE.coerce(given);
      const number = typeof value === 'number' ? value : Number.NaN;
      const fits = Number.isFinite(number) && (!range.integer || Number.isInteger(number)) && number >= (range.min ?? -Infinity) && number <= (range.max ?? Infinity);
      if (!fits) throw new UserError(`--${name} must be ${range.what}, got '${String(value)}'`);
      return number;
    },
  };
}

/**
 * Colour on a terminal unless NO_COLOR is set (https://no-color.org); FORCE_COLOR (any value but 0 or false) turns it
 * on where stdout is not a terminal (a CI log that shows colours), and FORCE_COLOR=0 turns it off, as in Node.
 */
export function wantsColor(io: CommandIO): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return io.isTTY && !io.env.NO_COLOR;
}

/**
 * In CI (CI=true) diff and publish must be told their environment: a job that forgets --env would otherwise go green
 * against the first environment, usually the embedded emulator.
 */
export function requireEnvironmentInCi(env: string | undefined, io: CommandIO, command: string): void {
  const ci = io.env.CI;
  if (env === undefined && ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') {
    throw new UserError(`${command} needs --env in CI (CI=${ci}): name the environment to compare with, e.g. --env prod`);
  }
}

export function repositoryRoot(args: { repo?: string }, cwd: string): string {
  return path.resolve(cwd, args.repo ?? '.');
}

/**
 * Writes a report or plan the user asked for with a file option (relative to the working directory), redacted as
 * stdout would show it, and whole or not at all: a temporary file beside it is renamed into place.
 */
export function writeOutputFile(io: CommandOutput, file: string, text: string): string {
  const target = path.resolve(io.cwd, file);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(temporary, io.redacted(text));
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new UserError(`cannot write ${target}: ${(error as Error).message}`);
  }
  return target;
}
