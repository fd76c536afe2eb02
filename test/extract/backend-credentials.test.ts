import { readResource } from '../../src/azure/read';
import { KEPT_ON_INSTANCE } from '../../src/plan/backend-fields';
import { generateRepository } from '../fixtures/generate';
import { editFile, runCli, runJson, writes } from '../publish/helpers';
import { withInstance } from '../publish/instance';
import { snapshot, TemporaryDirs } from './files';

/**
 * Literal backend credentials on the instance: extract never writes them, but marks them as kept on the instance,
 * so diff stays clean and a later publish of the backend sends the live values back instead of dropping them.
 */

const temporary = new TemporaryDirs('apiops-extract-credentials');
const LOCAL = ['--env', 'local'];
const BACKEND = { kind: 'backend' as const, ids: ['functions'] };
const HEADER_SECRET = 'fk-header-literal-7Qp2';
const BASIC_SECRET = 'dXNlcjpwYXNzd29yZC1saXRlcmFs';
const LIVE_CREDENTIALS = {
  header: { 'x-functions-key': [HEADER_SECRET] },
  query: { ttl: ['{{cache-seconds}}'] },
  authorization: { scheme: 'Basic', parameter: BASIC_SECRET },
};
let repo: string;

const liveCredentials = () => withInstance(repo, 'local', async (c) => (await readResource(c, BACKEND))?.properties.credentials);

beforeAll(async () => {
  repo = temporary.create('repo');
  generateRepository(repo, { apis: 1, operationsPerApi: 1 });
  expect((await runCli(repo, ['publish', ...LOCAL])).code).toBe(0);
  await withInstance(repo, 'local', (c) =>
    c.client.backend.createOrUpdate(c.scope.resourceGroup, c.scope.serviceName, 'functions', {
      url: 'https://func-generated.azurewebsites.net/api',
      protocol: 'http',
      credentials: LIVE_CREDENTIALS,
    }),
  );
});

afterAll(() => temporary.removeAll());

describe('extract and publish: literal backend credentials', () => {
  it('extract marks them as kept on the instance, writes no secret, and diff is clean', async () => {
    const extracted = await runCli(repo, ['extract', ...LOCAL]);
    expect(extracted.code).toBe(0);
    expect(extracted.out).toContain('warning  backends/functions.yaml: literal credentials not written (authorization parameter, header x-functions-key): marked as kept on the instance');
    const files = snapshot(repo, ['.apiops']);
    expect(files.get('backends/functions.yaml')).toBe(
      [
        'url: https://func-generated.azurewebsites.net/api',
        'protocol: http',
        'credentials:',
        '  header:',
        '    x-functions-key:',
        `      - "${KEPT_ON_INSTANCE}"`,
        '  query:',
        '    ttl:',
        '      - "{{cache-seconds}}"',
        '  authorization:',
        '    scheme: Basic',
        `    parameter: "${KEPT_ON_INSTANCE}"`,
        '',
      ].join('\n'),
    );
    for (const text of files.values()) expect(text).not.toMatch(new RegExp(`${HEADER_SECRET}|${BASIC_SECRET}`));
    expect((await runCli(repo, ['validate', ...LOCAL])).code).toBe(0);
    const diff = await runJson(repo, ['diff', ...LOCAL, '--exit-code']);
    expect(diff.json.changes).toEqual([]);
    expect(diff.code).toBe(0);
  });

  it('a publish of the backend keeps the live values it cannot see', async () => {
    editFile(repo, 'backends/functions.yaml', (text) => `${text}description: Generated functions\n`);
    const publish = await runJson(repo, ['publish', ...LOCAL]);
    expect(publish.code).toBe(0);
    expect(publish.json.applied).toEqual([{ action: 'update', kind: 'backend', id: 'functions', fields: ['description'] }]);
    expect(await liveCredentials()).toEqual(LIVE_CREDENTIALS);
    expect(JSON.stringify(publish)).not.toMatch(new RegExp(`${HEADER_SECRET}|${BASIC_SECRET}`));
    expect((await runJson(repo, ['diff', ...LOCAL, '--exit-code'])).code).toBe(0);
  });

  it('a kept entry the instance does not have gets a placeholder on the emulator, with a note', async () => {
    editFile(repo, 'backends/functions.yaml', (text) => text.replace('  query:\n', `    x-extra:\n      - "${KEPT_ON_INSTANCE}"\n  query:\n`));
    const diff = await runJson(repo, ['diff', ...LOCAL]);
    expect(diff.json.changes).toEqual([{ action: 'update', kind: 'backend', id: 'functions', fields: ['credentials'] }]);
    const publish = await runCli(repo, ['publish', ...LOCAL]);
    expect(publish.code).toBe(0);
    expect(publish.out).toMatch(/updated backend functions \(.*x-extra.*placeholder/);
    const credentials = (await liveCredentials()) as typeof LIVE_CREDENTIALS & { header: Record<string, string[]> };
    expect(credentials.header['x-functions-key']).toEqual([HEADER_SECRET]);
    expect(credentials.header['x-extra']).toHaveLength(1);
    expect(credentials.header['x-extra'][0]).not.toBe(KEPT_ON_INSTANCE);
    const again = await runJson(repo, ['publish', ...LOCAL]);
    expect(writes(again.json.requests)).toBe(0);
  });
});
