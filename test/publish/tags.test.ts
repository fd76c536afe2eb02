import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { connect } from '../../src/azure/client';
import type { LiveResource } from '../../src/azure/live-state';
import { plan } from '../../src/plan/plan';
import type { ResourceKind } from '../../src/resources/types';
import { tagIdOf } from '../../src/render/tag-id';
import { generateRepository } from '../fixtures/generate';
import { addEndpointEnvironment, CI_SCOPE, editFile, removeDir, runJson, tempDir, writes } from './helpers';

/** API tags end to end: api.yaml `tags` → service-level tags and API–tag links on the emulator, through the real SDK. */

const CI = ['--env', 'ci'];
const { resourceGroup, serviceName } = CI_SCOPE;

interface ChangeJson {
  action: string;
  kind: string;
  id: string;
}

const described = (changes: ChangeJson[]): string[] => changes.map((c) => `${c.action} ${c.kind} ${c.id}`).sort();

function setTags(root: string, apiId: string, tags: string[]): void {
  editFile(root, `apis/${apiId}/api.yaml`, (text) => `${text.replace(/^tags: .*\n/m, '')}${tags.length ? `tags: [${tags.join(', ')}]\n` : ''}`);
}

describe('tagIdOf', () => {
  it('derives a stable lower-kebab APIM id from a tag name', () => {
    expect(tagIdOf('Media Catalog')).toBe('media-catalog');
    expect(tagIdOf('  Partner / B2B  ')).toBe('partner-b2b');
    expect(tagIdOf('Café_Ünïcode')).toBe('cafe_unicode');
    expect(tagIdOf('x'.repeat(100))).toHaveLength(80);
    expect(tagIdOf('++')).toMatch(/^tag-[0-9a-f]{12}$/);
    expect(tagIdOf('++')).toBe(tagIdOf('++'));
    expect(tagIdOf('++')).not.toBe(tagIdOf('--'));
  });
});

describe('plan: which tags the repository deletes', () => {
  const live = (kind: ResourceKind, ...ids: string[]): LiveResource => ({ ref: { kind, ids }, properties: {}, etag: '"e"' });
  const deletes = (...resources: LiveResource[]): string[] =>
    plan({ environment: 'test', resources: [] }, { resources }).changes.map((c) => `${c.action} ${c.kind} ${c.id}`);

  it('deletes a tag with the last link the repository drops, but not one a kept link or no link names', () => {
    expect(deletes(live('api', 'orders'), live('tag', 'beta'), live('apiTag', 'orders', 'beta'))).toEqual([
      'delete apiTag orders/beta',
      'delete tag beta',
      'delete api orders',
    ]);
    // APIM's echo API is not the repository's, so its link stays, and so does the tag.
    expect(deletes(live('api', 'echo-api'), live('tag', 'beta'), live('apiTag', 'echo-api', 'beta'))).toEqual([]);
    // A tag no API links is not one the repository could name.
    expect(deletes(live('tag', 'beta'))).toEqual([]);
  });
});

describe('publish: API tags', () => {
  let emulator: RunningEmulator;
  let root: string;
  let sdk: ReturnType<typeof connect>['client'];

  const apiTagNames = async (apiId: string): Promise<string[]> => {
    const names: string[] = [];
    for await (const tag of sdk.tag.listByApi(resourceGroup, serviceName, apiId)) names.push(tag.displayName ?? '');
    return names.sort();
  };
  const serviceTags = async (): Promise<string[]> => {
    const ids: string[] = [];
    for await (const tag of sdk.tag.listByService(resourceGroup, serviceName)) ids.push(`${tag.name}=${tag.displayName}`);
    return ids.sort();
  };

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    sdk = connect(CI_SCOPE, { endpoint: emulator.url }).client;
    root = tempDir('tags');
    generateRepository(root, { apis: 2, operationsPerApi: 1 });
    addEndpointEnvironment(root, emulator.url);
  });
  afterAll(async () => {
    removeDir(root);
    await emulator.close();
  });

  it('creates the tags and the API links, then writes nothing on a second publish', async () => {
    setTags(root, 'api-0000', ['Media Catalog', 'Partner']);
    setTags(root, 'api-0001', ['Partner']);
    const first = await runJson(root, ['publish', ...CI]);
    expect(first.json.failed).toEqual([]);
    expect(first.code).toBe(0);
    expect(described(first.json.applied).filter((c) => /tag|Tag/.test(c))).toEqual([
      'create apiTag api-0000/media-catalog',
      'create apiTag api-0000/partner',
      'create apiTag api-0001/partner',
      'create tag media-catalog',
      'create tag partner',
    ]);
    expect(await serviceTags()).toEqual(['media-catalog=Media Catalog', 'partner=Partner']);
    expect(await apiTagNames('api-0000')).toEqual(['Media Catalog', 'Partner']);
    expect(await apiTagNames('api-0001')).toEqual(['Partner']);

    const second = await runJson(root, ['publish', ...CI]);
    expect(second.code).toBe(0);
    expect(second.json.applied).toEqual([]);
    expect(writes(second.json.requests)).toBe(0);
  });

  it('renames a tag in place when only its display name changes', async () => {
    setTags(root, 'api-0000', ['Media Catalog', 'partner']);
    setTags(root, 'api-0001', ['partner']);
    const renamed = await runJson(root, ['publish', ...CI]);
    expect(renamed.code).toBe(0);
    expect(described(renamed.json.applied)).toEqual(['update tag partner']);
    expect(await apiTagNames('api-0001')).toEqual(['partner']);
  });

  it('a tag dropped from the last API list naming it goes without --prune, link and tag', async () => {
    setTags(root, 'api-0000', ['partner']);
    const published = await runJson(root, ['publish', ...CI]);
    expect(published.code).toBe(0);
    expect(published.json.notPruned).toEqual([]);
    expect(described(published.json.applied)).toEqual(['delete apiTag api-0000/media-catalog', 'delete tag media-catalog']);
    expect(await apiTagNames('api-0000')).toEqual(['partner']);
    expect(await serviceTags()).toEqual(['partner=partner']);
    expect((await runJson(root, ['diff', ...CI, '--exit-code'])).code).toBe(0);
  });

  it('keeps a tag a product still uses when --prune removes its last API link, and then reports no changes', async () => {
    editFile(root, 'products/partner-production/product.yaml', (text) => `${text}tags: [partner]\n`);
    expect((await runJson(root, ['publish', ...CI])).code).toBe(0);
    setTags(root, 'api-0000', []);
    setTags(root, 'api-0001', []);
    const pruned = await runJson(root, ['publish', ...CI, '--prune']);
    expect(pruned.json.failed).toEqual([]);
    expect(pruned.code).toBe(0);
    expect(described(pruned.json.applied)).toEqual(['delete apiTag api-0000/partner', 'delete apiTag api-0001/partner']);
    expect(await serviceTags()).toEqual(['partner=partner']);
    const productTags: string[] = [];
    for await (const tag of sdk.tag.listByProduct(resourceGroup, serviceName, 'partner-production')) productTags.push(tag.name ?? '');
    expect(productTags).toEqual(['partner']);
    expect((await runJson(root, ['diff', ...CI, '--exit-code'])).code).toBe(0);
  });
});
