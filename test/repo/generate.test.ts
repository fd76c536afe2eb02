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

  it('with YAML and JSON specifications, both give the same operations', () => {
    const mixed = path.join(dir, 'mixed');
    generateRepository(mixed, { apis: 2, operationsPerApi: 3, specifications: 'yaml-and-json' });
    expect(fs.readdirSync(path.join(mixed, 'apis', 'api-0001'))).toContain('openapi.json');
    const { model, findings } = loadRepository(mixed);
    expect(findings).toEqual([]);
    expect(model.apis.map((api) => api.specification?.format)).toEqual(['openapi', 'openapi+json']);
    const [yamlApi, jsonApi] = model.apis.map((api) => api.specification?.operations.map(({ pos, ...operation }) => operation));
    expect(jsonApi).toEqual(yamlApi?.map((operation) => ({ ...operation, displayName: operation.displayName.replace('API 0', 'API 1') })));
  });
});
