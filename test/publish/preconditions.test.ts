import { connect } from '../../src/azure/client';
import { readResource } from '../../src/azure/read';
import { putResource } from '../../src/azure/write';
import { applyPlan } from '../../src/apply/apply';
import { resultSummary } from '../../src/apply/report';
import { planAgainstLive } from '../../src/plan/live';
import { styleFor } from '../../src/plan/print';
import { loadAndRender } from '../../src/render';
import { CI_SCOPE, emulatorWithRepositories, runJson, writes } from './helpers';

/**
 * Creates carry `If-None-Match: *`: a resource someone created between plan and apply is a conflict, not replaced,
 * and the closing line claims nothing was overwritten only when every write carried a precondition.
 */

const CI = ['--env', 'ci'];
const PLAIN = styleFor(false);
const THEIR_PRODUCT = { displayName: 'Created in the portal', description: 'theirs', subscriptionRequired: true, state: 'notPublished' };

const setup = emulatorWithRepositories();
const repository = () => setup.repository('preconditions', { apis: 1, operationsPerApi: 1 });

async function emulatorPut(path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const url = `${setup.emulator().url}/subscriptions/${CI_SCOPE.subscriptionId}/resourceGroups/${CI_SCOPE.resourceGroup}/providers/Microsoft.ApiManagement/service/${CI_SCOPE.serviceName}/${path}?api-version=2024-05-01`;
  const response = await fetch(url, { method: 'PUT', headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

describe('the emulator and If-None-Match', () => {
  it('creates with If-None-Match: * when nothing is there, and answers 412 PreconditionFailed when something is', async () => {
    const body = { properties: { displayName: 'inm' } };
    expect((await emulatorPut('tags/inm', body, { 'If-None-Match': '*' })).status).toBe(201);
    const again = await emulatorPut('tags/inm', { properties: { displayName: 'other' } }, { 'If-None-Match': '*' });
    expect(again).toMatchObject({ status: 412, body: { error: { code: 'PreconditionFailed' } } });
    const live = await readResource(connect(CI_SCOPE, { endpoint: setup.emulator().url }), { kind: 'tag', ids: ['inm'] });
    expect(live?.properties.displayName).toBe('inm');
  });

  it('refuses a PUT whose If-None-Match names the current ETag, and lets one naming an older ETag through', async () => {
    const first = await emulatorPut('tags/inm-etag', { properties: { displayName: 'a' } }, {});
    const connection = connect(CI_SCOPE, { endpoint: setup.emulator().url });
    const etag = (await readResource(connection, { kind: 'tag', ids: ['inm-etag'] }))?.etag as string;
    expect(first.status).toBe(201);
    expect((await emulatorPut('tags/inm-etag', { properties: { displayName: 'b' } }, { 'If-None-Match': etag })).status).toBe(412);
    expect((await emulatorPut('tags/inm-etag', { properties: { displayName: 'b' } }, { 'If-None-Match': '"older"' })).status).toBe(200);
  });
});

describe('a resource created by someone else between plan and apply', () => {
  it('is a conflict, left as they made it, and a re-run converges', async () => {
    const root = repository();
    const rendered = loadAndRender(root, 'ci', {});
    const connection = connect(CI_SCOPE, { endpoint: setup.emulator().url });
    const plan = await planAgainstLive(connection, rendered.desired);
    const productCreate = plan.changes.find((c) => c.kind === 'product' && c.action === 'create')!;
    expect(productCreate).toBeDefined();

    // Someone creates the same product in the portal after the plan was made (the SDK, as the portal's backend would).
    await putResource(connect(CI_SCOPE, { endpoint: setup.emulator().url }), productCreate.ref, THEIR_PRODUCT);

    const result = await applyPlan(connection, plan, rendered.desired, { prune: false });
    const outcome = result.outcomes.find((o) => o.change === productCreate)!;
    expect(outcome).toMatchObject({ outcome: 'failed', conflict: true, reason: expect.stringMatching(/^created on the instance by someone else since it was planned.*re-run/) });
    expect(outcome.unguarded).toBeUndefined();
    expect((await readResource(connection, productCreate.ref))?.properties).toMatchObject(THEIR_PRODUCT);
    // The emulator honours If-None-Match and every update and delete carried If-Match: the claim holds.
    expect(resultSummary(result, PLAIN)).toContain('nothing of theirs was overwritten');

    const rerun = await runJson(root, ['publish', ...CI]);
    expect(rerun.code).toBe(0);
    expect(rerun.json.applied).toContainEqual(expect.objectContaining({ action: 'update', kind: 'product', id: productCreate.id }));
    const quiet = await runJson(root, ['publish', ...CI]);
    expect(quiet.json.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(writes(quiet.json.requests)).toBe(0);
  });

  it('is no conflict when it was created as the repository has it (a create whose first attempt landed)', async () => {
    const root = repository();
    const rendered = loadAndRender(root, 'ci', {});
    const connection = connect({ ...CI_SCOPE, serviceName: 'apim-landed' }, { endpoint: setup.emulator().url });
    const plan = await planAgainstLive(connection, rendered.desired);
    const productCreate = plan.changes.find((c) => c.kind === 'product' && c.action === 'create')!;
    const wanted = rendered.desired.resources.find((r) => r.ref.kind === 'product' && r.ref.ids[0] === productCreate.ref.ids[0])!;
    await putResource(connect({ ...CI_SCOPE, serviceName: 'apim-landed' }, { endpoint: setup.emulator().url }), productCreate.ref, wanted.properties);

    const result = await applyPlan(connection, plan, rendered.desired, { prune: false });
    expect(result.ok).toBe(true);
    expect(result.outcomes.find((o) => o.change === productCreate)).toMatchObject({ outcome: 'applied', note: expect.stringMatching(/^already up to date/) });
  });

  it('on a service not known to honour If-None-Match (Azure), the closing line names the creates instead of claiming nothing was overwritten', async () => {
    const root = repository();
    const rendered = loadAndRender(root, 'ci', {});
    const scope = { ...CI_SCOPE, serviceName: 'apim-azure-like' };
    const connection = { ...connect(scope, { endpoint: setup.emulator().url }), honoursIfNoneMatch: false };
    const plan = await planAgainstLive(connection, rendered.desired);
    const productCreate = plan.changes.find((c) => c.kind === 'product' && c.action === 'create')!;
    await putResource(connect(scope, { endpoint: setup.emulator().url }), productCreate.ref, THEIR_PRODUCT);

    const result = await applyPlan(connection, plan, rendered.desired, { prune: false });
    // Operations created by their API's import make no request of their own.
    const creates = result.outcomes.filter((o) => o.change.action === 'create' && o.outcome !== 'skipped' && !o.change.viaImport && !['productApi', 'productGroup', 'apiTag'].includes(o.change.kind));
    expect(creates.length).toBeGreaterThan(1);
    expect(creates.filter((o) => !o.unguarded).map((o) => `${o.outcome} ${o.change.kind} ${o.change.id}`)).toEqual([]);
    const summary = resultSummary(result, PLAIN);
    expect(summary).not.toContain('nothing of theirs was overwritten');
    expect(summary).toMatch(/write.* went without a precondition this service is known to honour \(create namedValue .*create product .*\): a change made to them meanwhile may have been replaced/);
  });
});
