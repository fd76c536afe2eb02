import { ExistingRepository } from '../../src/extract/existing';
import { LiveIndex, layoutRepository } from '../../src/extract/layout';
import { TemporaryDirs } from './files';

const temporary = new TemporaryDirs('apiops-extract-layout');
afterAll(() => temporary.removeAll());

describe('laying out live resources as repository files', () => {
  it('names what the repository cannot hold: a fragment description, an API setting', () => {
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
      "apis/orders/api.yaml: its subscription key names (header 'X-Key', query 'key') are not managed by apiops (left out)",
    ]);
  });
});
