import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { connect, type ApimConnection } from '../../src/azure/client';
import { readLiveState } from '../../src/azure/read';
import { generateRepository } from '../fixtures/generate';
import { addEndpointEnvironment, CI_SCOPE, removeDir, runCli, tempDir } from './helpers';

/** Reading live state: only what is selected, in the ARM `properties` shape, at a cost independent of the rest. */

describe('readLiveState', () => {
  let emulator: RunningEmulator;
  let root: string;
  const API_COUNT = 12;
  const OPERATIONS = 4;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    root = tempDir('read');
    generateRepository(root, { apis: API_COUNT, operationsPerApi: OPERATIONS, operationPolicyEvery: 2 });
    addEndpointEnvironment(root, emulator.url);
    expect((await runCli(root, ['publish', '--env', 'ci'])).code).toBe(0);
  });
  afterAll(async () => {
    await emulator.close();
    removeDir(root);
  });

  const fresh = (): ApimConnection => connect(CI_SCOPE, { endpoint: emulator.url });

  it('reads one selected API with a handful of requests, whatever the number of other APIs', async () => {
    const c = fresh();
    const state = await readLiveState(c, { kinds: ['api', 'apiOperation', 'apiPolicy', 'operationPolicy'], apis: ['api-0003'] });
    // The API, its operation list, its policy, one policy GET per operation, and the list of non-current revisions.
    expect(c.requests.total).toBe(4 + OPERATIONS);
    expect(new Set(state.resources.map((r) => r.ref.ids[0]))).toEqual(new Set(['api-0003']));
    const kinds = state.resources.map((r) => r.ref.kind);
    expect(kinds.filter((k) => k === 'apiOperation')).toHaveLength(OPERATIONS);
    expect(kinds.filter((k) => k === 'operationPolicy')).toHaveLength(OPERATIONS / 2);
  });

  it("reads an API's operation policies as soon as its operations are listed, without waiting for other APIs' lists", async () => {
    const c = fresh();
    // The operation list of one API answers late; every request is logged as it is sent and as it is answered.
    const events: string[] = [];
    const slowList = /\/apis\/api-0005\/operations\?/;
    c.client.pipeline.addPolicy(
      {
        name: 'testSlowOperationList',
        sendRequest: async (request, next) => {
          const what = `${request.method} ${new URL(request.url).pathname.replace(/^.*\/service\/[^/]+/, '')}`;
          events.push(`sent ${what}`);
          if (slowList.test(request.url)) await new Promise((resolve) => setTimeout(resolve, 300));
          const response = await next(request);
          events.push(`answered ${what}`);
          return response;
        },
      },
      { afterPolicies: ['apiopsConcurrencyLimit'] },
    );
    await readLiveState(c, { kinds: ['api', 'apiOperation', 'operationPolicy'] });
    const slowAnswered = events.indexOf('answered GET /apis/api-0005/operations');
    const otherPolicies = events.flatMap((event, i) => (/^sent GET \/apis\/api-0000\/operations\/op\d+\/policies\/policy$/.test(event) ? [i] : []));
    expect(slowAnswered).toBeGreaterThan(0);
    expect(otherPolicies.length).toBe(OPERATIONS);
    expect(otherPolicies.every((i) => i < slowAnswered)).toBe(true);
  });

  it('reads one selected product and its links and policy', async () => {
    const c = fresh();
    const state = await readLiveState(c, { kinds: ['product', 'productApi', 'productGroup', 'productPolicy'], products: ['partner-developer'] });
    expect(c.requests.total).toBe(4);
    expect(state.resources.filter((r) => r.ref.kind === 'productApi')).toHaveLength(API_COUNT);
    expect(state.resources.find((r) => r.ref.kind === 'productPolicy')?.ref.ids).toEqual(['partner-developer']);
  });

  it('lists whole collections with one request per page, and returns ARM properties with rawxml policies', async () => {
    const c = fresh();
    const state = await readLiveState(c, { kinds: ['api', 'namedValue', 'apiPolicy'] });
    // The API list, the named value list, one policy per API, and the list of non-current revisions.
    expect(c.requests.total).toBe(3 + API_COUNT);
    const api = state.resources.find((r) => r.ref.kind === 'api' && r.ref.ids[0] === 'api-0000');
    expect(api?.properties).toMatchObject({ displayName: 'Generated API 0', path: 'generated/api-0000', protocols: ['https'] });
    const policy = state.resources.find((r) => r.ref.kind === 'apiPolicy');
    expect(policy?.properties.format).toBe('rawxml');
    expect(policy?.properties.value).toContain('<include-fragment fragment-id="call-functions-with-managed-identity" />');
    expect(policy?.etag).toBeTruthy();
    expect(state.resources.some((r) => r.ref.kind === 'product')).toBe(false);
  });

  it('skips selected ids that do not exist', async () => {
    const state = await readLiveState(fresh(), { kinds: ['api', 'apiPolicy'], apis: ['no-such-api'] });
    expect(state.resources).toEqual([]);
  });
});
