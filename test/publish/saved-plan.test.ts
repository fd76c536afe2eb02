import * as fs from 'fs';
import * as path from 'path';
import { copySample, editFile, removeDir, runCli, runJson, writes } from './helpers';

/**
 * Saved plans end to end (`diff --out` then `publish --plan`), through the real SDK against the embedded emulator: the
 * plan applies exactly; it is refused, naming the resources and writing nothing, when the repository or the instance
 * changed since it was made.
 */

const LOCAL = ['--env', 'local'];
const WEBHOOK_SECRET = 'whsec-Zq8vT3nLx0pR7bKd2Fm9';
const SECRET_ENV = { APIOPS_FABRIKAM_WEBHOOK_SECRET: WEBHOOK_SECRET };
const CATALOG_POLICY = 'apis/media-catalog/policy.xml';
const editCatalogPolicy = (root: string, header: string) =>
  editFile(root, CATALOG_POLICY, (text) => text.replace('<cache-store', `<set-header name="${header}" exists-action="override"><value>1</value></set-header>\n        <cache-store`));

describe('saved plans: diff --out and publish --plan', () => {
  let root: string;
  beforeEach(async () => {
    root = copySample();
    expect((await runCli(root, ['publish', ...LOCAL], SECRET_ENV)).code).toBe(0);
  });
  afterEach(() => removeDir(root));

  it('applies exactly the saved plan, after which the instance matches the repository', async () => {
    editCatalogPolicy(root, 'X-Plan');
    const diff = await runCli(root, ['diff', ...LOCAL, '--out', 'plan.json', '--json'], SECRET_ENV);
    expect(diff.code).toBe(0);
    expect(JSON.parse(diff.out).changes).toEqual([{ action: 'update', kind: 'apiPolicy', id: 'media-catalog', fields: ['value'] }]);
    const saved = JSON.parse(fs.readFileSync(path.join(root, 'plan.json'), 'utf8'));
    expect(saved).toMatchObject({ kind: 'apiops-plan', formatVersion: 1, environment: 'local', target: 'embedded emulator (.apiops/local)' });
    expect(saved.plan.changes[0].etag).toEqual(expect.any(String));
    expect(JSON.stringify(saved)).not.toContain(WEBHOOK_SECRET);

    const published = await runJson(root, ['publish', '--plan', 'plan.json'], SECRET_ENV);
    expect(published.code).toBe(0);
    expect(published.json.applied).toEqual([{ action: 'update', kind: 'apiPolicy', id: 'media-catalog', fields: ['value'] }]);
    expect(published.json.requests.PUT).toBe(1);
    const after = await runJson(root, ['diff', ...LOCAL], SECRET_ENV);
    expect(after.json.changes).toEqual([]);
  });

  it('is refused when the instance changed since, naming the resource, and writes nothing', async () => {
    editCatalogPolicy(root, 'X-Plan');
    expect((await runCli(root, ['diff', ...LOCAL, '--out', 'plan.json'], SECRET_ENV)).code).toBe(0);
    // Someone else publishes another change to the same policy, then the repository is back as the plan saw it.
    const reviewed = fs.readFileSync(path.join(root, CATALOG_POLICY), 'utf8');
    editCatalogPolicy(root, 'X-Other');
    expect((await runCli(root, ['publish', ...LOCAL], SECRET_ENV)).code).toBe(0);
    fs.writeFileSync(path.join(root, CATALOG_POLICY), reviewed);

    const refused = await runCli(root, ['publish', '--plan', 'plan.json'], SECRET_ENV);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('refused, the instance changed since the plan was made:\n  apiPolicy media-catalog\n');
    const live = await runJson(root, ['diff', ...LOCAL], SECRET_ENV);
    // The other change is still live: the refused plan wrote nothing.
    expect(live.json.changes).toEqual([{ action: 'update', kind: 'apiPolicy', id: 'media-catalog', fields: ['value'] }]);
  });

  it('is refused when a resource was created on the instance that the plan would create', async () => {
    fs.mkdirSync(path.join(root, 'named-values'), { recursive: true });
    fs.writeFileSync(path.join(root, 'named-values/plan-flag.yaml'), 'displayName: plan-flag\nvalue: "on"\n');
    expect((await runCli(root, ['diff', ...LOCAL, '--out', 'plan.json'], SECRET_ENV)).code).toBe(0);
    expect((await runCli(root, ['publish', ...LOCAL], SECRET_ENV)).code).toBe(0);
    const refused = await runCli(root, ['publish', '--plan', 'plan.json'], SECRET_ENV);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('  namedValue plan-flag\n');
  });

  it('is refused when the repository changed since, before reading the instance', async () => {
    expect((await runCli(root, ['diff', ...LOCAL, '--out', 'plan.json'], SECRET_ENV)).code).toBe(0);
    editCatalogPolicy(root, 'X-Late');
    const refused = await runCli(root, ['publish', '--plan', 'plan.json'], SECRET_ENV);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('refused, the repository changed since the plan was made:\n  apiPolicy media-catalog\n');
    expect(refused.err).not.toContain('Reading');
  });

  it('a plan with nothing to do applies cleanly and writes nothing', async () => {
    expect((await runCli(root, ['diff', ...LOCAL, '--out', 'plan.json'], SECRET_ENV)).code).toBe(0);
    const published = await runJson(root, ['publish', '--plan', 'plan.json'], SECRET_ENV);
    expect(published.code).toBe(0);
    expect(writes(published.json.requests)).toBe(0);
  });

  it('names a plan for another environment, and a file that is not a plan', async () => {
    expect((await runCli(root, ['diff', ...LOCAL, '--out', 'plan.json'], SECRET_ENV)).code).toBe(0);
    const other = await runCli(root, ['publish', '--plan', 'plan.json', '--env', 'dev']);
    expect(other.code).toBe(1);
    expect(other.err).toContain('plan.json: the plan is for environment "local", not "dev"');
    fs.writeFileSync(path.join(root, 'not-a-plan.json'), '{"changes": []}');
    const bad = await runCli(root, ['publish', '--plan', 'not-a-plan.json']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('not-a-plan.json: not an apiops plan');
    expect(bad.err).not.toMatch(/\bat \S+ \(/);
  });
});

describe('diff --format markdown', () => {
  let root: string;
  beforeEach(() => {
    root = copySample();
  });
  afterEach(() => removeDir(root));

  it('a summary table, fields, and policy changes as diff blocks; secrets never shown', async () => {
    expect((await runCli(root, ['publish', ...LOCAL], SECRET_ENV)).code).toBe(0);
    editCatalogPolicy(root, 'X-Markdown');
    editFile(root, 'named-values/catalog-cache-seconds.yaml', (text) => text.replace('"300"', '"600"'));
    const changedSecret = { APIOPS_FABRIKAM_WEBHOOK_SECRET: 'whsec-rotated-Kq29xLm7' };
    const run = await runCli(root, ['diff', ...LOCAL, '--format', 'markdown'], changedSecret);
    expect(run.code).toBe(0);
    const md = run.out;
    expect(md).toContain('### apiops diff: environment `local`\n\nTarget: embedded emulator (.apiops/local)\n');
    expect(md).toContain('| resource | create | update | delete |\n|---|---:|---:|---:|\n');
    expect(md).toContain('| namedValue |  | 2 |  |');
    expect(md).toContain('| apiPolicy |  | 1 |  |');
    expect(md).toContain('| **total** (');
    expect(md).toContain('- ✏️ **update** `namedValue` `catalog-cache-seconds`\n  - `value: "300" → "600"`');
    expect(md).toContain('- ✏️ **update** `namedValue` `fabrikam-webhook-secret`\n  - `value: (sensitive value)`');
    expect(md).toMatch(/- ✏️ \*\*update\*\* `apiPolicy` `media-catalog`\n\n {2}```diff\n[\s\S]*\+ *<set-header name="X-Markdown"[\s\S]*\n {2}```\n/);
    expect(md).not.toContain('whsec-rotated-Kq29xLm7');
    expect(md).not.toContain(WEBHOOK_SECRET);
  });

  it('says there is nothing to change', async () => {
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    const run = await runCli(root, ['diff', ...LOCAL, '--format', 'markdown']);
    expect(run.out).toMatch(/No changes: the live instance matches the repository \(\d+ resources\)\./);
  });
});
