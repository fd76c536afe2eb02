import * as fs from 'fs';
import * as path from 'path';
import { openTarget } from '../../src/azure/target';
import { readLiveState } from '../../src/azure/read';
import { loadRepository } from '../../src/repo';
import { loadAndRender, pickEnvironment } from '../../src/render';
import { RESOURCE_TYPES } from '../../src/resources/types';
import { runCli } from '../fixtures/repo';
import { snapshot, TemporaryDirs } from '../extract/files';

/**
 * `apiops import` of hand-written artifact folders in both tools' layouts (test/fixtures/import): the repository it
 * writes validates schema-clean, and publishing it into the embedded emulator through the real client creates every
 * artifact the folder holds.
 */

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'import');
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const SECRETS = { ORDERS_BACKEND_KEY: 'orders-key-4f1b9c', APPINSIGHTS_KEY: 'ai-key-77d2e0' };
const STRUCTURAL_RULES = ['schema', 'xml-syntax', 'template'];

const temporary = new TemporaryDirs('apiops-import');
afterAll(() => temporary.removeAll());

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const { code, io } = await runCli(argv, PROJECT_ROOT, { env });
  return { code, out: io.out, err: io.err };
}

/** A copy of a fixture folder, to break. */
function copyOf(tool: string): string {
  const dir = path.join(temporary.create('source'), 'artifacts');
  fs.cpSync(path.join(FIXTURES, tool, 'artifacts'), dir, { recursive: true });
  return dir;
}

/**
 * The imported repository's findings of the structural rules, after which the lint rules it breaks (the fixtures hold
 * no JWT validation or managed identity, as many real instances do not) are turned to warnings so that publish runs.
 */
async function validateAndRelaxLint(repo: string): Promise<Array<{ rule: string; message: string }>> {
  const validated = await run(['validate', '--repo', repo, '--format', 'json']);
  const findings = JSON.parse(validated.out).findings as Array<{ rule: string; file: string; message: string }>;
  const lintRules = [...new Set(findings.map((finding) => finding.rule).filter((rule) => !STRUCTURAL_RULES.includes(rule)))].sort();
  const config = path.join(repo, 'apiops.config.yaml');
  fs.appendFileSync(config, `lint:\n  rules:\n${lintRules.map((rule) => `    ${rule}: warn\n`).join('')}`);
  return findings.filter((finding) => STRUCTURAL_RULES.includes(finding.rule));
}

async function liveRefs(repo: string): Promise<string[]> {
  const target = await openTarget(pickEnvironment(loadRepository(repo).model, 'local'), repo);
  try {
    const kinds = RESOURCE_TYPES.filter((type) => type.managed).map((type) => type.kind);
    const state = await readLiveState(target.connection, { kinds });
    return state.resources.map((resource) => `${resource.ref.kind}:${resource.ref.ids.join('/')}`);
  } finally {
    await target.close();
  }
}

const COMMON = [
  'api:orders', 'api:orders-v2', 'apiOperation:orders/list-orders', 'apiOperation:orders/create-order', 'apiOperation:orders/get-order',
  'apiOperation:orders-v2/list-orders-v2', 'apiPolicy:orders', 'apiDiagnostic:orders/applicationinsights', 'apiTag:orders/finance',
  'apiTag:orders-v2/public', 'apiVersionSet:orders', 'backend:orders-backend', 'diagnostic:applicationinsights', 'globalPolicy:',
  'group:partner-developers', 'logger:appinsights', 'namedValue:appinsights-key', 'namedValue:orders-backend-key', 'namedValue:region',
  'namedValue:signing-key', 'policyFragment:correlation', 'product:partners', 'product:open', 'productApi:partners/orders',
  'productApi:partners/orders-v2', 'productApi:open/orders-v2', 'productGroup:partners/partner-developers', 'productGroup:partners/developers',
  'productPolicy:partners', 'productTag:partners/finance', 'subscription:partner-orders', 'subscription:orders-api-only', 'tag:finance', 'tag:public',
  'operationPolicy:orders/list-orders', 'operationPolicy:orders-v2/list-orders-v2',
];

describe.each([
  // Azure/apiops names operation folders by APIM operation name: `Create-Order` is operationId create-order.
  ['azure-apiops', 'operationPolicy:orders/create-order', 'apis/orders/operations/create-order.xml', 'create'],
  // apiops-cli's operationInformation.json says method and URL template: folder 62f1… is GET /orders/{orderId}.
  ['apiops-cli', 'operationPolicy:orders/get-order', 'apis/orders/operations/get-order.xml', 'get'],
])('apiops import --from %s', (tool, mappedPolicy, mappedFile, mappedHeader) => {
  let repo: string;
  let importOutput: string;

  beforeAll(async () => {
    repo = path.join(temporary.create(tool), 'repo');
    const imported = await run(['import', '--from', tool, path.join(FIXTURES, tool, 'artifacts'), '--out', repo]);
    expect(imported).toMatchObject({ code: 0, err: '' });
    expect(imported.out).toMatch(/Imported .*2 api,.* into /);
    importOutput = imported.out;
  });

  it('writes a repository that validates schema-clean, with a local environment on the embedded emulator', async () => {
    expect(await validateAndRelaxLint(repo)).toEqual([]);
    expect(fs.readFileSync(path.join(repo, 'apiops.config.yaml'), 'utf8')).toMatch(/local:\n\s+target:\n\s+emulator: \.apiops\/local/);
  });

  it('makes each configuration.<env>.yaml an environment (the extractor configuration is not one)', () => {
    const config = fs.readFileSync(path.join(repo, 'apiops.config.yaml'), 'utf8');
    const [environment, file] = tool === 'azure-apiops' ? ['prod', 'configuration.prod.yaml'] : ['staging', 'configuration.staging.yaml'];
    expect(config).toContain(`  ${environment}:\n    description: imported from ${file}`);
    expect(config).toContain(`      emulator: .apiops/${environment}\n`);
    expect(config).not.toContain('extractor');
    const token = tool === 'azure-apiops' ? 'ordersBackendKeyProd' : 'STAGING_APPINSIGHTS_KEY';
    expect(importOutput).toMatch(new RegExp(`note +\\S*${file}:\\d+:\\d+: secret '[\\w-]+' comes from pipeline token ${token} in environment '${environment}'`));
  });

  it('maps operation folders to the specification operationIds', () => {
    expect(fs.readFileSync(path.join(repo, mappedFile), 'utf8')).toContain(`<value>${mappedHeader}</value>`);
  });

  it('keeps secrets out of the repository: secret named values come from environment variables', () => {
    const files = snapshot(repo);
    expect(files.get('named-values/orders-backend-key.yaml')).toMatch(/secret: true\nvalueFromEnv: ORDERS_BACKEND_KEY\n$/);
    expect(files.get('named-values/signing-key.yaml')).toContain('secretIdentifier: https://kv-orders.vault.azure.net/secrets/signing-key');
    for (const [file, text] of files) expect(`${file}: ${/REDACTED/.test(text)}`).toBe(`${file}: false`);
  });

  it('publishes to the emulator through the real client with every artifact present', async () => {
    const published = await run(['publish', '--env', 'local', '--repo', repo], SECRETS);
    expect(published).toMatchObject({ code: 0 });
    const live = await liveRefs(repo);
    expect(live).toEqual(expect.arrayContaining([...COMMON, mappedPolicy]));
    const product = fs.readFileSync(path.join(repo, 'products/partners/product.yaml'), 'utf8');
    expect(product).toContain('terms: Fair use only.');
    expect(fs.readFileSync(path.join(repo, 'backends/orders-backend.yaml'), 'utf8')).toContain('resourceId: https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-orders/providers/Microsoft.Web/sites/func-orders\n');
    expect(product).toContain('subscriptionsLimit: 5');
    const again = await run(['publish', '--env', 'local', '--repo', repo], SECRETS);
    expect(again.out).toMatch(/no changes/i);
  });
});

describe.each(['azure-apiops', 'apiops-cli'])('apiops import --from %s of revisions and API types', (tool) => {
  let repo: string;
  let files: Map<string, string>;
  let out: string;

  beforeAll(async () => {
    repo = path.join(temporary.create(`${tool}-types`), 'repo');
    const imported = await run(['import', '--from', tool, path.join(FIXTURES, tool, 'api-types'), '--out', repo]);
    expect(imported).toMatchObject({ code: 0, err: '' });
    out = imported.out;
    files = snapshot(repo);
  });

  it('writes a repository that validates schema-clean', async () => {
    expect(await validateAndRelaxLint(repo)).toEqual([]);
  });

  it('keeps the current revision in the API folder with the release that made it current, the others in revisions/<n>/', () => {
    expect(files.get('apis/orders/api.yaml')).toContain('revision: 2\nrevisionDescription: Adds paging.\nrelease:\n  id: paging\n  notes: Paging for every partner.\n');
    expect(files.get('apis/orders/revisions/1/revision.yaml')).toMatch(/description: First\.\nserviceUrl: https:\/\/orders\.internal\.example\.com\/v1\n$/);
    expect(files.get('apis/orders/revisions/1/policy.xml')).toContain('<value>1</value>');
    expect(files.get('apis/orders/revisions/3/revision.yaml')).toMatch(/description: "Next: search\."\n$/);
    expect(files.get('apis/orders/revisions/3/operations/search-orders.xml')).toContain('<value>3</value>');
    expect(files.get('apis/orders/revisions/3/openapi.yaml')).toContain('operationId: search-orders');
    expect(out).toMatch(/note .*apis\/orders\/releases\/first\/\w+\.json: a release of revision 1 .*history, left out/);
  });

  it('writes each API type with its specification file, and maps their operations', () => {
    expect(files.get('apis/stock/api.yaml')).toContain('type: soap');
    expect(files.get('apis/stock/api.wsdl')).toContain('<definitions');
    // The folder is APIM's operation name `getstock`; the WSDL's operation (and so the operationId) is GetStock.
    expect(files.get('apis/stock/operations/GetStock.xml')).toContain('<value>GetStock</value>');
    expect(files.get('apis/stock-rest/api.yaml')).not.toContain('type:');
    expect(files.has('apis/stock-rest/api.wsdl')).toBe(true);
    expect(files.get('apis/legacy/api.wadl')).toContain('<application');
    expect(files.get('apis/chat/api.yaml')).toContain('type: websocket');
    expect(files.get('apis/chat/operations/onHandshake.xml')).toContain('<value>chat</value>');
    expect(files.get('apis/catalog/api.yaml')).toContain('type: graphql');
    expect(files.get('apis/catalog/schema.graphql')).toContain('type Query');
  });

  it('publishes to the emulator through the real client with every revision, API type, schema and resolver present', async () => {
    const published = await run(['publish', '--env', 'local', '--repo', repo]);
    expect(published).toMatchObject({ code: 0 });
    const live = await liveRefs(repo);
    expect(live).toEqual(
      expect.arrayContaining([
        'api:orders', 'api:orders;rev=1', 'api:orders;rev=3', 'apiRelease:orders/paging', 'apiPolicy:orders;rev=1',
        'operationPolicy:orders/list-orders', 'operationPolicy:orders;rev=3/search-orders', 'apiSchema:orders/order',
        'api:stock', 'operationPolicy:stock/GetStock', 'api:stock-rest', 'api:legacy', 'apiOperation:legacy/get-status',
        'api:chat', 'operationPolicy:chat/onHandshake', 'api:catalog', 'apiSchema:catalog/graphql',
        ...(tool === 'apiops-cli' ? ['graphQLResolver:catalog/items', 'resolverPolicy:catalog/items'] : ['apiPolicy:catalog']),
      ]),
    );
    const again = await run(['publish', '--env', 'local', '--repo', repo]);
    expect(again.out).toMatch(/no changes/i);
  });

  it('writes API schemas the specification does not create, and GraphQL resolvers', () => {
    expect(files.get('apis/orders/api-schemas/order.yaml')).toContain('contentType: application/json');
    expect([...files.keys()].filter((file) => file.includes('api-schemas/'))).toEqual(['apis/orders/api-schemas/order.yaml']);
    if (tool === 'apiops-cli') {
      expect(files.get('apis/catalog/resolvers/items.yaml')).toContain('path: Query/items');
      expect(files.get('apis/catalog/resolvers/items.xml')).toContain('<http-data-source>');
    }
  });
});

describe('apiops import refuses what it cannot convert, and writes nothing', () => {
  async function refused(tool: string, source: string): Promise<string> {
    const out = path.join(temporary.create('out'), 'repo');
    const result = await run(['import', '--from', tool, source, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(fs.existsSync(out)).toBe(false);
    return result.err;
  }

  it('names API types, gateways, revisions of absent APIs and unknown files by their folder', async () => {
    const source = copyOf('azure-apiops');
    fs.cpSync(path.join(source, 'apis/orders'), path.join(source, 'apis/payments;rev=2'), { recursive: true });
    fs.mkdirSync(path.join(source, 'apis/inventory'));
    fs.writeFileSync(path.join(source, 'apis/inventory/apiInformation.json'), JSON.stringify({ properties: { displayName: 'Inventory', path: 'inventory', type: 'odata' } }));
    fs.mkdirSync(path.join(source, 'gateways/onprem'), { recursive: true });
    fs.writeFileSync(path.join(source, 'gateways/onprem/gatewayInformation.json'), '{"properties":{}}');
    fs.writeFileSync(path.join(source, 'notes.txt'), 'hello');
    const err = await refused('azure-apiops', source);
    expect(err).toContain("apis/payments;rev=2/: cannot convert: a revision of API 'payments', which the folder does not have");
    expect(err).toContain('apis/inventory/: cannot convert: a odata API: the repository format holds http, soap, graphql and websocket APIs');
    expect(err).toContain('gateways/onprem/: cannot convert: a self-hosted gateway');
    expect(err).toContain('notes.txt: cannot convert: not a file of the azure-apiops layout');
    expect(err).toMatch(/import: 4 thing\(s\) cannot be converted; nothing was written\n$/);
  });

  it('names an API at a revision other than 1 that no release made current', async () => {
    const source = path.join(temporary.create('types'), 'artifacts');
    fs.cpSync(path.join(FIXTURES, 'azure-apiops', 'api-types'), source, { recursive: true });
    fs.rmSync(path.join(source, 'apis/orders/releases/paging'), { recursive: true });
    const err = await refused('azure-apiops', source);
    expect(err).toContain("apis/orders/apiInformation.json: cannot convert: API 'orders' is at revision 2, but no release in apis/orders/releases/ made it current");
  });

  it('names an operation folder the specification does not have, and settings the format cannot hold', async () => {
    const source = copyOf('azure-apiops');
    fs.cpSync(path.join(source, 'apis/orders/operations/list-orders'), path.join(source, 'apis/orders/operations/delete-order'), { recursive: true });
    const backend = path.join(source, 'backends/orders-backend/backendInformation.json');
    const definition = JSON.parse(fs.readFileSync(backend, 'utf8'));
    definition.properties.circuitBreaker = { rules: [{ name: 'trip' }] };
    fs.writeFileSync(backend, JSON.stringify(definition, null, 2));
    const err = await refused('azure-apiops', source);
    expect(err).toContain("apis/orders/operations/delete-order/: cannot convert: operation 'delete-order' is not an operation of apis/orders/specification.yaml (its operationIds: list-orders, create-order, get-order)");
    expect(err).toContain("backends/orders-backend/backendInformation.json: cannot convert: 'circuitBreaker': not held by the repository format");
  });

  it('names an API schema of the kind a specification import creates that was made by hand under a name of its own', async () => {
    const source = path.join(temporary.create('types'), 'artifacts');
    fs.cpSync(path.join(FIXTURES, 'apiops-cli', 'api-types'), source, { recursive: true });
    const generated = path.join(source, 'apis/orders/schemas/64b7f0c2a1d3e5f7a9b1c3d5');
    fs.cpSync(generated, path.join(source, 'apis/orders/schemas/order-item'), { recursive: true });
    const err = await refused('apiops-cli', source);
    // The one the import generated (APIM's 24-digit id) comes with the specification; the named copy cannot.
    expect(err).toContain("apis/orders/schemas/order-item/schemaInformation.json: cannot convert: API schema 'order-item' (application/vnd.oai.openapi.components+json) is of the kind the specification's import creates");
    expect(err).not.toContain('64b7f0c2a1d3e5f7a9b1c3d5');
  });

  it('names a diagnostic that names no logger', async () => {
    const source = copyOf('apiops-cli');
    const file = path.join(source, 'apis/orders/diagnostics/applicationinsights/diagnosticInformation.json');
    const definition = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete definition.properties.loggerId;
    fs.writeFileSync(file, JSON.stringify(definition, null, 2));
    expect(await refused('apiops-cli', source)).toContain('apis/orders/diagnostics/applicationinsights/diagnosticInformation.json: cannot convert: a diagnostic without loggerId');
  });

  it('names a JSON syntax error and an invalid policy by file, line and column', async () => {
    const source = copyOf('apiops-cli');
    fs.writeFileSync(path.join(source, 'products/partners/apis.json'), '[\n  { "name": "orders" },\n  { "name": \n]\n');
    fs.writeFileSync(path.join(source, 'apis/orders/policy.xml'), '<policies>\n  <inbound>\n    <base>\n  </inbound>\n</policies>\n');
    const err = await refused('apiops-cli', source);
    expect(err).toMatch(/products\/partners\/apis\.json:\d+:\d+: cannot convert: /);
    expect(err).toMatch(/apis\/orders\/policy\.xml:\d+:\d+: cannot convert: /);
  });

  it('converts overrides that make resource files differ per environment into templated values, with their types', async () => {
    const source = copyOf('azure-apiops');
    fs.writeFileSync(
      path.join(source, 'configuration.prod.yaml'),
      ['backends:', '  - name: orders-backend', '    properties:', '      url: https://orders.prod.example.com', 'products:', '  - name: partners', '    properties:', '      subscriptionsLimit: 50', ''].join('\n'),
    );
    const repo = temporary.create('templated');
    const imported = await run(['import', '--from', 'azure-apiops', source, '--out', repo]);
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    expect(fs.readFileSync(path.join(repo, 'backends/orders-backend.yaml'), 'utf8')).toContain('url: "{{values.backendsOrdersBackendUrl}}"');
    expect(fs.readFileSync(path.join(repo, 'products/partners/product.yaml'), 'utf8')).toContain('subscriptionsLimit: "{{values.productsPartnersSubscriptionsLimit}}"');
    expect(await validateAndRelaxLint(repo)).toEqual([]);
    const resource = (env: string, kind: string, id: string) => loadAndRender(repo, env, SECRETS).desired.resources.find((r) => r.ref.kind === kind && r.ref.ids[0] === id)?.properties;
    expect(resource('prod', 'backend', 'orders-backend')?.url).toBe('https://orders.prod.example.com');
    expect(resource('local', 'backend', 'orders-backend')?.url).not.toBe('https://orders.prod.example.com');
    expect(resource('prod', 'product', 'partners')?.subscriptionsLimit).toBe(50);
    expect(resource('local', 'product', 'partners')?.subscriptionsLimit).toBe(5);
  });

  it('names each override that cannot be converted, at its entry', async () => {
    const source = copyOf('azure-apiops');
    fs.writeFileSync(
      path.join(source, 'configuration.prod.yaml'),
      [
        'backends:',
        '  - name: orders-backend',
        '    properties:',
        '      url: https://orders.prod.example.com',
        'products:',
        '  - name: partners',
        '    properties:',
        '      subscriptionsLimit: 50',
        '  - name: gold',
        '    properties:',
        '      displayName: Gold',
        'gateways:',
        '  - name: onprem',
        '',
      ].join('\n'),
    );
    const err = await refused('azure-apiops', source);
    expect(err).not.toContain('orders-backend');
    expect(err).not.toContain('subscriptionsLimit');
    expect(err).toContain("configuration.prod.yaml:9:5: cannot convert: product 'gold' is not in the artifacts");
    expect(err).toContain("configuration.prod.yaml:12:1: cannot convert: 'gateways' overrides cannot be converted: apiops does not manage gateways");
  });

  it('replaces no existing file', async () => {
    const out = temporary.create('existing');
    fs.writeFileSync(path.join(out, 'apiops.config.yaml'), 'environments: {}\n');
    const result = await run(['import', '--from', 'azure-apiops', path.join(FIXTURES, 'azure-apiops', 'artifacts'), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/already has apiops\.config\.yaml: import writes a new repository and replaces nothing; nothing was written/);
    expect(fs.readdirSync(out)).toEqual(['apiops.config.yaml']);
  });
});
