import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRepository } from '../../src/repo';
import { renderRepository, SECRET_PLACEHOLDER } from '../../src/render';
import type { DesiredResource } from '../../src/render';
import { fileNameOf } from '../../src/resources/file-names';
import { makeRepo, removeRepo, runCli } from '../fixtures/repo';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const GOLDEN = path.join(__dirname, 'golden', 'sample-dev');
const SECRET = 'fabrikam-shared-secret-7f3a9c';

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

function find(resources: DesiredResource[], kind: string, ...ids: string[]): DesiredResource {
  const found = resources.find((r) => r.ref.kind === kind && r.ref.ids.join('/') === ids.join('/'));
  if (!found) throw new Error(`no ${kind} ${ids.join('/')}`);
  return found;
}

describe('apiops render', () => {
  let out: string;
  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-render-'));
  });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  it('writes resources with ids that are awkward file names (256 characters, a leading dot) under their repository names', async () => {
    const longId = `long-${'n'.repeat(251)}`;
    const repo = makeRepo({
      [`named-values/${fileNameOf(longId, '.yaml').name}`]: `id: ${longId}\ndisplayName: long-setting\nvalue: l\n`,
      'named-values/%2Ehidden.yaml': 'displayName: hidden-setting\nvalue: h\n',
    });
    try {
      const target = path.join(out, 'awkward');
      const { code, io } = await runCli(['render', '--env', 'local', '--out', target], repo);
      expect(io.err).toBe('');
      expect(code).toBe(0);
      const files = listFiles(target);
      expect(files).toContain('namedValues/%2Ehidden.json');
      expect(files).toContain(`namedValues/${fileNameOf(longId, '.json').name}`);
    } finally {
      removeRepo(repo);
    }
  });

  it('writes the sample repository for dev exactly as the golden tree (set UPDATE_GOLDEN=1 to refresh it)', async () => {
    const target = path.join(out, 'dev');
    const { code, io } = await runCli(['render', '--env', 'dev', '--out', target], PROJECT_ROOT, { env: { APIOPS_FABRIKAM_WEBHOOK_SECRET: SECRET } });
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toMatch(/Rendered environment 'dev': \d+ files in /);
    if (process.env.UPDATE_GOLDEN) {
      fs.rmSync(GOLDEN, { recursive: true, force: true });
      fs.cpSync(target, GOLDEN, { recursive: true });
    }
    expect(listFiles(target)).toEqual(listFiles(GOLDEN));
    for (const file of listFiles(GOLDEN)) {
      expect(`${file}:\n${fs.readFileSync(path.join(target, file), 'utf8')}`).toBe(`${file}:\n${fs.readFileSync(path.join(GOLDEN, file), 'utf8')}`);
    }
  });

  it('never writes a secret value, and is deterministic', async () => {
    const env = { APIOPS_FABRIKAM_WEBHOOK_SECRET: SECRET };
    await runCli(['render', '--env', 'prod', '--out', path.join(out, 'a')], PROJECT_ROOT, { env });
    await runCli(['render', '--env', 'prod', '--out', path.join(out, 'b')], PROJECT_ROOT, { env });
    const files = listFiles(path.join(out, 'a'));
    expect(listFiles(path.join(out, 'b'))).toEqual(files);
    for (const file of files) {
      const text = fs.readFileSync(path.join(out, 'a', file), 'utf8');
      expect(text).not.toContain(SECRET);
      expect(fs.readFileSync(path.join(out, 'b', file), 'utf8')).toBe(text);
    }
    const namedValue = JSON.parse(fs.readFileSync(path.join(out, 'a', 'namedValues', 'fabrikam-webhook-secret.json'), 'utf8'));
    expect(namedValue).toEqual({
      properties: { displayName: 'fabrikam-webhook-secret', secret: true, tags: ['partner-webhooks', 'fabrikam'], value: SECRET_PLACEHOLDER },
    });
  });

  it('refuses to write into a non-empty directory it did not create (exit 2), and replaces its own output', async () => {
    fs.writeFileSync(path.join(out, 'precious.txt'), 'keep me');
    const refused = await runCli(['render', '--out', out], PROJECT_ROOT);
    expect(refused.code).toBe(2);
    expect(refused.io.err).toMatch(/not empty and was not written by apiops render/);
    expect(fs.readFileSync(path.join(out, 'precious.txt'), 'utf8')).toBe('keep me');
    const target = path.join(out, 'build');
    expect((await runCli(['render', '--out', target], PROJECT_ROOT)).code).toBe(0);
    fs.writeFileSync(path.join(target, 'apis', 'stale.json'), '{}');
    expect((await runCli(['render', '--out', target], PROJECT_ROOT)).code).toBe(0);
    expect(fs.existsSync(path.join(target, 'apis', 'stale.json'))).toBe(false);
  });

  it('--out naming a file: exit 2 with a message naming it, no stack trace', async () => {
    const file = path.join(out, 'a-file');
    fs.writeFileSync(file, 'not a directory');
    const { code, io } = await runCli(['render', '--out', path.join(file, 'build')], PROJECT_ROOT);
    expect(code).toBe(2);
    expect(io.err).toMatch(/^error: cannot write .*a-file\/build: ENOTDIR/);
    expect(io.err).not.toMatch(/\n\s+at |--debug/);
  });

  it('writes nothing and exits 2 when the repository has errors', async () => {
    const root = makeRepo({ 'apis/orders/policy.xml': '<policies><inbound>' });
    try {
      const { code, io } = await runCli(['render', '--out', path.join(out, 'x')], root);
      expect(code).toBe(2);
      expect(io.err).toMatch(/apis\/orders\/policy\.xml/);
      expect(fs.existsSync(path.join(out, 'x'))).toBe(false);
    } finally {
      removeRepo(root);
    }
  });
});

describe('renderRepository: the desired state', () => {
  const { model } = loadRepository(PROJECT_ROOT);

  it('builds ARM 2024-05-01 properties for every managed kind', () => {
    const { desired } = renderRepository(model, 'prod', { processEnv: { APIOPS_FABRIKAM_WEBHOOK_SECRET: SECRET } });
    const resources = desired.resources;
    expect(desired.environment).toBe('prod');
    expect(find(resources, 'api', 'media-orders').properties).toEqual({
      displayName: 'Media Orders',
      path: 'orders',
      protocols: ['https'],
      serviceUrl: 'https://func-contoso-media.azurewebsites.net/api',
      subscriptionRequired: true,
      description: 'Place and track licensing orders for catalogue titles.',
      apiVersion: 'v1',
      apiVersionSetId: '/apiVersionSets/media-orders',
      format: 'openapi+json',
      value: fs.readFileSync(path.join(PROJECT_ROOT, 'apis', 'media-orders', 'openapi.json'), 'utf8'),
    });
    expect(find(resources, 'apiOperation', 'media-orders', 'getOrder').properties).toEqual({
      displayName: 'Get an order',
      method: 'GET',
      urlTemplate: '/orders/{orderId}',
      templateParameters: [{ name: 'orderId', type: 'string', required: true, description: 'Order number.' }],
      request: { queryParameters: [], headers: [] },
      responses: [{ statusCode: 200 }, { statusCode: 404 }],
    });
    const swagger = find(resources, 'api', 'partner-webhooks').properties;
    expect(swagger.format).toBe('swagger-json');
    expect(JSON.parse(String(swagger.value)).swagger).toBe('2.0');
    expect(find(resources, 'product', 'fabrikam-production').properties).toEqual({
      displayName: 'Fabrikam Production',
      description: expect.stringContaining('Production access'),
      subscriptionRequired: true,
      approvalRequired: true,
      subscriptionsLimit: 2,
      state: 'published',
    });
    expect(find(resources, 'productApi', 'fabrikam-developer', 'media-catalog')).toMatchObject({ properties: {}, source: { file: 'products/fabrikam-developer/product.yaml', line: 13 } });
    expect(find(resources, 'productGroup', 'fabrikam-developer', 'developers').properties).toEqual({});
    expect(find(resources, 'namedValue', 'catalog-cache-seconds').properties).toEqual({ displayName: 'catalog-cache-seconds', value: '300', secret: false, tags: ['media-catalog'] });
    expect(find(resources, 'namedValue', 'orders-signing-key').properties).toEqual({
      displayName: 'orders-signing-key',
      secret: true,
      tags: ['media-orders'],
      keyVault: { secretIdentifier: 'https://kv-contoso-media.vault.azure.net/secrets/orders-signing-key' },
    });
    expect(find(resources, 'namedValue', 'fabrikam-webhook-secret').properties.value).toBe(SECRET);
    expect(find(resources, 'backend', 'media-functions').properties).toMatchObject({ url: 'https://func-contoso-media.azurewebsites.net/api', protocol: 'http' });
    const fragment = find(resources, 'policyFragment', 'call-functions-with-managed-identity');
    expect(fragment.properties).toEqual({ format: 'rawxml', value: expect.stringContaining('backend-id="media-functions"') });
    expect(fragment.policy?.root.name).toBe('fragment');
    expect(find(resources, 'operationPolicy', 'media-orders', 'createOrder').properties.value).toContain('{{orders-signing-key}}');
    expect(find(resources, 'globalPolicy').source).toEqual({ file: 'policies/global.xml', line: 1, column: 1 });
    expect(find(resources, 'apiVersionSet', 'media-orders').properties).toEqual({
      displayName: 'Media Orders',
      description: 'Licensing orders, one API per major version.',
      versioningScheme: 'Segment',
    });
    expect(find(resources, 'logger', 'appinsights').properties).toEqual({
      loggerType: 'applicationInsights',
      description: 'Gateway telemetry for the Contoso Media APIs',
      credentials: { connectionString: '{{appinsights-connection-string}}' },
    });
    expect(find(resources, 'diagnostic', 'applicationinsights').properties).toMatchObject({
      loggerId: '/loggers/appinsights',
      alwaysLog: 'allErrors',
      sampling: { samplingType: 'fixed', percentage: 25 },
      frontend: { response: { headers: ['Content-Type'], body: { bytes: 1024 } } },
    });
    expect(find(resources, 'subscription', 'fabrikam-production').properties).toEqual({
      displayName: 'Fabrikam production',
      scope: '/products/fabrikam-production',
      state: 'active',
      allowTracing: false,
    });
  });

  it('orders resources so that what a resource needs comes first', () => {
    const kinds = renderRepository(model, 'dev', { processEnv: {} }).desired.resources.map((r) => r.ref.kind);
    expect(kinds.indexOf('namedValue')).toBeLessThan(kinds.indexOf('policyFragment'));
    expect(kinds.lastIndexOf('api')).toBeLessThan(kinds.indexOf('apiOperation'));
    expect(kinds.lastIndexOf('apiOperation')).toBeLessThan(kinds.indexOf('operationPolicy'));
    expect(kinds.lastIndexOf('product')).toBeLessThan(kinds.indexOf('productApi'));
  });

  it('marks a secret whose environment variable is unset as valueUnavailable, with no value', () => {
    const secret = find(renderRepository(model, 'dev', { processEnv: {} }).desired.resources, 'namedValue', 'fabrikam-webhook-secret');
    expect(secret.valueUnavailable).toBe(true);
    expect(secret.properties).not.toHaveProperty('value');
  });

  it('renders templates with the chosen environment (default: the first)', () => {
    const valueOf = (env?: string) =>
      String(find(renderRepository(model, env, { processEnv: {} }).desired.resources, 'policyFragment', 'validate-entra-jwt').properties.value);
    expect(valueOf()).toContain('api://contoso-media-partner-api-dev');
    expect(valueOf('prod')).toContain('<value>api://contoso-media-partner-api</value>');
    expect(renderRepository(model, undefined, { processEnv: {} }).environment.name).toBe('local');
  });

  it('sends a product without subscription no approvalRequired / subscriptionsLimit (ARM refuses them)', () => {
    const root = makeRepo({ 'products/open/product.yaml': 'displayName: Open\nsubscriptionRequired: false\nstate: published\n' });
    try {
      const { model: small, findings } = loadRepository(root);
      expect(findings).toEqual([]);
      const product = find(renderRepository(small, undefined, { processEnv: {} }).desired.resources, 'product', 'open');
      expect(product.properties).toEqual({ displayName: 'Open', subscriptionRequired: false, state: 'published' });
    } finally {
      removeRepo(root);
    }
  });
  it('reports a block parameter no environment defines (a typo), and renders one defined elsewhere as false', () => {
    const root = makeRepo({
      'policies/global.xml': [
        '<policies>',
        '  <inbound>',
        '    {{#if values.audience}}<set-header name="x-audience" exists-action="override"><value>{{values.audience}}</value></set-header>{{/if}}',
        '    {{#if values.enableCahce}}<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />{{/if}}',
        '  </inbound>',
        '  <backend><forward-request /></backend>',
        '  <outbound />',
        '  <on-error />',
        '</policies>',
        '',
      ].join('\n'),
    });
    try {
      const { model: small } = loadRepository(root);
      const findings = renderRepository(small, 'local', { processEnv: {} }).findings.filter((f) => f.rule === 'template');
      expect(findings).toEqual([
        expect.objectContaining({ file: 'policies/global.xml', line: 4, column: 11, message: expect.stringContaining("'values.enableCahce' is not defined in any environment") }),
      ]);
      const withFlag = makeRepo({ 'policies/global.xml': fs.readFileSync(path.join(root, 'policies/global.xml'), 'utf8') });
      try {
        const config = fs.readFileSync(path.join(withFlag, 'apiops.config.yaml'), 'utf8').replace('      audience: api://orders-prod', '      audience: api://orders-prod\n      enableCahce: true');
        fs.writeFileSync(path.join(withFlag, 'apiops.config.yaml'), config);
        const local = renderRepository(loadRepository(withFlag).model, 'local', { processEnv: {} });
        expect(local.findings.filter((f) => f.rule === 'template')).toEqual([]);
        expect(String(find(local.desired.resources, 'globalPolicy').properties.value)).not.toContain('cache-lookup');
      } finally {
        removeRepo(withFlag);
      }
    } finally {
      removeRepo(root);
    }
  });

  it('keeps no parsed document for a policy with the wrong root: only the root finding follows from it', () => {
    const root = makeRepo({
      'products/partners/policy.xml': '<fragment>\n  <set-header name="a" exists-action="delete" />\n</fragment>\n',
      'policies/fragments/auth.xml': '<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>\n',
    });
    try {
      const { model: small, findings } = loadRepository(root);
      const rendered = renderRepository(small, undefined, { processEnv: {}, findings });
      const byFile = (file: string) => rendered.policies.find((p) => p.source.file === file)!;
      expect(byFile('products/partners/policy.xml').document).toBeUndefined();
      expect(byFile('policies/fragments/auth.xml').document).toBeUndefined();
      expect(find(rendered.desired.resources, 'productPolicy', 'partners').policy).toBeUndefined();
      expect(rendered.findings.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([
        'xml-syntax policies/fragments/auth.xml:1',
        'xml-syntax products/partners/policy.xml:1',
      ]);
    } finally {
      removeRepo(root);
    }
  });
});
