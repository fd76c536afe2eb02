import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { connect } from '../../src/azure/client';
import { CI_SCOPE, editFile, emulatorWithRepositories, runCli, runJson, writes } from './helpers';

/**
 * `--changed-since REF` on diff, publish and validate, in a real git repository whose environment `ci` is an emulator
 * reached through the real SDK: the selection is what the commits since REF (and uncommitted edits) touched, with
 * what it uses, compared with the live instance.
 */

const CI = ['--env', 'ci'];
const setup = emulatorWithRepositories();

function git(root: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function commitAll(root: string, message: string): void {
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', message);
}

/** A generated repository published to its own emulator instance, committed, with the tag `published`. */
async function publishedRepository(name: string, apis = 40): Promise<string> {
  const root = setup.repository(name, { apis, operationsPerApi: 3 });
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.email', 'apiops@example.com');
  git(root, 'config', 'user.name', 'apiops test');
  git(root, 'config', 'commit.gpgsign', 'false');
  commitAll(root, 'the repository');
  git(root, 'tag', 'published');
  // Each repository gets an instance of its own: the emulator keys instances by service name.
  editFile(root, 'apiops.config.yaml', (text) => text.replace(`serviceName: ${CI_SCOPE.serviceName}`, `serviceName: ${name}`));
  commitAll(root, 'its own instance');
  git(root, 'tag', '-f', 'published');
  const published = await runCli(root, ['publish', ...CI]);
  expect(published.code).toBe(0);
  return root;
}

interface Change {
  action: string;
  kind: string;
  id: string;
}

const listed = (changes: Change[]) => changes.map((c) => `${c.action} ${c.kind} ${c.id}`).sort();

/** diff --json, with the number of requests it read the instance in (said on stderr). */
async function diff(root: string, ...extra: string[]): Promise<{ code: number; changes: string[]; requests: number; err: string }> {
  const run = await runJson<{ changes: Change[] }>(root, ['diff', ...CI, ...extra]);
  const requests = /in (\d+) requests\./.exec(run.err);
  return { code: run.code, changes: listed(run.json.changes ?? []), requests: requests ? Number(requests[1]) : Number.NaN, err: run.err };
}

function editApiPolicy(root: string, apiId: string): void {
  editFile(root, `apis/${apiId}/policy.xml`, (text) => text.replace('<outbound>\n        <base />', `<outbound>\n        <base />\n        <set-header name="X-Edited" exists-action="override"><value>${apiId}</value></set-header>`));
}

describe('--changed-since on 40 APIs', () => {
  it('one changed API policy: reads a handful of resources, writes only that, and still sees drift on what it selected', async () => {
    const root = await publishedRepository('changed-api');
    const whole = await diff(root);
    expect(whole.changes).toEqual([]);
    editApiPolicy(root, 'api-0003');
    commitAll(root, 'edit one API');
    // Drift made by hand: on the selected API, and on one the change does not touch.
    const { client } = connect({ ...CI_SCOPE, serviceName: 'changed-api' }, { endpoint: setup.emulator().url });
    for (const apiId of ['api-0003', 'api-0010']) await client.api.update(CI_SCOPE.resourceGroup, 'changed-api', apiId, '*', { displayName: 'Renamed by hand' });

    const selected = await diff(root, '--changed-since', 'published');
    expect(selected.err).toContain('1 file changed since published, selecting API api-0003 (and what it uses).');
    expect(selected.changes).toEqual(['update api api-0003', 'update apiPolicy api-0003']);
    expect(selected.requests).toBeLessThanOrEqual(20);
    expect(selected.requests * 5).toBeLessThan(whole.requests);

    const published = await runJson<{ changes: Change[]; requests: { total: number; PUT: number; PATCH: number; DELETE: number } }>(root, ['publish', ...CI, '--changed-since', 'published']);
    expect(published.code).toBe(0);
    expect(writes(published.json.requests)).toBe(2);
    expect((await diff(root)).changes).toEqual(['update api api-0010']);
  });

  it('a change outside the resource files selects nothing and reads nothing', async () => {
    const root = await publishedRepository('changed-nothing', 3);
    fs.writeFileSync(path.join(root, 'README.md'), '# APIM\n');
    fs.mkdirSync(path.join(root, 'tests'));
    fs.writeFileSync(path.join(root, 'tests', 'notes.md'), 'later\n');
    commitAll(root, 'docs');
    const selected = await diff(root, '--changed-since', 'published');
    expect(selected.err).toContain('2 files changed since published, none of them a resource file: nothing is selected.');
    expect(selected.changes).toEqual([]);
    expect(selected.requests).toBe(0);
  });
});

describe('--changed-since: what a change selects', () => {
  let root: string;
  beforeAll(async () => {
    root = await publishedRepository('changed-kinds', 4);
  }, 60_000);
  beforeEach(() => {
    git(root, 'reset', '-q', '--hard', 'published');
    git(root, 'clean', '-q', '-fd');
  });

  it('counts uncommitted edits and untracked files: a changed and a new named value', async () => {
    editFile(root, 'named-values/cache-seconds.yaml', (text) => text.replace('"300"', '"120"'));
    fs.writeFileSync(path.join(root, 'named-values/support-email.yaml'), 'displayName: support-email\nvalue: apim@example.com\n');
    const selected = await diff(root, '--changed-since', 'published');
    expect(selected.err).toContain('selecting namedValue cache-seconds; namedValue support-email (and what they use).');
    expect(selected.changes).toEqual(['create namedValue support-email', 'update namedValue cache-seconds']);
  });

  it('a deleted file selects what it defined: the plan shows its deletion, and publish --prune deletes it', async () => {
    fs.writeFileSync(path.join(root, 'named-values/support-email.yaml'), 'displayName: support-email\nvalue: apim@example.com\n');
    commitAll(root, 'a named value');
    expect((await runCli(root, ['publish', ...CI, '--changed-since', 'published'])).code).toBe(0);
    git(root, 'tag', 'with-email');
    fs.rmSync(path.join(root, 'named-values/support-email.yaml'));
    const selected = await diff(root, '--changed-since', 'with-email');
    expect(selected.changes).toEqual(['delete namedValue support-email']);
    const pruned = await runJson<{ changes: Change[] }>(root, ['publish', ...CI, '--changed-since', 'with-email', '--prune']);
    expect(listed(pruned.json.changes)).toEqual(['delete namedValue support-email']);
    expect((await diff(root)).changes).toEqual([]);
  });

  it('a deleted API folder selects that API: its deletion is planned, with the links the products dropped', async () => {
    fs.rmSync(path.join(root, 'apis/api-0002'), { recursive: true });
    for (const product of ['partner-developer', 'partner-production']) editFile(root, `products/${product}/product.yaml`, (text) => text.replace('  - api-0002\n', ''));
    commitAll(root, 'retire api-0002');
    const selected = await diff(root, '--changed-since', 'published');
    expect(selected.err).toContain('selecting API api-0002; products partner-developer, partner-production (and what they use).');
    expect(selected.changes).toEqual(expect.arrayContaining(['delete api api-0002', 'delete productApi partner-developer/api-0002', 'delete productApi partner-production/api-0002']));
    // As `publish --prune` plans it for the whole repository (diff, like `--api`, reads only the operation policies the
    // repository has: those of a deleted API go with it).
    const prunePlan = async (...extra: string[]) => listed((await runJson<{ changes: Change[] }>(root, ['publish', ...CI, '--prune', '--dry-run', ...extra])).json.changes);
    expect(await prunePlan('--changed-since', 'published')).toEqual(await prunePlan());
  });

  it("a changed product's list: an API added to it is linked, though that API did not change", async () => {
    editFile(root, 'products/partner-developer/product.yaml', (text) => text.replace('  - api-0002\n', ''));
    commitAll(root, 'drop a link');
    expect((await runCli(root, ['publish', ...CI, '--changed-since', 'published'])).code).toBe(0);
    expect((await diff(root)).changes).toEqual([]);
    git(root, 'tag', '-f', 'dropped');
    git(root, 'revert', '--no-edit', 'HEAD');
    const selected = await diff(root, '--changed-since', 'dropped');
    expect(selected.changes).toEqual(['create productApi partner-developer/api-0002']);
    expect((await runCli(root, ['publish', ...CI, '--changed-since', 'dropped'])).code).toBe(0);
    git(root, 'tag', '-d', 'dropped');
  });

  it('a changed global policy selects the global policy (and the fragment it uses), not every API', async () => {
    editFile(root, 'policies/global.xml', (text) => text.replace('<forward-request timeout="60" />', '<forward-request timeout="30" />'));
    editFile(root, 'policies/fragments/validate-entra-jwt.xml', (text) => text.replace('failed-validation-httpcode="401"', 'failed-validation-httpcode="401" output-token-variable-name="jwt"'));
    const selected = await diff(root, '--changed-since', 'published');
    expect(selected.err).toContain('selecting policyFragment validate-entra-jwt; globalPolicy (and what they use).');
    expect(selected.changes).toEqual(['update globalPolicy global', 'update policyFragment validate-entra-jwt']);
  });

  it('a changed apiops.config.yaml selects everything: its values reach any file', async () => {
    editFile(root, 'apiops.config.yaml', (text) => text.replace('devCallsPerMinute: 60', 'devCallsPerMinute: 30'));
    const selected = await diff(root, '--changed-since', 'published');
    expect(selected.err).toContain('1 file changed since published; apiops.config.yaml changed: everything is selected.');
    const whole = await diff(root);
    expect(selected.changes).toEqual(whole.changes);
    expect(selected.changes).toEqual(['update productPolicy partner-developer']);
    expect(selected.requests).toBe(whole.requests);
  });

  it('a saved plan keeps the selection: publish --plan checks and applies it', async () => {
    editApiPolicy(root, 'api-0001');
    commitAll(root, 'edit');
    const saved = await runCli(root, ['diff', ...CI, '--changed-since', 'published', '--out', 'plan.json']);
    expect(saved.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'plan.json'), 'utf8')).selection).toMatchObject({ apis: ['api-0001'], products: [], resources: [], allProductLinks: true });
    const applied = await runJson<{ changes: Change[] }>(root, ['publish', '--plan', 'plan.json']);
    expect(applied.code).toBe(0);
    expect(listed(applied.json.changes)).toEqual(['update apiPolicy api-0001']);
    const combined = await runCli(root, ['publish', '--plan', 'plan.json', '--changed-since', 'published']);
    expect(combined.code).toBe(1);
    expect(combined.err).toContain('cannot be combined with --plan');
  });

  it('refuses a REF git does not know, --api beside it, and a folder that is no git repository (exit 1, nothing read)', async () => {
    const unknown = await runCli(root, ['diff', ...CI, '--changed-since', 'no-such-tag']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^error: --changed-since no-such-tag: no such commit in the git repository at .*fetch-depth: 0\)\n$/);
    const both = await runCli(root, ['publish', ...CI, '--changed-since', 'published', '--api', 'api-0001']);
    expect(both.code).toBe(1);
    expect(both.err).toBe('error: --changed-since selects by itself: it cannot be combined with --api or --product\n');
    const elsewhere = setup.tempDir('not-git');
    fs.cpSync(path.join(root, 'apiops.config.yaml'), path.join(elsewhere, 'apiops.config.yaml'));
    const notGit = await runCli(elsewhere, ['validate', '--changed-since', 'main']);
    expect(notGit.code).toBe(2);
    expect(notGit.err).toMatch(/^error: --changed-since main: no such commit/);
  });

  it('validate: warnings only where the change is, errors from everywhere', async () => {
    // Warnings (an unused named value) in a file the change does not touch, and in one it adds.
    fs.writeFileSync(path.join(root, 'named-values/old-unused.yaml'), 'displayName: old-unused\nvalue: "1"\n');
    commitAll(root, 'an unused named value');
    git(root, 'tag', '-f', 'with-unused');
    fs.writeFileSync(path.join(root, 'named-values/new-unused.yaml'), 'displayName: new-unused\nvalue: "2"\n');
    const validate = async (...extra: string[]) => {
      const run = await runCli(root, ['validate', '--format', 'json', ...extra]);
      return { code: run.code, findings: (JSON.parse(run.out).findings as Array<{ file: string; rule: string; severity: string }>).map((f) => `${f.severity} ${f.rule} ${f.file}`).sort() };
    };
    expect((await validate()).findings).toEqual(['warn unreferenced named-values/new-unused.yaml', 'warn unreferenced named-values/old-unused.yaml']);
    expect((await validate('--changed-since', 'with-unused')).findings).toEqual(['warn unreferenced named-values/new-unused.yaml']);
    // A removed named value breaks the policies that use it, files the change did not touch: those errors are reported.
    fs.rmSync(path.join(root, 'named-values/cache-seconds.yaml'));
    const broken = await validate('--changed-since', 'with-unused');
    expect(broken.code).toBe(1);
    expect(broken.findings.filter((f) => f.startsWith('error named-value-missing apis/')).length).toBeGreaterThan(0);
    expect(broken.findings).not.toContain('warn unreferenced named-values/old-unused.yaml');
    git(root, 'tag', '-d', 'with-unused');
  });
});
