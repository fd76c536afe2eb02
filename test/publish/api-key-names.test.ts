import * as fs from 'fs';
import * as path from 'path';
import { readResource } from '../../src/azure/read';
import { generateRepository } from '../fixtures/generate';
import { editFile, removeDir, runCli, runJson, tempDir } from './helpers';
import { withInstance } from './instance';

/** An API's renamed subscription key names (api.yaml `subscriptionKeyParameterNames`) are published and diffed. */

const LOCAL = ['--env', 'local'];

describe('diff and publish: subscriptionKeyParameterNames', () => {
  let root: string;
  let apiId: string;
  beforeAll(async () => {
    root = tempDir('api-key-names');
    generateRepository(root, { apis: 1, operationsPerApi: 1 });
    [apiId] = fs.readdirSync(path.join(root, 'apis'));
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
  });
  afterAll(() => removeDir(root));

  const liveNames = () => withInstance(root, 'local', async (c) => (await readResource(c, { kind: 'api', ids: [apiId] }))?.properties.subscriptionKeyParameterNames);
  const setNames = (header: string, query: string) =>
    editFile(root, `apis/${apiId}/api.yaml`, (text) => `${text.replace(/subscriptionKeyParameterNames:.*\n/, '')}subscriptionKeyParameterNames: { header: ${header}, query: ${query} }\n`);

  it('sends the names api.yaml gives, shows a rename as a change, and then diffs clean', async () => {
    expect(await liveNames()).toEqual({ header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' });
    setNames('X-Api-Key', 'apikey');
    expect((await runJson(root, ['diff', ...LOCAL])).json.changes).toEqual([{ action: 'update', kind: 'api', id: apiId, fields: ['subscriptionKeyParameterNames'] }]);
    expect((await runJson(root, ['publish', ...LOCAL])).code).toBe(0);
    expect(await liveNames()).toEqual({ header: 'X-Api-Key', query: 'apikey' });
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'])).code).toBe(0);
  });

  it('refuses names that are not a header and a query parameter, at their file:line', async () => {
    editFile(root, `apis/${apiId}/api.yaml`, (text) => `${text.replace(/subscriptionKeyParameterNames:.*\n/, '')}subscriptionKeyParameterNames: { header: X-Api-Key }\n`);
    const validate = await runCli(root, ['validate', ...LOCAL]);
    expect(validate.code).not.toBe(0);
    expect(validate.out).toContain(`apis/${apiId}/api.yaml`);
    expect(validate.out).toMatch(/\d+:\d+ +error +subscriptionKeyParameterNames: missing required property 'query'/);
  });
});
