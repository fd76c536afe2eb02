import * as fs from 'fs';
import * as path from 'path';
import { deleteResource, putResource } from '../../src/azure/write';
import { runCli } from '../fixtures/repo';
import { emulatedInstance, expectRoundTrip, snapshot, TemporaryDirs } from './files';
import { SEED_NAMED_VALUE, SEED_PRODUCT, SEED_SECRET, SEED_SECRET_VALUE, seedApiId, seedInstance } from './seed';

/** `apiops extract` in-process against an emulator reached as a `ci`-style endpoint target. */

const SCOPE = { subscriptionId: '00000000-0000-0000-0000-000000000002', resourceGroup: 'rg-extract-cli', serviceName: 'apim-extract-cli' };

const temporary = new TemporaryDirs('apiops-extract-cli');
const tempDir = (label: string): string => temporary.create(label);
const instance = emulatedInstance(temporary, SCOPE, (connection) => seedInstance(connection, 3, 2));

async function run(argv: string[], isTTY = false): Promise<{ code: number; out: string; err: string }> {
  const { code, io } = await runCli(argv, instance.repo, { isTTY });
  return { code, out: io.out, err: io.err };
}

describe('apiops extract (CLI)', () => {
  it('extracts into a directory that then validates and diffs clean against the instance', async () => {
    const out = tempDir('out');
    const extracted = await run(['extract', '--env', 'ci', '--out', out]);
    expect(extracted).toMatchObject({ code: 0, err: 'extract: reading the instance\nextract: exporting specifications (3)\nextract: writing files\n' });
    expect(extracted.out).toMatch(/^Extracted 3 APIs, 1 products, 3 named values, 1 backends, 1 fragments, the global policy into .*: \d+ written, 0 unchanged, 0 removed \(\d+ requests\)$/m);
    expect(fs.readFileSync(path.join(out, 'apiops.config.yaml'), 'utf8')).toContain(`endpoint: ${instance.emulator.url}`);

    const files = snapshot(out);
    for (const [file, text] of files) expect({ file, leaked: text.includes(SEED_SECRET_VALUE) }).toEqual({ file, leaked: false });
    expect(files.get(`named-values/${SEED_SECRET}.yaml`)).toBe(
      `# yaml-language-server: $schema=../schemas/named-value.schema.json\ndisplayName: ${SEED_SECRET}\nsecret: true\nvalueFromEnv: FUNCTIONS_KEY\n`,
    );

    await expectRoundTrip(out, 'ci');

    const again = await run(['extract', '--env', 'ci', '--out', out]);
    expect(again.out).toMatch(/: 0 written, \d+ unchanged, 0 removed/);
    expect(snapshot(out)).toEqual(files);
  });

  it('shows a self-updating progress line on a terminal', async () => {
    const extracted = await run(['extract', '--env', 'ci', '--out', tempDir('tty'), '--api', seedApiId(1)], true);
    expect(extracted.code).toBe(0);
    expect(extracted.err).toContain('\r\x1b[Kextract: exporting specifications 1/1');
    expect(extracted.err.endsWith('\r\x1b[K')).toBe(true);
    expect(extracted.out).toContain(`written  named-values/${SEED_NAMED_VALUE}.yaml`);
  });

  it('reports what the instance lacks, and bad options, without a stack trace', async () => {
    const missing = await run(['extract', '--env', 'ci', '--out', tempDir('missing'), '--api', 'no-such-api', '--product', 'no-such-product']);
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining("error: not found on the instance: API 'no-such-api', product 'no-such-product'") });
    expect(missing.err).not.toMatch(/\n\s+at /);
    const badConcurrency = await run(['extract', '--env', 'ci', '--concurrency', '0']);
    expect(badConcurrency).toMatchObject({ code: 1, err: expect.stringContaining('--concurrency must be a positive integer') });
    const unknownEnv = await run(['extract', '--env', 'nope']);
    expect(unknownEnv).toMatchObject({ code: 1, err: expect.stringContaining("unknown environment 'nope'") });
  });

  // Last: it changes the instance the other tests read.
  it('updates an existing repository in place: comments and tier kept, new resources added, deleted ones removed', async () => {
    const out = tempDir('update');
    expect((await run(['extract', '--env', 'ci', '--out', out])).code).toBe(0);
    const productFile = `products/${SEED_PRODUCT}/product.yaml`;
    const annotated = fs.readFileSync(path.join(out, productFile), 'utf8').replace('displayName:', '# Partner access, reviewed quarterly.\ndisplayName:') + 'tier: production # lint metadata\n';
    fs.writeFileSync(path.join(out, productFile), annotated);
    const before = snapshot(out);

    const { connection } = instance;
    await putResource(connection, { kind: 'product', ids: [SEED_PRODUCT] }, { displayName: 'Partners (EU)', subscriptionRequired: true, approvalRequired: false, state: 'published' });
    await putResource(connection, { kind: 'namedValue', ids: ['region'] }, { displayName: 'region', value: 'westeurope', secret: false });
    await deleteResource(connection, { kind: 'api', ids: [seedApiId(2)] });

    const updated = await run(['extract', '--env', 'ci', '--out', out]);
    expect(updated.code).toBe(0);
    const after = snapshot(out);
    expect([...after.keys()].filter((file) => after.get(file) !== before.get(file)).sort()).toEqual([`named-values/region.yaml`, productFile]);
    expect([...before.keys()].filter((file) => !after.has(file)).sort()).toEqual([`apis/${seedApiId(2)}/api.yaml`, `apis/${seedApiId(2)}/openapi.yaml`, `apis/${seedApiId(2)}/policy.xml`]);
    expect(fs.existsSync(path.join(out, 'apis', seedApiId(2)))).toBe(false);
    expect(after.get(productFile)).toBe(annotated.replace('displayName: Partners\n', 'displayName: Partners (EU)\n'));
    expect(updated.out).toContain(`removed  apis/${seedApiId(2)}/api.yaml`);

    const diff = await run(['diff', '--env', 'ci', '--repo', out, '--json', '--exit-code']);
    expect(JSON.parse(diff.out).changes).toEqual([]);
  });
});
