import type { LiveResource } from '../../src/azure/live-state';
import { plan } from '../../src/plan/plan';
import type { DesiredResource } from '../../src/render/desired';
import type { ResourceRef } from '../../src/resources/types';
import { generateRepository } from '../fixtures/generate';
import { editFile, removeDir, runCli, runJson, tempDir, writes } from './helpers';
import { withInstance } from './instance';

/**
 * A tag made by hand in APIM rarely has the id apiops derives from its display name (`MediaCat` for "Media Catalog"):
 * the plan adopts the live tag whose display name matches instead of creating a second one.
 */

const described = (changes: Array<{ action: string; kind: string; id: string }>): string[] => changes.map((c) => `${c.action} ${c.kind} ${c.id}`);

describe('plan: adopting a live tag by display name', () => {
  const desired = (ref: ResourceRef, properties: Record<string, unknown> = {}): DesiredResource => ({ ref, properties, source: { file: 'apis/orders/api.yaml', line: 1, column: 1 } });
  const live = (ref: ResourceRef, properties: Record<string, unknown> = {}): LiveResource => ({ ref, properties, etag: '"e"' });
  const repository = (...tags: Array<[string, string]>) => ({
    environment: 'test',
    resources: [
      desired({ kind: 'api', ids: ['orders'] }, { path: 'orders' }),
      ...tags.flatMap(([id, displayName]) => [desired({ kind: 'tag', ids: [id] }, { displayName }), desired({ kind: 'apiTag', ids: ['orders', id] })]),
    ],
  });

  it('links the API to the live tag of the same display name (any case) and creates no tag', () => {
    const result = plan(repository(['media-catalog', 'Media Catalog']), {
      resources: [live({ kind: 'tag', ids: ['MediaCat'] }, { displayName: 'media catalog' }), live({ kind: 'api', ids: ['orders'] }, { path: 'orders' })],
    });
    expect(described(result.changes)).toEqual(['update tag MediaCat', 'create apiTag orders/MediaCat']);
    expect(result.changes[0].fields).toEqual([{ field: 'displayName', before: 'media catalog', after: 'Media Catalog' }]);
    expect(result.adoptedTags).toEqual({ 'media-catalog': 'MediaCat' });
  });

  it('keeps the derived id when the live tag of that id has the display name, and never adopts one tag twice', () => {
    const result = plan(repository(['partner', 'Partner'], ['old', 'Old']), {
      resources: [
        live({ kind: 'tag', ids: ['partner'] }, { displayName: 'Old' }),
        live({ kind: 'tag', ids: ['Hand1'] }, { displayName: 'Partner' }),
        live({ kind: 'apiTag', ids: ['orders', 'partner'] }),
        live({ kind: 'apiTag', ids: ['orders', 'Hand1'] }),
        live({ kind: 'api', ids: ['orders'] }, { path: 'orders' }),
      ],
    });
    expect(result.changes).toEqual([]);
    expect(result.adoptedTags).toEqual({ partner: 'Hand1', old: 'partner' });
  });
});

describe('publish and extract: a tag created by hand', () => {
  let root: string;
  beforeAll(async () => {
    root = tempDir('tag-adoption');
    generateRepository(root, { apis: 2, operationsPerApi: 1 });
    expect((await runCli(root, ['publish', '--env', 'local'])).code).toBe(0);
    await withInstance(root, 'local', async (c) => {
      await c.client.tag.createOrUpdate(c.scope.resourceGroup, c.scope.serviceName, 'MediaCat', { displayName: 'Media Catalog' });
      await c.client.tag.assignToApi(c.scope.resourceGroup, c.scope.serviceName, 'api-0000', 'MediaCat');
    });
  });
  afterAll(() => removeDir(root));

  it('extract then diff is clean, and a publish writes nothing', async () => {
    expect((await runCli(root, ['extract', '--env', 'local'])).code).toBe(0);
    editFile(root, 'apis/api-0000/api.yaml', (text) => {
      expect(text).toMatch(/\ntags:\n {2}- Media Catalog\n$/);
      return text;
    });
    const diff = await runJson(root, ['diff', '--env', 'local', '--exit-code']);
    expect(diff.json.changes).toEqual([]);
    expect(diff.code).toBe(0);
    const publish = await runJson(root, ['publish', '--env', 'local', '--prune']);
    expect(publish.code).toBe(0);
    expect(writes(publish.json.requests)).toBe(0);
  });

  it('links another API naming the tag to the live tag', async () => {
    editFile(root, 'apis/api-0001/api.yaml', (text) => `${text}tags: [media catalog]\n`);
    const publish = await runJson(root, ['publish', '--env', 'local', '--prune']);
    expect(publish.code).toBe(0);
    expect(described(publish.json.applied)).toEqual(['create apiTag api-0001/MediaCat']);
    const tags = await withInstance(root, 'local', async (c) => {
      const found: string[] = [];
      for await (const tag of c.client.tag.listByService(c.scope.resourceGroup, c.scope.serviceName)) found.push(`${tag.name}=${tag.displayName}`);
      return found;
    });
    expect(tags).toEqual(['MediaCat=Media Catalog']);
  });
});
