import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRepository } from '../../src/repo';
import { renderRepository } from '../../src/render';
import { generateRepository } from '../fixtures/generate';

describe('generateRepository (test/fixtures/generate.ts)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-gen-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a repository that loads and renders without findings', () => {
    const files = generateRepository(dir, { apis: 5, operationsPerApi: 7 });
    expect(files).toBe(6 + 5 * (3 + 2) + 3);
    const { model, findings } = loadRepository(dir);
    expect(findings).toEqual([]);
    expect(model.apis).toHaveLength(5);
    expect(model.apis[0].specification?.operations.map((op) => op.id)).toEqual(['op0', 'op1', 'op2', 'op3', 'op4', 'op5', 'op6']);
    const rendered = renderRepository(model, undefined, { processEnv: {} });
    expect(rendered.findings).toEqual([]);
    expect(rendered.desired.resources.filter((r) => r.ref.kind === 'apiOperation')).toHaveLength(35);
  });
});
