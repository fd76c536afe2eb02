import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

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

/** Every file under `root` (POSIX paths, sorted) → its text; directories named in `skip` are left out. */
export function snapshot(root: string, skip: string[] = []): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skip.includes(entry.name)) walk(relative);
      } else {
        files.set(relative, fs.readFileSync(path.join(root, relative), 'utf8'));
      }
    }
  };
  walk('');
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/** An `apiops.config.yaml` whose one environment, `ci`, targets the emulator at `url` as an endpoint. */
export function endpointConfig(scope: { subscriptionId: string; resourceGroup: string; serviceName: string }, url: string): string {
  return `environments:\n  ci:\n    target:\n      subscriptionId: ${scope.subscriptionId}\n      resourceGroup: ${scope.resourceGroup}\n      serviceName: ${scope.serviceName}\n      endpoint: "${url}"\n`;
}
