import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import type { CommandIO } from '../../src/cli/command';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { generateRepository, type GenerateOptions } from '../fixtures/generate';

/** Test helpers for end-to-end diff/publish runs: temp copies of repositories and the CLI run in-process. */

const PROJECT_ROOT = path.resolve(__dirname, '../..');
const SAMPLE_ENTRIES = ['apiops.config.yaml', 'apis', 'products', 'policies', 'named-values', 'backends', 'api-version-sets', 'loggers', 'diagnostics', 'subscriptions', 'schemas'];

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `apiops-${prefix}-`));
}

/** A fresh copy of the sample repository at the project root. */
export function copySample(): string {
  const root = tempDir('sample');
  for (const entry of SAMPLE_ENTRIES) {
    fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(root, entry), { recursive: true });
  }
  return root;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(root: string, argv: string[], env: NodeJS.ProcessEnv = {}, isTTY = false): Promise<CliRun> {
  const run = { out: '', err: '' };
  const io: CommandIO = {
    stdout: (text) => void (run.out += text),
    stderr: (text) => void (run.err += text),
    isTTY,
    cwd: root,
    env,
  };
  const code = await main(argv, io);
  return { code, ...run };
}

/** Runs a command with --json and parses its stdout. */
export async function runJson<T = any>(root: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; json: T; err: string }> {
  const run = await runCli(root, [...argv, '--json'], env);
  let json: T;
  try {
    json = JSON.parse(run.out) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.out}\n${run.err}`);
  }
  return { code: run.code, json, err: run.err };
}

export function editFile(root: string, file: string, edit: (text: string) => string): void {
  const target = path.join(root, file);
  fs.writeFileSync(target, edit(fs.readFileSync(target, 'utf8')));
}

/** Requests that change the instance (listValue is a POST that reads; publish only POSTs for that). */
export function writes(requests: { PUT: number; PATCH: number; DELETE: number }): number {
  return requests.PUT + requests.PATCH + requests.DELETE;
}

/** Adds an environment `ci` that targets a running emulator at `endpoint` (the way a pipeline targets one). */
export function addEndpointEnvironment(root: string, endpoint: string): void {
  editFile(root, 'apiops.config.yaml', (text) =>
    text.replace(
      /^environments:\n/m,
      `environments:\n  ci:\n    target: { subscriptionId: ${CI_SCOPE.subscriptionId}, resourceGroup: ${CI_SCOPE.resourceGroup}, serviceName: ${CI_SCOPE.serviceName}, endpoint: "${endpoint}" }\n    values: { tenantId: 4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37, apiAudience: api://ci, functionsAppId: api://func-ci, functionsBackendId: functions, functionsUrl: https://func-ci.azurewebsites.net/api, developerSubscriptionsLimit: 3, telemetrySamplingPercentage: 50, devCallsPerMinute: 60, devCallsPerWeek: 20000 }\n`,
    ),
  );
}

export const CI_SCOPE = { subscriptionId: '11111111-2222-3333-4444-555555555555', resourceGroup: 'rg-ci', serviceName: 'apim-ci' };

/**
 * One emulator for a test file (call at the top level): `url()` once the file's tests run, and `repository()` a
 * generated repository whose environment `ci` targets it. Both are cleaned up after the file.
 */
export function emulatorWithRepositories(): { emulator: () => RunningEmulator; repository: (prefix: string, options: GenerateOptions) => string; tempDir: (prefix: string) => string } {
  let emulator: RunningEmulator;
  const roots: string[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator.close();
    roots.forEach(removeDir);
  });
  const temporary = (prefix: string) => {
    const dir = tempDir(prefix);
    roots.push(dir);
    return dir;
  };
  return {
    emulator: () => emulator,
    tempDir: temporary,
    repository: (prefix, options) => {
      const root = temporary(prefix);
      generateRepository(root, options);
      addEndpointEnvironment(root, emulator.url);
      return root;
    },
  };
}
