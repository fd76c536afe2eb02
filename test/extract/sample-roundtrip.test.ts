import * as fs from 'fs';
import * as path from 'path';
import type { ApimConnection } from '../../src/azure/client';
import { openTarget } from '../../src/azure/target';
import { deleteResource, putResource } from '../../src/azure/write';
import { loadRepository } from '../../src/repo';
import { pickEnvironment } from '../../src/render';
import { runCli } from '../fixtures/repo';
import { expectRoundTrip, snapshot as snapshotAll, TemporaryDirs } from './files';

/**
 * The round trip through the real SDK over HTTP: publish the sample repository into the embedded emulator,
 * extract the instance, validate and diff the result against the same instance.
 */

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const SAMPLE_ENTRIES = ['apiops.config.yaml', 'apis', 'products', 'policies', 'named-values', 'backends', 'api-version-sets', 'loggers', 'diagnostics', 'subscriptions', 'schemas'];
const WEBHOOK_SECRET = 'whsec-7Qm2xV9pL4tR8nZ1cK6bJ3';
const SECRET_ENV = { APIOPS_FABRIKAM_WEBHOOK_SECRET: WEBHOOK_SECRET };

const temporary = new TemporaryDirs('apiops-extract');
const tempDir = (label: string): string => temporary.create(label);

function copySample(): string {
  const dir = tempDir('sample');
  for (const entry of SAMPLE_ENTRIES) fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  return dir;
}

/** Every file of a repository but the embedded emulator's state. */
const snapshot = (root: string): Map<string, string> => snapshotAll(root, ['.apiops']);

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const { code, io } = await runCli(argv, PROJECT_ROOT, { env });
  return { code, out: io.out, err: io.err };
}

async function withInstance<T>(repo: string, action: (c: ApimConnection) => Promise<T>): Promise<T> {
  const environment = pickEnvironment(loadRepository(repo).model, 'local');
  const target = await openTarget(environment, repo);
  try {
    return await action(target.connection);
  } finally {
    await target.close();
  }
}

let sample: string;

beforeAll(async () => {
  sample = copySample();
  const published = await run(['publish', '--env', 'local', '--repo', sample], SECRET_ENV);
  expect(published).toMatchObject({ code: 0, err: expect.not.stringMatching(/error/i) });
});

afterAll(() => {
  temporary.removeAll();
});

describe('apiops extract against the emulator', () => {
  let out: string;

  beforeAll(async () => {
    out = tempDir('out');
    const extracted = await run(['extract', '--env', 'local', '--repo', sample, '--out', out]);
    expect(extracted).toMatchObject({ code: 0, err: expect.not.stringMatching(/error/) });
  });

  it('writes every kind the sample publishes', () => {
    const files = [...snapshot(out).keys()];
    const specification = /^apis\/([^/]+)\/(openapi|swagger)\.(ya?ml|json)$/;
    const expected = [...snapshot(sample).keys()].map((file) => file.replace(specification, 'apis/$1/openapi.yaml'));
    expect(files.sort()).toEqual([...new Set(expected)].sort());
  });

  it('gives a repository whose YAML is schema-clean and which diffs clean against the same instance', async () => {
    await expectRoundTrip(out, 'local');
  });

  it('writes byte-identical files when extracting again', async () => {
    const before = snapshot(out);
    const again = await run(['extract', '--env', 'local', '--repo', sample, '--out', out]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/: 0 written, \d+ unchanged, 0 removed/);
    expect(snapshot(out)).toEqual(before);
  });

  it('writes no secret value anywhere, and a suggested environment variable instead', () => {
    for (const [file, text] of snapshot(out)) expect({ file, leaked: text.includes(WEBHOOK_SECRET) }).toEqual({ file, leaked: false });
    const namedValue = snapshot(out).get('named-values/fabrikam-webhook-secret.yaml');
    expect(namedValue).toMatch(/secret: true\nvalueFromEnv: FABRIKAM_WEBHOOK_SECRET\n/);
  });

  it('pretty-prints policies with LF line endings', () => {
    for (const [file, text] of snapshot(out)) {
      expect({ file, crlf: text.includes('\r') }).toEqual({ file, crlf: false });
      if (file.endsWith('.xml')) expect(text).toMatch(/^(<!--[^]*?-->\n)*<(policies|fragment)>\n {4}<[^]*\n<\/(policies|fragment)>\n$/);
    }
  });
});

describe('extract into an existing repository', () => {
  it('leaves the repository the instance was published from unchanged', async () => {
    const before = snapshot(sample);
    const extracted = await run(['extract', '--env', 'local', '--repo', sample]);
    expect(extracted).toMatchObject({ code: 0, err: expect.not.stringMatching(/error/) });
    expect(snapshot(sample)).toEqual(before);
  });

  it('updates changed files in place, keeps comments and tier, adds new resources and removes deleted ones', async () => {
    const repo = copySample();
    fs.cpSync(path.join(sample, '.apiops'), path.join(repo, '.apiops'), { recursive: true });
    const before = snapshot(repo);
    await withInstance(repo, async (c) => {
      const product = loadRepository(repo).model.products.find((p) => p.id === 'fabrikam-developer');
      const { tier: _tier, apis: _apis, groups: _groups, ...definition } = product!.definition.data;
      await putResource(c, { kind: 'product', ids: ['fabrikam-developer'] }, { ...definition, displayName: 'Fabrikam developers (trial)' });
      await putResource(c, { kind: 'namedValue', ids: ['partner-portal-url'] }, { displayName: 'partner-portal-url', value: 'https://partners.contoso.example', secret: false });
      await deleteResource(c, { kind: 'api', ids: ['partner-webhooks'] });
    });
    const extracted = await run(['extract', '--env', 'local', '--repo', repo]);
    expect(extracted.code).toBe(0);
    const after = snapshot(repo);
    const changed = [...after.keys()].filter((file) => after.get(file) !== before.get(file));
    const removed = [...before.keys()].filter((file) => !after.has(file));
    expect(changed.sort()).toEqual(['named-values/partner-portal-url.yaml', 'products/fabrikam-developer/product.yaml', 'products/fabrikam-production/product.yaml']);
    expect(removed.sort()).toEqual([
      'apis/partner-webhooks/api.yaml',
      'apis/partner-webhooks/operations/receiveDeliveryEvent.xml',
      'apis/partner-webhooks/policy.xml',
      'apis/partner-webhooks/swagger.yaml',
    ]);
    expect(fs.existsSync(path.join(repo, 'apis/partner-webhooks'))).toBe(false);
    const productBefore = before.get('products/fabrikam-developer/product.yaml')!;
    const productAfter = after.get('products/fabrikam-developer/product.yaml')!;
    expect(productAfter).toBe(
      productBefore.replace('displayName: Fabrikam Developer\n', 'displayName: Fabrikam developers (trial)\n').replace('  - partner-webhooks\n', ''),
    );
    expect(after.get('named-values/partner-portal-url.yaml')).toBe(
      '# yaml-language-server: $schema=../schemas/named-value.schema.json\ndisplayName: partner-portal-url\nvalue: https://partners.contoso.example\n',
    );
    const diff = await run(['diff', '--env', 'local', '--repo', repo, '--json', '--exit-code']);
    expect(JSON.parse(diff.out).changes).toEqual([]);
  });
});
