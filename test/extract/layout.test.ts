import * as fs from 'fs';
import * as path from 'path';
import { ExistingRepository } from '../../src/extract/existing';
import { LiveIndex, layoutRepository } from '../../src/extract/layout';
import { openApiFromOperations } from '../../src/extract/openapi';
import { RepositorySpelling } from '../../src/extract/spelling';
import { specificationText } from '../../src/extract/specification';
import * as yaml from '../../src/repo/yaml';
import { TemporaryDirs } from './files';

const temporary = new TemporaryDirs('apiops-extract-layout');
afterAll(() => temporary.removeAll());

describe('laying out live resources as repository files', () => {
  it('names what the repository cannot hold (a fragment description) and writes the key names it can', () => {
    const live = new LiveIndex({
      resources: [
        { ref: { kind: 'policyFragment', ids: ['strip-key'] }, properties: { format: 'xml', description: 'Removes the key', value: '<fragment><set-header name="k" exists-action="delete" /></fragment>' } },
        { ref: { kind: 'api', ids: ['orders'] }, properties: { displayName: 'Orders', path: 'orders', subscriptionKeyParameterNames: { header: 'X-Key', query: 'key' } } },
      ],
    });
    const layout = layoutRepository(live, new ExistingRepository(temporary.create()), { env: 'test', values: {} }, false);
    expect(layout.files.get('policies/fragments/strip-key.xml')).toBe('<fragment>\n    <set-header name="k" exists-action="delete" />\n</fragment>\n');
    expect(layout.warnings).toEqual([
      'policies/fragments/strip-key.xml: its description is not managed by apiops (left out)',
    ]);
    expect(layout.files.get('apis/orders/api.yaml')).toMatch(/subscriptionKeyParameterNames:\n {2}header: X-Key\n {2}query: key\n/);
  });

  it('reads an existing specification once for the repository spelling and for keeping it, and keeps it as written', () => {
    const operation = { displayName: 'Get order', method: 'GET', urlTemplate: '/orders/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }], responses: [{ statusCode: 200 }] };
    const root = temporary.create();
    const file = 'apis/orders/openapi.yaml';
    const written = `# kept comment\n${specificationText(file, openApiFromOperations({ displayName: 'Orders' }, [{ id: 'Get-Order', properties: operation }]))}`;
    fs.mkdirSync(path.join(root, 'apis/orders'), { recursive: true });
    fs.writeFileSync(path.join(root, file), written);
    const parse = jest.spyOn(yaml, 'parseYaml');
    try {
      const existing = new ExistingRepository(root);
      const spelling = new RepositorySpelling(existing);
      expect(spelling.spell({ kind: 'apiOperation', ids: ['orders', 'get-order'] }).ids).toEqual(['orders', 'Get-Order']);
      const live = new LiveIndex({
        resources: [
          { ref: { kind: 'api', ids: ['orders'] }, properties: { displayName: 'Orders', path: 'orders' } },
          { ref: { kind: 'apiOperation', ids: ['orders', 'Get-Order'] }, properties: operation },
        ],
      });
      const layout = layoutRepository(live, existing, { env: 'test', values: {} }, false);
      expect(layout.pendingSpecifications).toEqual([]);
      expect(layout.files.get(file)).toBe(written);
      expect(parse.mock.calls.filter(([parsed]) => parsed === file)).toHaveLength(1);
    } finally {
      parse.mockRestore();
    }
  });
});
