import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { connect, type ApimConnection, type ServiceScope } from '../../src/azure/client';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { runCli } from '../fixtures/repo';

/** Temporary directories for a test file, removed by `removeAll` (call it in afterAll). */
export class TemporaryDirs {
  private readonly dirs: string[] = [];

  constructor(private readonly prefix: string) {}

  create(label = 'dir'): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${this.prefix}-${label}-`));
    this.dirs.push(dir);
    return dir;
  }

  removeAll(): void {
    for (const dir of this.dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every file under `root` (POSIX paths, sorted) → its text (a symbolic link: `-> <target>`); directories named in `skip` are left out. */
export function snapshot(root: string, skip: string[] = []): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        files.set(relative, `-> ${fs.readlinkSync(path.join(root, relative))}`);
      } else if (entry.isDirectory()) {
        if (!skip.includes(entry.name)) walk(relative);
      } else {
        files.set(relative, fs.readFileSync(path.join(root, relative), 'utf8'));
      }
    }
  };
  walk('');
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/** A new repository directory holding only an `apiops.config.yaml` whose one environment, `ci`, targets the service at `url` as an endpoint. */
export function endpointRepository(temporary: TemporaryDirs, scope: ServiceScope, url: string): string {
  const repo = temporary.create('repo');
  const { subscriptionId, resourceGroup, serviceName } = scope;
  const config = `environments:\n  ci:\n    target:\n      subscriptionId: ${subscriptionId}\n      resourceGroup: ${resourceGroup}\n      serviceName: ${serviceName}\n      endpoint: "${url}"\n`;
  fs.writeFileSync(path.join(repo, 'apiops.config.yaml'), config);
  return repo;
}

export interface EmulatedInstance {
  emulator: RunningEmulator;
  /** To the service at the scope given, through the SDK. */
  connection: ApimConnection;
  /** An endpointRepository targeting the service: extract, diff and publish run there with `--env ci`. */
  repo: string;
}

/**
 * The instance a test file extracts: before its tests, an emulator is started and `configure` sets up the service at
 * `scope`; after them, the emulator is closed and every directory of `temporary` removed. The object returned is
 * filled in by the beforeAll (read it in hooks and tests, not while the file is loaded).
 */
export function emulatedInstance(temporary: TemporaryDirs, scope: ServiceScope, configure: (connection: ApimConnection) => Promise<void>): EmulatedInstance {
  const instance = {} as EmulatedInstance;
  beforeAll(async () => {
    instance.emulator = await startEmulator({ port: 0 });
    instance.connection = connect(scope, { endpoint: instance.emulator.url });
    await configure(instance.connection);
    instance.repo = endpointRepository(temporary, scope, instance.emulator.url);
  });
  afterAll(async () => {
    await instance.emulator?.close();
    temporary.removeAll();
  });
  return instance;
}

/** Extract's round-trip promise: the repository it wrote is schema-clean and diffs clean against the instance it read. */
export async function expectRoundTrip(out: string, environment: string): Promise<void> {
  const validated = await runCli(['validate', '--env', environment, '--repo', out, '--format', 'json'], out);
  const findings = JSON.parse(validated.io.out).findings as Array<{ rule: string; file: string; message: string }>;
  expect(findings.filter((finding) => ['schema', 'xml-syntax', 'template'].includes(finding.rule))).toEqual([]);
  const diff = await runCli(['diff', '--env', environment, '--repo', out, '--json', '--exit-code'], out);
  expect(JSON.parse(diff.io.out).changes).toEqual([]);
  expect(diff.code).toBe(0);
}
