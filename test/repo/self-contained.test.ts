import * as fs from 'fs';
import * as path from 'path';

/**
 * `npm test` runs in a clone with nothing beside it: no test may read a file outside the repository (the contract
 * folder beside it, say). Every path a test builds from its own folder (`path.join(__dirname, '..', …)`) must stay
 * inside the repository, and no test names that contract folder or an absolute path of this machine.
 */
const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|js)$/.test(entry.name) ? [full] : [];
  });
}

describe('the test suite is self-contained', () => {
  // This file names what it looks for.
  const files = sourceFiles(path.join(ROOT, 'test')).filter((file) => file !== __filename);

  it('builds no path from a test folder that leaves the repository', () => {
    const escaping = files.flatMap((file) => {
      const text = fs.readFileSync(file, 'utf8');
      return [...text.matchAll(/(?:join|resolve)\(\s*__dirname((?:\s*,\s*'[^']*')+)/g)].flatMap((match) => {
        const segments = [...match[1].matchAll(/'([^']*)'/g)].map((m) => m[1]);
        const target = path.resolve(path.dirname(file), ...segments);
        return target === ROOT || target.startsWith(`${ROOT}${path.sep}`) ? [] : [`${path.relative(ROOT, file)}: ${match[0]}`];
      });
    });
    expect(files.length).toBeGreaterThan(50);
    expect(escaping).toEqual([]);
  });

  it('names neither the contract folder beside the repository nor a folder of this machine', () => {
    const named = files.filter((file) => /\.\.\/shared\b|['"]shared['"],\s*['"]arm-examples|['"]\/work\//.test(fs.readFileSync(file, 'utf8')));
    expect(named.map((file) => path.relative(ROOT, file))).toEqual([]);
  });
});
