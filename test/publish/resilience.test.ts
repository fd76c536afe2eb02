import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator';
import { connect } from '../../src/azure/client';
import { readResource } from '../../src/azure/read';
import { putResource } from '../../src/azure/write';
import { applyPlan } from '../../src/apply/apply';
import { planAgainstLive } from '../../src/plan/live';
import { loadAndRender } from '../../src/render';
import { generateRepository } from '../fixtures/generate';
import { addEndpointEnvironment, CI_SCOPE, editFile, removeDir, runCli, runJson, tempDir, writes } from './helpers';

/** Publishing to a running emulator through an `endpoint` target: concurrent changes and injected faults. */

const CI = ['--env', 'ci'];
const POLICY = { kind: 'apiPolicy' as const, ids: ['api-0000'] };
const SOMEONE_ELSES_POLICY = '<policies><inbound><base /><set-header name="X-Edited-In-Portal" exists-action="override"><value>yes</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';

const roots: string[] = [];
afterAll(() => roots.forEach(removeDir));

function repositoryFor(emulator: RunningEmulator, apis: number, operationsPerApi: number): string {
  const root = tempDir('resilience');
  roots.push(root);
  generateRepository(root, { apis, operationsPerApi, operationPolicyEvery: 2 });
  addEndpointEnvironment(root, emulator.url);
  return root;
}

/** An emulator serving the enclosing describe block's tests. */
function useEmulator(options: EmulatorOptions = {}): () => RunningEmulator {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, ...options });
  });
  afterAll(() => emulator.close());
  return () => emulator;
}

describe('a change made on the instance between plan and apply', () => {
  const emulator = useEmulator();
  let root: string;

  it('is detected (412), not overwritten, and a re-run re-plans and converges', async () => {
    root = repositoryFor(emulator(), 2, 2);
    expect((await runCli(root, ['publish', ...CI])).code).toBe(0);
    editFile(root, 'apis/api-0000/policy.xml', (text) => text.replace('<base />', '<base />\n        <set-header name="X-From-Git" exists-action="override"><value>1</value></set-header>'));

    const rendered = loadAndRender(root, 'ci', {});
    const connection = connect(CI_SCOPE, { endpoint: emulator().url });
    const plan = await planAgainstLive(connection, rendered.desired);
    expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['update apiPolicy api-0000']);
    expect(plan.changes[0].etag).toBeTruthy();

    // Someone edits the same policy in the portal after the plan was made.
    const portal = connect(CI_SCOPE, { endpoint: emulator().url });
    await putResource(portal, POLICY, { format: 'rawxml', value: SOMEONE_ELSES_POLICY });

    const result = await applyPlan(connection, plan, rendered.desired, { prune: false });
    expect(result.ok).toBe(false);
    expect(result.outcomes).toHaveLength(1);
    expect(result.outcomes[0]).toMatchObject({ outcome: 'failed', conflict: true });
    expect(result.outcomes[0].reason).toMatch(/changed on the instance since it was planned.*re-run/);
    const live = await readResource(connection, POLICY);
    expect(live?.properties.value).toContain('X-Edited-In-Portal');

    const cli = await runCli(root, ['publish', ...CI]);
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/X-Edited-In-Portal/);
    expect((await runJson(root, ['diff', ...CI, '--exit-code'])).code).toBe(0);
  });

  it('is no conflict when the change made meanwhile is the one planned: nothing is left to write', async () => {
    editFile(root, 'apis/api-0000/policy.xml', (text) => text.replace('<base />', '<base />\n        <set-header name="X-Same" exists-action="override"><value>1</value></set-header>'));
    const rendered = loadAndRender(root, 'ci', {});
    const connection = connect(CI_SCOPE, { endpoint: emulator().url });
    const plan = await planAgainstLive(connection, rendered.desired);
    expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['update apiPolicy api-0000']);
    const wanted = rendered.desired.resources.find((r) => r.ref.kind === 'apiPolicy' && r.ref.ids[0] === 'api-0000')!;
    // The same edit, laid out differently, made in the portal after planning (e.g. a retried write that had landed).
    await putResource(connect(CI_SCOPE, { endpoint: emulator().url }), POLICY, { format: 'rawxml', value: (wanted.properties.value as string).replace(/\n\s*/g, '') });

    const result = await applyPlan(connection, plan, rendered.desired, { prune: false });
    expect(result.outcomes).toMatchObject([{ outcome: 'applied', note: expect.stringMatching(/^already up to date/) }]);
    expect(connection.requests.PUT).toBe(1);
  });

  it('fails only the conflicting change: independent work continues', async () => {
    editFile(root, 'apis/api-0001/policy.xml', (text) => text.replace('<base />', '<base />\n        <set-header name="X-Second" exists-action="override"><value>2</value></set-header>'));
    editFile(root, 'apis/api-0000/operations/op0.xml', (text) => text.replace('<base />', '<base />\n        <set-header name="X-Op" exists-action="override"><value>0</value></set-header>'));
    const rendered = loadAndRender(root, 'ci', {});
    const connection = connect(CI_SCOPE, { endpoint: emulator().url });
    const plan = await planAgainstLive(connection, rendered.desired);
    await putResource(connect(CI_SCOPE, { endpoint: emulator().url }), { kind: 'apiPolicy', ids: ['api-0001'] }, { format: 'rawxml', value: SOMEONE_ELSES_POLICY });
    const result = await applyPlan(connection, plan, rendered.desired, { prune: false });
    expect(result.outcomes.map((o) => `${o.outcome} ${o.change.kind} ${o.change.id}`)).toEqual([
      'failed apiPolicy api-0001',
      'applied operationPolicy api-0000/op0',
    ]);
  });
});

describe('a change the service refuses', () => {
  const emulator = useEmulator();
  let root: string;

  it('fails alone: what depends on it is skipped, independent work is applied, and a re-run converges', async () => {
    root = repositoryFor(emulator(), 2, 2);
    const rendered = loadAndRender(root, 'ci', {});
    const fragment = rendered.desired.resources.find((r) => r.ref.kind === 'policyFragment' && r.ref.ids[0] === 'call-functions-with-managed-identity')!;
    const goodValue = fragment.properties.value as string;
    // A reference to a named value the instance does not have: the service answers 400.
    fragment.properties = { ...fragment.properties, value: goodValue.replace('</fragment>', '<set-header name="X-Broken" exists-action="override"><value>{{no-such-value}}</value></set-header></fragment>') };
    const connection = connect(CI_SCOPE, { endpoint: emulator().url });
    const result = await applyPlan(connection, await planAgainstLive(connection, rendered.desired), rendered.desired, { prune: false });
    const outcome = (kind: string, id: string) => result.outcomes.find((o) => o.change.kind === kind && o.change.id === id);
    expect(result.ok).toBe(false);
    expect(outcome('policyFragment', 'call-functions-with-managed-identity')).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^400: .*no-such-value/) });
    // API policies include the fragment: skipped. Everything else does not need it: applied.
    expect(outcome('apiPolicy', 'api-0000')).toMatchObject({ outcome: 'skipped', reason: 'policyFragment call-functions-with-managed-identity was not applied' });
    expect(outcome('apiPolicy', 'api-0001')?.outcome).toBe('skipped');
    expect(result.outcomes.filter((o) => o.outcome === 'applied').map((o) => o.change.kind)).toEqual(
      expect.arrayContaining(['namedValue', 'backend', 'globalPolicy', 'api', 'operationPolicy', 'product', 'productApi', 'productPolicy']),
    );
    expect(result.outcomes.filter((o) => o.outcome === 'failed' || o.outcome === 'skipped')).toHaveLength(3);

    const rerun = await runJson(root, ['publish', ...CI]);
    expect(rerun.code).toBe(0);
    expect(rerun.json.applied.map((c: { kind: string; id: string }) => `${c.kind} ${c.id}`).sort()).toEqual([
      'apiPolicy api-0000',
      'apiPolicy api-0001',
      'policyFragment call-functions-with-managed-identity',
    ]);
  });
});

describe('publishing under injected faults', () => {
  const emulator = useEmulator({ faultRate: 0.2, seed: 42, retryAfterSeconds: 0 });
  let root: string;

  it('converges at 20% faults (seeded), and a re-publish writes nothing', async () => {
    root = repositoryFor(emulator(), 6, 4);
    let run = await runJson(root, ['publish', ...CI]);
    // Retries absorb nearly every fault; a change whose retries all failed is retried by re-running.
    for (let attempt = 1; run.code !== 0 && attempt < 3; attempt++) run = await runJson(root, ['publish', ...CI]);
    expect(run.code).toBe(0);
    const faults = emulator().stats().faults;
    expect(Object.values(faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);

    emulator().resetStats();
    const again = await runJson(root, ['publish', ...CI]);
    expect(again.code).toBe(0);
    expect(again.json.applied).toEqual([]);
    expect(writes(again.json.requests)).toBe(0);
    // Requests are counted at the HTTP client, every attempt: the emulator saw exactly as many, faults included.
    const seen = emulator().stats();
    expect(Object.values(seen.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(again.json.requests.total).toBe(seen.total);
  });
});
