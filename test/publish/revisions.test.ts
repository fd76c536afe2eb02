import { connect, type ServiceScope } from '../../src/azure/client';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { endpointRepository, snapshot, TemporaryDirs } from '../extract/files';
import { makeRepo, MINIMAL_REPO, removeRepo, runCli } from '../fixtures/repo';
import { API_TYPES_REPO } from '../fixtures/whole-instance';

/**
 * Which revision is current, made so by a release, through publish and extract over the real SDK: a repository whose
 * current revision is 2 (revision 1 in revisions/1/) published into an empty instance, then a later release of a
 * revision the instance already holds; no publish creates or loses a revision the repository does not name.
 */

const temporary = new TemporaryDirs('apiops-revisions');
const SCOPE: ServiceScope = { subscriptionId: '22222222-3333-4444-5555-666666666666', resourceGroup: 'rg-revisions', serviceName: 'apim-revisions' };
let emulator: RunningEmulator;

const ORDERS_V1_SPEC = MINIMAL_REPO['apis/orders/openapi.yaml'];
const ORDERS_V2_SPEC = API_TYPES_REPO['apis/orders/revisions/2/openapi.yaml'];

function repository(files: Record<string, string | null>): string {
  const config = snapshot(endpointRepository(temporary, SCOPE, emulator.url)).get('apiops.config.yaml')!;
  return makeRepo({ ...files, 'apiops.config.yaml': `${config}    values: { audience: api://orders, backendApp: api://func-orders }\n` });
}

async function publish(repo: string, ...flags: string[]): Promise<{ code: number; changes: string[]; err: string }> {
  const { code, io } = await runCli(['publish', '--env', 'ci', '--repo', repo, '--json', ...flags], repo);
  return { code, changes: io.out ? JSON.parse(io.out).changes.map((c: { action: string; kind: string; id: string }) => `${c.action} ${c.kind} ${c.id}`) : [], err: io.err };
}

async function revisions(): Promise<Array<[string, boolean | undefined, string[]]>> {
  const c = connect(SCOPE, { endpoint: emulator.url });
  const { resourceGroup: rg, serviceName: svc } = c.scope;
  const found: Array<[string, boolean | undefined, string[]]> = [];
  for await (const revision of c.client.apiRevision.listByService(rg, svc, 'orders')) {
    const operations: string[] = [];
    for await (const operation of c.client.apiOperation.listByApi(rg, svc, revision.isCurrent ? 'orders' : `orders;rev=${revision.apiRevision}`)) operations.push(operation.name!);
    found.push([String(revision.apiRevision), revision.isCurrent, operations.sort()]);
  }
  return found.sort();
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator?.close();
  temporary.removeAll();
});

describe('the current revision and its release', () => {
  const files = {
    'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nbackend: orders-functions\nrevision: 2\nrevisionDescription: Lists orders\nrelease: { id: listing, notes: Orders can be listed }\n',
    'apis/orders/openapi.yaml': ORDERS_V2_SPEC,
    'apis/orders/revisions/1/revision.yaml': 'description: First revision\n',
    'apis/orders/revisions/1/openapi.yaml': ORDERS_V1_SPEC,
    'apis/orders/revisions/1/policy.xml': MINIMAL_REPO['apis/orders/policy.xml'],
  };

  it('publishes a repository whose current revision is 2 into an empty instance: revision 2 current, revision 1 kept, once', async () => {
    const repo = repository(files);
    try {
      const first = await publish(repo);
      expect(first).toMatchObject({ code: 0, err: expect.not.stringMatching(/fail|error/i) });
      expect(first.changes).toEqual(expect.arrayContaining(['create api orders', 'create api orders;rev=2', 'create apiRelease orders/listing']));
      expect(await revisions()).toEqual([
        ['1', false, ['getOrder']],
        ['2', true, ['getOrder', 'listOrders']],
      ]);
      const c = connect(SCOPE, { endpoint: emulator.url });
      const release = await c.client.apiRelease.get(c.scope.resourceGroup, c.scope.serviceName, 'orders', 'listing');
      expect(release).toMatchObject({ notes: 'Orders can be listed' });
      expect((await publish(repo)).changes).toEqual([]);
    } finally {
      removeRepo(repo);
    }
  });

  it('extracts the current revision, its release and the other revision as they were published', async () => {
    const out = repository({});
    try {
      expect((await runCli(['extract', '--env', 'ci', '--repo', out, '--out', out], out)).code).toBe(0);
      const extracted = snapshot(out, ['.apiops']);
      const api = extracted.get('apis/orders/api.yaml');
      expect(api).toMatch(/\nrevision: 2\n/);
      expect(api).toMatch(/\nrevisionDescription: Lists orders\n/);
      expect(api).toMatch(/\nrelease:\n {2}id: listing\n {2}notes: Orders can be listed\n/);
      expect(extracted.get('apis/orders/revisions/1/revision.yaml')).toMatch(/\ndescription: First revision\n$/);
      expect(extracted.get('apis/orders/revisions/1/openapi.yaml')).toContain('getOrder');
      expect(extracted.get('apis/orders/openapi.yaml')).toContain('listOrders');
      const diff = await runCli(['diff', '--env', 'ci', '--repo', out, '--json'], out);
      expect(JSON.parse(diff.io.out).changes).toEqual([]);
    } finally {
      removeRepo(out);
    }
  });

  it('makes revision 1 current again with a new release: no revision is created, revision 2 is kept while the repository names it', async () => {
    const repo = repository({
      ...files,
      'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nbackend: orders-functions\nrevisionDescription: First revision\nrelease: { id: rollback, notes: Back to revision 1 }\n',
      'apis/orders/openapi.yaml': ORDERS_V1_SPEC,
      'apis/orders/policy.xml': MINIMAL_REPO['apis/orders/policy.xml'],
      'apis/orders/revisions/1/revision.yaml': null,
      'apis/orders/revisions/1/openapi.yaml': null,
      'apis/orders/revisions/1/policy.xml': null,
      'apis/orders/revisions/2/revision.yaml': 'description: Lists orders\n',
      'apis/orders/revisions/2/openapi.yaml': ORDERS_V2_SPEC,
      'apis/orders/revisions/2/policy.xml': MINIMAL_REPO['apis/orders/policy.xml'],
    });
    try {
      const switched = await publish(repo);
      expect(switched).toMatchObject({ code: 0, err: expect.not.stringMatching(/fail|error/i) });
      expect(switched.changes).toContain('create apiRelease orders/rollback');
      expect(switched.changes.filter((change) => /^(create|delete) api /.test(change))).toEqual([]);
      expect(await revisions()).toEqual([
        ['1', true, ['getOrder']],
        ['2', false, ['getOrder', 'listOrders']],
      ]);
      expect((await publish(repo)).changes).toEqual([]);
      // Dropping revision 2's folder deletes that revision, only with --prune.
      const dropped = repository({ ...files, 'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nbackend: orders-functions\nrevisionDescription: First revision\nrelease: { id: rollback, notes: Back to revision 1 }\n', 'apis/orders/openapi.yaml': ORDERS_V1_SPEC, 'apis/orders/policy.xml': MINIMAL_REPO['apis/orders/policy.xml'], 'apis/orders/revisions/1/revision.yaml': null, 'apis/orders/revisions/1/openapi.yaml': null, 'apis/orders/revisions/1/policy.xml': null });
      try {
        const kept = await publish(dropped);
        expect(kept.changes).toEqual(expect.arrayContaining(['delete api orders;rev=2']));
        expect((await revisions()).map(([n]) => n)).toEqual(['1', '2']);
        await publish(dropped, '--prune');
        expect((await revisions()).map(([n]) => n)).toEqual(['1']);
      } finally {
        removeRepo(dropped);
      }
    } finally {
      removeRepo(repo);
    }
  });
});

describe('what a revision holds besides its specification and policies', () => {
  it('writes the current revision 2\'s API schema, API tags and operation tags into an empty instance, then nothing', async () => {
    const scope: ServiceScope = { ...SCOPE, serviceName: 'apim-revisions-schemas' };
    const config = snapshot(endpointRepository(temporary, scope, emulator.url)).get('apiops.config.yaml')!;
    const repo = makeRepo({
      'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nbackend: orders-functions\nrevision: 2\nrelease: { id: listing, notes: Orders can be listed }\ntags: [Finance]\noperationTags: { listOrders: [Paged] }\n',
      'apis/orders/openapi.yaml': ORDERS_V2_SPEC,
      'apis/orders/api-schemas/order.yaml': 'contentType: application/json\nvalue: \'{"type": "object", "properties": {"id": {"type": "integer"}}}\'\n',
      'apiops.config.yaml': `${config}    values: { audience: api://orders, backendApp: api://func-orders }\n`,
    });
    try {
      const first = await publish(repo);
      expect(first).toMatchObject({ code: 0, err: expect.not.stringMatching(/fail|error/i) });
      const c = connect(scope, { endpoint: emulator.url });
      const { resourceGroup: rg, serviceName: svc } = c.scope;
      expect(await c.client.apiSchema.get(rg, svc, 'orders', 'order')).toMatchObject({ contentType: 'application/json' });
      expect((await c.client.tag.getByApi(rg, svc, 'orders', 'finance')).displayName).toBe('Finance');
      expect((await c.client.tag.getByOperation(rg, svc, 'orders', 'listOrders', 'paged')).displayName).toBe('Paged');
      const again = await publish(repo);
      expect(again.changes.filter((change) => !change.startsWith('delete '))).toEqual([]);
    } finally {
      removeRepo(repo);
    }
  });
});

describe('a revision after the current one', () => {
  const SCOPE3: ServiceScope = { ...SCOPE, serviceName: 'apim-revisions-later' };
  const files = {
    'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nbackend: orders-functions\nrevision: 2\nrevisionDescription: Lists orders\nrelease: { id: listing, notes: Orders can be listed }\n',
    'apis/orders/openapi.yaml': ORDERS_V2_SPEC,
    'apis/orders/revisions/3/revision.yaml': 'description: Not released yet\n',
    'apis/orders/revisions/3/openapi.yaml': ORDERS_V1_SPEC,
    'apis/orders/revisions/3/policy.xml': MINIMAL_REPO['apis/orders/policy.xml'],
  };

  it('publishes the current revision 2 and a revision 3 into an empty instance, then writes nothing (revision 1 removed with --prune)', async () => {
    const config = snapshot(endpointRepository(temporary, SCOPE3, emulator.url)).get('apiops.config.yaml')!;
    const repo = makeRepo({ ...files, 'apiops.config.yaml': `${config}    values: { audience: api://orders, backendApp: api://func-orders }\n` });
    try {
      const first = await publish(repo);
      expect(first).toMatchObject({ code: 0, err: expect.not.stringMatching(/fail|error/i) });
      expect(first.changes).toEqual(expect.arrayContaining(['create api orders', 'create api orders;rev=2', 'create api orders;rev=3', 'create apiRelease orders/listing']));
      const c = connect(SCOPE3, { endpoint: emulator.url });
      const found: Array<[string, boolean | undefined]> = [];
      for await (const revision of c.client.apiRevision.listByService(c.scope.resourceGroup, c.scope.serviceName, 'orders')) found.push([String(revision.apiRevision), revision.isCurrent]);
      // Revision 1 is the one APIM creates with the API: the repository has no folder for it, so --prune removes it.
      expect(found.sort()).toEqual([['1', false], ['2', true], ['3', false]]);
      const revisionOne = ['delete api orders;rev=1', 'delete apiOperation orders;rev=1/getOrder', 'delete apiOperation orders;rev=1/listOrders'];
      expect((await publish(repo)).changes.sort()).toEqual(revisionOne);
      expect((await publish(repo, '--prune')).changes.sort()).toEqual(revisionOne);
      expect((await publish(repo, '--prune')).changes).toEqual([]);
    } finally {
      removeRepo(repo);
    }
  });
});
