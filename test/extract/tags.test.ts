import * as fs from 'fs';
import * as path from 'path';
import type { ApimConnection } from '../../src/azure/client';
import { openTarget } from '../../src/azure/target';
import { extractInstance } from '../../src/extract';
import { loadRepository } from '../../src/repo';
import type { EnvironmentConfig } from '../../src/repo/model';
import { pickEnvironment } from '../../src/render';
import { generateRepository } from '../fixtures/generate';
import { runCli, runJson } from '../publish/helpers';
import { snapshot, TemporaryDirs } from './files';

/**
 * API tags through extract: publish a repository whose APIs carry tags into the embedded emulator, extract it (whole
 * and one API at a time) and diff the result against the same instance, all through the real SDK.
 */

const temporary = new TemporaryDirs('apiops-extract-tags');
let repo: string;

async function withInstance<T>(action: (c: ApimConnection, environment: EnvironmentConfig) => Promise<T>): Promise<T> {
  const environment = pickEnvironment(loadRepository(repo).model, 'local');
  const target = await openTarget(environment, repo);
  try {
    return await action(target.connection, environment);
  } finally {
    await target.close();
  }
}

function setTags(root: string, apiId: string, tags: string): void {
  const file = path.join(root, 'apis', apiId, 'api.yaml');
  fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}tags: ${tags}\n`);
}

async function diffChanges(root: string): Promise<unknown[]> {
  const diff = await runJson(root, ['diff', '--env', 'local']);
  return diff.json.changes;
}

beforeAll(async () => {
  repo = temporary.create('repo');
  generateRepository(repo, { apis: 3, operationsPerApi: 1 });
  setTags(repo, 'api-0000', '[Partner, Media Catalog]');
  setTags(repo, 'api-0001', '[Partner]');
  const published = await runCli(repo, ['publish', '--env', 'local']);
  expect(published).toMatchObject({ code: 0, err: expect.not.stringMatching(/error|fail/i) });
});

afterAll(() => temporary.removeAll());

describe('extract: API tags', () => {
  it('writes each API\'s tag display names into api.yaml, sorted, and the result diffs clean', async () => {
    const out = temporary.create('out');
    const extracted = await runCli(repo, ['extract', '--env', 'local', '--out', out]);
    expect(extracted.code).toBe(0);
    const files = snapshot(out, ['.apiops']);
    expect(files.get('apis/api-0000/api.yaml')).toMatch(/\ntags:\n {2}- Media Catalog\n {2}- Partner\n$/);
    expect(files.get('apis/api-0001/api.yaml')).toMatch(/\ntags:\n {2}- Partner\n$/);
    expect(files.get('apis/api-0002/api.yaml')).not.toMatch(/tags/);
    expect(await diffChanges(out)).toEqual([]);

    const again = await runCli(repo, ['extract', '--env', 'local', '--out', out]);
    expect(again.code).toBe(0);
    expect(snapshot(out, ['.apiops'])).toEqual(files);
  });

  it('leaves the repository it was published from unchanged (its own tag order kept)', async () => {
    const before = snapshot(repo, ['.apiops']);
    expect((await runCli(repo, ['extract', '--env', 'local'])).code).toBe(0);
    expect(snapshot(repo, ['.apiops'])).toEqual(before);
  });

  it('extracting one API reads and writes only that API\'s tags', async () => {
    await withInstance(async (c) => {
      await c.client.tag.createOrUpdate(c.scope.resourceGroup, c.scope.serviceName, 'beta', { displayName: 'Beta' });
      await c.client.tag.assignToApi(c.scope.resourceGroup, c.scope.serviceName, 'api-0002', 'beta');
      await c.client.tag.detachFromApi(c.scope.resourceGroup, c.scope.serviceName, 'api-0001', 'partner');
    });
    const before = snapshot(repo, ['.apiops']);
    const paths: string[] = [];
    const { requests, outcome } = await withInstance(async (connection, { name, values }) => {
      connection.client.pipeline.addPolicy({
        name: 'record-paths',
        sendRequest: (request, next) => {
          paths.push(new URL(request.url).pathname.replace(/^.*\/service\/[^/]+\//, ''));
          return next(request);
        },
      });
      const result = await extractInstance({ connection, outDir: repo, template: { env: name, values }, apis: ['api-0002'] });
      return { requests: { ...connection.requests }, outcome: result };
    });
    expect(outcome.extracted.apis).toBe(1);
    const after = snapshot(repo, ['.apiops']);
    const changed = [...after.keys()].filter((file) => after.get(file) !== before.get(file));
    // api-0001 lost a tag on the instance too, but it was not selected: its file stays as it was.
    expect(changed).toEqual(['apis/api-0002/api.yaml']);
    expect(after.get('apis/api-0002/api.yaml')).toMatch(/\ntags:\n {2}- Beta\n$/);
    // The API, its operations, policy and tag links, and what its policies reach: never every tag or every API.
    expect(paths).toContain('apis/api-0002/tags');
    expect(paths.filter((p) => p === 'tags' || p === 'apis' || p.startsWith('apis/api-0001'))).toEqual([]);
    expect(requests.total).toBeLessThanOrEqual(16);
    expect(await diffChanges(repo)).toEqual([{ action: 'create', kind: 'apiTag', id: 'api-0001/partner' }]);
  });
});
