import * as fs from 'fs';
import * as path from 'path';

/** Azure access lives in one module: nothing else in src/ imports the management SDK or the identity library. */

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

function importersOf(moduleName: string): string[] {
  const importing = new RegExp(`(?:from|import|require\\()\\s*['"]${moduleName.replace('/', '\\/')}['"]`);
  return sourceFiles(SRC)
    .filter((file) => importing.test(fs.readFileSync(file, 'utf8')))
    .map((file) => path.relative(SRC, file).split(path.sep).join('/'));
}

describe('Azure access', () => {
  it.each([['@azure/arm-apimanagement'], ['@azure/identity']])('%s is imported by src/azure/client.ts alone', (moduleName) => {
    expect(importersOf(moduleName)).toEqual(['azure/client.ts']);
  });
});
