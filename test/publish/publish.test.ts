import * as fs from 'fs';
import * as path from 'path';
import { generateRepository } from '../fixtures/generate';
import { copySample, editFile, removeDir, runCli, runJson, tempDir, writes } from './helpers';

/**
 * End to end through the CLI, in-process: the repository's `local` environment starts the embedded emulator
 * (state in the temp repository's .apiops/local) and every request goes through the real SDK over HTTP.
 */

const LOCAL = ['--env', 'local'];

function generated(apis: number, operationsPerApi: number): string {
  const root = tempDir('generated');
  generateRepository(root, { apis, operationsPerApi, operationPolicyEvery: 2 });
  return root;
}

describe('publish and diff: the sample repository', () => {
  let root: string;
  beforeEach(() => {
    root = copySample();
  });
  afterEach(() => removeDir(root));

  it('cold publish creates everything; diff then shows nothing and a second publish writes nothing', async () => {
    const cold = await runJson(root, ['publish', ...LOCAL]);
    expect(cold.code).toBe(0);
    expect(cold.json.failed).toEqual([]);
    expect(cold.json.skipped).toEqual([]);
    expect(cold.json.summary.delete).toBe(0);
    expect(cold.json.applied.length).toBe(cold.json.summary.create + cold.json.summary.update);
    const createdKinds = new Set(cold.json.applied.map((c: { kind: string }) => c.kind));
    for (const kind of ['namedValue', 'backend', 'policyFragment', 'api', 'apiOperation', 'apiPolicy', 'operationPolicy', 'product', 'productApi', 'productGroup', 'productPolicy']) {
      expect(createdKinds).toContain(kind);
    }

    const diff = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
    expect(diff.json.changes).toEqual([]);
    expect(diff.code).toBe(0);

    const again = await runJson(root, ['publish', ...LOCAL]);
    expect(again.code).toBe(0);
    expect(again.json.applied).toEqual([]);
    expect(writes(again.json.requests)).toBe(0);
    expect(again.json.summary).toEqual({ create: 0, update: 0, delete: 0, kept: 0, unchanged: cold.json.applied.length });
  });

  it('an API or group dropped from a product\'s lists is unlinked without --prune; the API itself stays', async () => {
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    editFile(root, 'products/fabrikam-developer/product.yaml', (text) => text.replace(/^ {2}- media-catalog\n/m, '').replace(/^groups:\n {2}- developers\n/m, 'groups: []\n'));

    const diff = await runCli(root, ['diff', ...LOCAL]);
    expect(diff.out).toContain('- fabrikam-developer/media-catalog (dropped from its list in the repository)');
    const published = await runJson(root, ['publish', ...LOCAL]);
    expect(published.code).toBe(0);
    expect(published.json.notPruned).toEqual([]);
    expect(published.json.applied).toEqual([
      { action: 'delete', kind: 'productGroup', id: 'fabrikam-developer/developers' },
      { action: 'delete', kind: 'productApi', id: 'fabrikam-developer/media-catalog' },
    ]);
    expect(published.json.requests.DELETE).toBe(2);
    expect(writes(published.json.requests)).toBe(2);
    const after = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
    expect(after.code).toBe(0);
  });

  it('without --prune a removed API is only unlinked from the products that dropped it; --prune deletes it', async () => {
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    fs.rmSync(path.join(root, 'apis/media-catalog'), { recursive: true });
    for (const product of ['fabrikam-developer', 'fabrikam-production']) {
      editFile(root, `products/${product}/product.yaml`, (text) => text.replace(/^ {2}- media-catalog\n/m, ''));
    }

    const diff = await runJson(root, ['diff', ...LOCAL]);
    const deleted = diff.json.changes.map((c: { action: string; kind: string; id: string }) => `${c.action} ${c.kind} ${c.id}`);
    expect(deleted).toEqual(
      expect.arrayContaining([
        'delete api media-catalog',
        'delete apiPolicy media-catalog',
        'delete apiOperation media-catalog/getTitle',
        'delete productApi fabrikam-developer/media-catalog',
        'delete productApi fabrikam-production/media-catalog',
      ]),
    );
    expect(diff.json.changes.every((c: { action: string }) => c.action === 'delete')).toBe(true);

    // Access follows the repository at once: the products that dropped the API unlink it; the API waits for --prune.
    const links = ['delete productApi fabrikam-developer/media-catalog', 'delete productApi fabrikam-production/media-catalog'];
    const kept = await runJson(root, ['publish', ...LOCAL]);
    expect(kept.code).toBe(0);
    expect(kept.json.requests.DELETE).toBe(2);
    expect(kept.json.applied.map((c: { action: string; kind: string; id: string }) => `${c.action} ${c.kind} ${c.id}`).sort()).toEqual(links);
    expect(kept.json.notPruned.length).toBe(diff.json.changes.length - 2);
    expect(kept.json.summary).toMatchObject({ delete: 2, kept: diff.json.changes.length - 2 });
    const rest = (await runJson(root, ['diff', ...LOCAL])).json.changes.map((c: { action: string; kind: string; id: string }) => `${c.action} ${c.kind} ${c.id}`);
    expect(rest).toEqual(deleted.filter((change: string) => !links.includes(change)));

    const pruned = await runJson(root, ['publish', ...LOCAL, '--prune']);
    expect(pruned.code).toBe(0);
    // The API (its policy, operations and their tag links go with it) and the `cacheable` tag that only its operations named.
    expect(pruned.json.requests.DELETE).toBe(2);
    expect(pruned.json.applied.length).toBe(rest.length);
    const after = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
    expect(after.json.changes).toEqual([]);
    expect(after.code).toBe(0);
  });

  it('compares a secret only when its value is available here, never prints it, and keeps it when it is not', async () => {
    const SECRET = 'APIOPS_FABRIKAM_WEBHOOK_SECRET';
    const cold = await runCli(root, ['publish', ...LOCAL]);
    expect(cold.code).toBe(0);
    expect(cold.out).toContain('created namedValue fabrikam-webhook-secret (created with a random placeholder value');

    const withSecret = { [SECRET]: 'hmac-key-from-the-pipeline' };
    const diff = await runJson(root, ['diff', ...LOCAL], withSecret);
    expect(diff.json.changes).toEqual([{ action: 'update', kind: 'namedValue', id: 'fabrikam-webhook-secret', fields: ['value'] }]);
    const text = await runCli(root, ['diff', ...LOCAL], withSecret);
    expect(text.out).toContain('value: (sensitive value)');
    const published = await runJson(root, ['publish', ...LOCAL], withSecret);
    expect(writes(published.json.requests)).toBe(1);
    for (const output of [diff, text, published].map((r) => JSON.stringify(r))) expect(output).not.toContain('hmac-key-from-the-pipeline');
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'], withSecret)).code).toBe(0);

    // Without the value, another field of the secret still publishes (PATCH), and the live value stays.
    editFile(root, 'named-values/fabrikam-webhook-secret.yaml', (t) => t.replace('tags: [partner-webhooks, fabrikam]', 'tags: [partner-webhooks]'));
    const patched = await runJson(root, ['publish', ...LOCAL]);
    expect(patched.json.applied).toEqual([{ action: 'update', kind: 'namedValue', id: 'fabrikam-webhook-secret', fields: ['tags'] }]);
    expect(patched.json.requests.PATCH).toBe(1);
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'], withSecret)).code).toBe(0);
  });

  it('reads a compared secret once per publish (one listValue POST), also when publishing it re-reads it for its ETag', async () => {
    const withSecret = { APIOPS_FABRIKAM_WEBHOOK_SECRET: 'hmac-key-from-the-pipeline' };
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    // The value differs (the cold publish set a placeholder): planned, re-read by GET for its ETag, written.
    const valueChanged = await runJson(root, ['publish', ...LOCAL], withSecret);
    expect(valueChanged.json.applied).toEqual([{ action: 'update', kind: 'namedValue', id: 'fabrikam-webhook-secret', fields: ['value'] }]);
    expect(valueChanged.json.requests.POST).toBe(1);
    // Another field changes, the value does not: compared, re-read, written, still one listValue.
    editFile(root, 'named-values/fabrikam-webhook-secret.yaml', (t) => t.replace('tags: [partner-webhooks, fabrikam]', 'tags: [partner-webhooks]'));
    const tagsChanged = await runJson(root, ['publish', ...LOCAL], withSecret);
    expect(tagsChanged.json.applied).toEqual([{ action: 'update', kind: 'namedValue', id: 'fabrikam-webhook-secret', fields: ['tags'] }]);
    expect(tagsChanged.json.requests.POST).toBe(1);
    const again = await runJson(root, ['publish', ...LOCAL], withSecret);
    expect(again.json.applied).toEqual([]);
    expect(again.json.requests.POST).toBe(1);
  });

  it('renames a named value together with the policies naming it: the service rewriting them is not a conflict', async () => {
    const header = (value: string) => `<base />\n        <set-header name="X-Cache" exists-action="override"><value>${value}</value></set-header>`;
    editFile(root, 'apis/media-orders/policy.xml', (text) => text.replace('<base />', header('{{catalog-cache-seconds}}')));
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    const rename = (text: string) => text.replace(/\{\{catalog-cache-seconds\}\}/g, '{{catalog-cache-ttl}}');
    editFile(root, 'named-values/catalog-cache-seconds.yaml', (text) => text.replace('displayName: catalog-cache-seconds', 'displayName: catalog-cache-ttl'));
    // One policy changes only by the new name (the service's rewrite does it all), the other also changes otherwise.
    editFile(root, 'apis/media-catalog/policy.xml', rename);
    editFile(root, 'apis/media-catalog/revisions/1/policy.xml', rename);
    editFile(root, 'apis/media-orders/policy.xml', (text) => rename(text).replace('name="X-Cache"', 'name="X-Cache-Seconds"'));

    const publish = await runCli(root, ['publish', ...LOCAL]);
    expect(publish.out).not.toContain('changed on the instance since it was planned');
    expect(publish.code).toBe(0);
    expect(publish.out).toContain('updated apiPolicy media-catalog (already up to date: it changed meanwhile to what the repository has)');
    expect(publish.out).toContain('updated apiPolicy media-orders\n');
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'])).code).toBe(0);
  });

  it('a field removed from a file is a change to "none", published, and then no change', async () => {
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    editFile(root, 'products/fabrikam-developer/product.yaml', (text) => text.replace(/^description: >-\n(?: {2}.*\n)+/m, '').replace(/^subscriptionsLimit: .*\n/m, ''));
    // Left out, an API's description is the specification's (the import fills it in): not a change.
    editFile(root, 'apis/media-catalog/api.yaml', (text) => text.replace(/^description: .*\n/m, ''));
    // The secret has no value here, so it is patched: its tags must still go.
    editFile(root, 'named-values/fabrikam-webhook-secret.yaml', (text) => text.replace(/^tags: .*\n/m, ''));

    const diff = await runJson(root, ['diff', ...LOCAL]);
    expect(diff.json.changes).toEqual([
      { action: 'update', kind: 'namedValue', id: 'fabrikam-webhook-secret', fields: ['tags'] },
      { action: 'update', kind: 'product', id: 'fabrikam-developer', fields: ['description', 'subscriptionsLimit'] },
    ]);
    expect((await runCli(root, ['diff', ...LOCAL])).out).toContain('subscriptionsLimit: 20 → (none)');
    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(publish.code).toBe(0);
    expect(writes(publish.json.requests)).toBe(2);
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'])).code).toBe(0);
  });

  it('a change the service refuses fails alone, names its file, skips what needs it, exits 1, and a re-run converges', async () => {
    // A secret longer than APIM allows: the files are valid, the value comes from the environment.
    const tooLong = { APIOPS_FABRIKAM_WEBHOOK_SECRET: 'k'.repeat(5000) };
    const publish = await runCli(root, ['publish', ...LOCAL], tooLong);
    expect(publish.code).toBe(1);
    expect(publish.out).toMatch(/^failed to create namedValue fabrikam-webhook-secret \(named-values\/fabrikam-webhook-secret\.yaml\): 400: .*at most 4096/m);
    expect(publish.out).toMatch(/^skipped create operationPolicy partner-webhooks\/receiveDeliveryEvent: namedValue fabrikam-webhook-secret was not applied$/m);
    expect(publish.out).toMatch(/^created apiPolicy partner-webhooks$/m);
    expect(publish.out).toMatch(/Publish incomplete: \d+ applied, 1 failed, 1 skipped\.\nRe-run publish/);
    expect(publish.out + publish.err).not.toMatch(/k{20}|\n\s+at /);

    const rerun = await runJson(root, ['publish', ...LOCAL], { APIOPS_FABRIKAM_WEBHOOK_SECRET: 'short-enough' });
    expect(rerun.code).toBe(0);
    expect(rerun.json.applied.map((c: { kind: string }) => c.kind)).toEqual(['namedValue', 'operationPolicy']);
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'], { APIOPS_FABRIKAM_WEBHOOK_SECRET: 'short-enough' })).code).toBe(0);
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const dry = await runCli(root, ['publish', ...LOCAL, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/Plan: \d+ to create/);
    expect(dry.out).toContain('Dry run: nothing was written.');
    const json = await runJson(root, ['publish', ...LOCAL, '--dry-run', '--prune']);
    expect(json.json.dryRun).toBe(true);
    expect(json.json.applied).toEqual([]);
    expect(writes(json.json.requests)).toBe(0);
    expect(json.json.requests.POST).toBe(0);
    expect(json.json.summary.create).toBeGreaterThan(30);
    // What it would do, listed as diff lists it; and the instance is still empty afterwards.
    const diff = await runJson(root, ['diff', ...LOCAL]);
    expect(json.json.changes).toEqual(diff.json.changes);
    expect(diff.json.summary).toEqual(json.json.summary);

    // With something to prune, too.
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    fs.rmSync(path.join(root, 'apis/media-catalog'), { recursive: true });
    for (const product of ['fabrikam-developer', 'fabrikam-production']) {
      editFile(root, `products/${product}/product.yaml`, (text) => text.replace(/^ {2}- media-catalog\n/m, ''));
    }
    const dryPrune = await runJson(root, ['publish', ...LOCAL, '--dry-run', '--prune']);
    expect(dryPrune.json.summary.delete).toBeGreaterThan(0);
    expect(writes(dryPrune.json.requests)).toBe(0);
    expect((await runJson(root, ['diff', ...LOCAL])).json.changes).toEqual(dryPrune.json.changes);
  });
});

describe('publish and diff: generated repositories', () => {
  let root: string;
  afterEach(() => removeDir(root));

  it('one edited policy gives exactly one update in diff and one write in publish', async () => {
    root = generated(3, 2);
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    editFile(root, 'apis/api-0001/policy.xml', (text) =>
      text.replace('<base />', '<base />\n        <set-header name="X-Orders-Api" exists-action="override"><value>v1</value></set-header>'),
    );

    const diff = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
    expect(diff.code).toBe(2);
    expect(diff.json.changes).toEqual([{ action: 'update', kind: 'apiPolicy', id: 'api-0001', fields: ['value'] }]);
    const text = await runCli(root, ['diff', ...LOCAL]);
    expect(text.out).toMatch(/^\s+\+\s+<set-header name="X-Orders-Api" exists-action="override">$/m);
    expect(text.out).toContain('Plan: 0 to create, 1 to update, 0 to delete');

    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(publish.code).toBe(0);
    expect(publish.json.applied).toEqual([{ action: 'update', kind: 'apiPolicy', id: 'api-0001', fields: ['value'] }]);
    expect(writes(publish.json.requests)).toBe(1);
    expect(publish.json.requests.PUT).toBe(1);
  });

  it('whitespace-only and attribute-order-only policy edits give no change', async () => {
    root = generated(2, 4);
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    // Tabs and CRLF instead of four spaces and LF.
    editFile(root, 'apis/api-0000/policy.xml', (text) => text.replace(/ {4}/g, '\t').replace(/\n/g, '\r\n'));
    // The same attributes in another order and quote style, and a self-closing element written out.
    editFile(root, 'apis/api-0001/operations/op0.xml', (text) =>
      text
        .replace('<set-header name="X-Trace-Id" exists-action="override">', "<set-header exists-action='override'   name=\"X-Trace-Id\">")
        .replace('<base />', '<base></base>'),
    );
    expect(fs.readFileSync(path.join(root, 'apis/api-0001/operations/op0.xml'), 'utf8')).toMatch(/<base><\/base>[\s\S]*<set-header exists-action='override' {3}name="X-Trace-Id">/);
    expect(fs.readFileSync(path.join(root, 'apis/api-0000/policy.xml'), 'utf8')).toContain('\r\n\t<inbound>');

    const diff = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
    expect(diff.json.changes).toEqual([]);
    expect(diff.code).toBe(0);
    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(writes(publish.json.requests)).toBe(0);
  });

  it('an operation added to a specification re-imports that API only', async () => {
    root = generated(2, 2);
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    editFile(root, 'apis/api-0001/openapi.yaml', (text) =>
      text.replace(
        'paths:\n',
        "paths:\n  /health:\n    get:\n      operationId: health\n      summary: Health\n      responses:\n        '200':\n          description: OK\n",
      ),
    );
    const diff = await runJson(root, ['diff', ...LOCAL]);
    expect(diff.json.changes).toEqual([
      { action: 'update', kind: 'api', id: 'api-0001', fields: ['specification'] },
      { action: 'create', kind: 'apiOperation', id: 'api-0001/health', fields: expect.arrayContaining(['method', 'urlTemplate']) },
    ]);
    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(publish.code).toBe(0);
    // The import alone: the operations that stay keep their policies, as APIM keeps them, so none is written again.
    expect(publish.json.applied).toEqual([
      { action: 'update', kind: 'api', id: 'api-0001', fields: ['specification'] },
      { action: 'create', kind: 'apiOperation', id: 'api-0001/health', fields: expect.any(Array) },
    ]);
    expect(writes(publish.json.requests)).toBe(1);
    expect((await runJson(root, ['diff', ...LOCAL])).json.changes).toEqual([]);
  });

  it('an operation removed from a specification goes with the re-import, its policy with it', async () => {
    root = generated(1, 4);
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
    // Drop the second path (operations op2 and op3; op2 has a policy) from the specification.
    editFile(root, 'apis/api-0000/openapi.yaml', (text) => text.replace(/ {2}\/resources-2\/\{itemId\}:[\s\S]*$/, ''));
    fs.rmSync(path.join(root, 'apis/api-0000/operations/op2.xml'));
    const diff = await runJson(root, ['diff', ...LOCAL]);
    expect(diff.json.changes.map((c: { action: string; kind: string; id: string }) => `${c.action} ${c.kind} ${c.id}`)).toEqual([
      'update api api-0000',
      'delete operationPolicy api-0000/op2',
      'delete apiOperation api-0000/op2',
      'delete apiOperation api-0000/op3',
    ]);
    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(publish.code).toBe(0);
    expect(publish.json.notPruned).toEqual([]);
    expect(publish.json.requests.DELETE).toBe(0);
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'])).code).toBe(0);
  });

  it('shows progress in place and colours on a terminal, plain lines elsewhere', async () => {
    root = generated(1, 2);
    const terminal = await runCli(root, ['publish', ...LOCAL], {}, true);
    expect(terminal.code).toBe(0);
    expect(terminal.out).toMatch(/\r\u001b\[K\[\d+\/\d+\] \u001b\[32mcreated\u001b\[0m/);
    expect(terminal.out).toContain('\u001b[1mPublish complete: ');
    // Reading the instance reports its request count, on stderr (stdout stays the plan or the JSON).
    expect(terminal.err).toMatch(/\r\u001b\[KRead embedded emulator \(\.apiops\/local\) in \d+ requests\.\n$/);
    editFile(root, 'apis/api-0000/policy.xml', (text) => text.replace('<base />', '<base />\n        <set-header name="X-A" exists-action="override"><value>a</value></set-header>'));
    const ci = await runCli(root, ['publish', ...LOCAL]);
    expect(ci.out).not.toMatch(/[\r\u001b]/);
    expect(ci.err).toMatch(/^Reading embedded emulator \(\.apiops\/local\)…\nRead embedded emulator \(\.apiops\/local\) in \d+ requests\.\n$/);
    expect(ci.out).toContain('\nupdated apiPolicy api-0000\nPublish complete: 1 applied, 0 failed, 0 skipped.\n');
  });

  it('NO_COLOR (no-color.org): a terminal still gets progress in place, but diff, publish and their findings carry no colour', async () => {
    root = generated(1, 2);
    const noColor = { NO_COLOR: '1' };
    const colour = /\u001b\[\d+m/;
    const diff = await runCli(root, ['diff', ...LOCAL], noColor, true);
    expect(diff.code).toBe(0);
    expect(diff.out).toContain('Plan: ');
    expect(diff.out).not.toMatch(colour);
    const publish = await runCli(root, ['publish', ...LOCAL], noColor, true);
    expect(publish.code).toBe(0);
    expect(publish.out).toMatch(/\r\u001b\[K\[\d+\/\d+\] created /);
    expect(publish.out).toContain('Publish complete: ');
    expect(publish.out).not.toMatch(colour);
    editFile(root, 'apis/api-0000/policy.xml', (text) => text.replace('<base />', '<base>'));
    for (const command of ['diff', 'publish']) {
      const blocked = await runCli(root, [command, ...LOCAL], noColor, true);
      expect(blocked.err).toMatch(/xml-syntax/);
      expect(blocked.err).not.toMatch(colour);
    }
  });

  it('a repository with errors is not published', async () => {
    root = generated(1, 1);
    editFile(root, 'apis/api-0000/policy.xml', (text) => text.replace('<base />', '<base>'));
    const publish = await runCli(root, ['publish', ...LOCAL]);
    expect(publish.code).toBe(1);
    expect(publish.err).toMatch(/apis\/api-0000\/policy\.xml\n\s+5:5\s+error .*xml-syntax/);
    expect(publish.err).toContain('apiops publish: stopped');
    expect(fs.existsSync(path.join(root, '.apiops'))).toBe(false);
    const badConcurrency = await runCli(root, ['publish', ...LOCAL, '--concurrency', '0']);
    expect(badConcurrency.code).toBe(1);
    expect(badConcurrency.err).toContain("--concurrency must be a positive integer, got '0'");
    expect(badConcurrency.err).not.toMatch(/\n\s+at /);
  });
});
