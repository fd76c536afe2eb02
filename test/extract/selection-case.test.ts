import * as fs from 'fs';
import * as path from 'path';
import { generateRepository } from '../fixtures/generate';
import { runCli, runJson } from '../publish/helpers';
import { snapshot, TemporaryDirs } from './files';

/**
 * APIM ids are case-insensitive: `--api ORDERS` selects the instance's `orders`, and the files extract writes are
 * named by the instance's own id (through the real SDK against the embedded emulator).
 */

const temporary = new TemporaryDirs('apiops-extract-case');
let repo: string;

beforeAll(async () => {
  repo = temporary.create('repo');
  generateRepository(repo, { apis: 2, operationsPerApi: 1 });
  expect((await runCli(repo, ['publish', '--env', 'local'])).code).toBe(0);
});

afterAll(() => temporary.removeAll());

describe('extract: selections in another letter case', () => {
  it('writes an API selected as API-0001 under the instance\'s id api-0001', async () => {
    const out = temporary.create('out');
    const extracted = await runCli(repo, ['extract', '--env', 'local', '--out', out, '--api', 'API-0001']);
    expect(extracted.code).toBe(0);
    const apiFiles = [...snapshot(out, ['.apiops']).keys()].filter((file) => file.startsWith('apis/'));
    expect(apiFiles).toEqual(['apis/api-0001/api.yaml', 'apis/api-0001/openapi.yaml', 'apis/api-0001/operations/op0.xml', 'apis/api-0001/policy.xml']);
  });

  it('writes a product selected as PARTNER-DEVELOPER under the instance\'s id, with its APIs', async () => {
    const out = temporary.create('out');
    const extracted = await runCli(repo, ['extract', '--env', 'local', '--out', out, '--product', 'PARTNER-DEVELOPER']);
    expect(extracted.code).toBe(0);
    const files = [...snapshot(out, ['.apiops']).keys()];
    expect(files.filter((file) => file.startsWith('products/'))).toEqual(['products/partner-developer/policy.xml', 'products/partner-developer/product.yaml']);
    expect(files.filter((file) => file.endsWith('/api.yaml'))).toEqual(['apis/api-0000/api.yaml', 'apis/api-0001/api.yaml']);
  });

  it('updates the repository in place: nothing new is written, and the result still diffs clean', async () => {
    const before = snapshot(repo, ['.apiops']);
    const extracted = await runCli(repo, ['extract', '--env', 'local', '--api', 'Api-0000', '--product', 'Partner-Production']);
    expect(extracted.code).toBe(0);
    expect(snapshot(repo, ['.apiops'])).toEqual(before);
    expect(fs.existsSync(path.join(repo, 'apis/Api-0000'))).toBe(false);
    expect((await runJson(repo, ['diff', '--env', 'local'])).json.changes).toEqual([]);
  });

  it('still names an id the instance does not have', async () => {
    const extracted = await runCli(repo, ['extract', '--env', 'local', '--api', 'API-0009']);
    expect(extracted.code).toBe(1);
    expect(extracted.err).toContain("not found on the instance: API 'API-0009'");
  });
});
