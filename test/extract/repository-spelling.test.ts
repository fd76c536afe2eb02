import * as fs from 'fs';
import * as path from 'path';
import type { ApimConnection } from '../../src/azure/client';
import { putResource } from '../../src/azure/write';
import { runCli } from '../fixtures/repo';
import { emulatedInstance, snapshot, TemporaryDirs } from './files';

/**
 * APIM ids are case-insensitive: an instance that spells the repository's `orders-api` as `Orders-API` diffs clean,
 * and extracting it into that repository updates the repository's files in place, under its own spelling (paths,
 * product lists, operationIds), keeping comments and `tier`. Through the real SDK against the emulator.
 */

const SCOPE = { subscriptionId: '00000000-0000-0000-0000-000000000005', resourceGroup: 'rg-spelling', serviceName: 'apim-spelling' };

const POLICY = (inbound: string): string =>
  `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

const SPECIFICATION = JSON.stringify({
  openapi: '3.0.1',
  info: { title: 'Orders', version: '1.0' },
  paths: {
    '/orders/{orderId}': {
      get: {
        operationId: 'Get-Order',
        summary: 'Get order',
        parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The order' } },
      },
    },
    '/orders': { get: { operationId: 'List-Orders', summary: 'List orders', responses: { '200': { description: 'The orders' } } } },
  },
});

async function configureInstance(c: ApimConnection): Promise<void> {
  await putResource(c, { kind: 'namedValue', ids: ['Orders-Audience'] }, { displayName: 'orders-audience', value: 'api://orders', secret: false });
  await putResource(c, { kind: 'backend', ids: ['Orders-Functions'] }, { url: 'https://orders-fn.azurewebsites.net/api', protocol: 'http' });
  await putResource(c, { kind: 'policyFragment', ids: ['Strip-Key'] }, {
    format: 'rawxml',
    value: '<fragment><set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" /></fragment>',
  });
  await putResource(c, { kind: 'api', ids: ['Orders-API'] }, {
    displayName: 'Orders',
    path: 'orders',
    protocols: ['https'],
    serviceUrl: 'https://orders-fn.azurewebsites.net/api',
    subscriptionRequired: true,
    format: 'openapi+json',
    value: SPECIFICATION,
  });
  await putResource(c, { kind: 'apiPolicy', ids: ['Orders-API'] }, { format: 'rawxml', value: POLICY('<authentication-managed-identity resource="{{orders-audience}}" />') });
  await putResource(c, { kind: 'operationPolicy', ids: ['Orders-API', 'Get-Order'] }, { format: 'rawxml', value: POLICY('<rewrite-uri template="/o/{orderId}" />') });
  await c.client.group.createOrUpdate(c.scope.resourceGroup, c.scope.serviceName, 'Fabrikam', { displayName: 'Fabrikam' });
  await putResource(c, { kind: 'product', ids: ['Gold'] }, { displayName: 'Gold', description: 'Partner production keys', subscriptionRequired: true, approvalRequired: true, state: 'published' });
  await putResource(c, { kind: 'productApi', ids: ['Gold', 'Orders-API'] }, {});
  await putResource(c, { kind: 'productGroup', ids: ['Gold', 'Fabrikam'] }, {});
  await putResource(c, { kind: 'productPolicy', ids: ['Gold'] }, { format: 'rawxml', value: POLICY('<rate-limit calls="20" renewal-period="60" />') });
}

const INSTANCE_SPELLINGS = ['Orders-API', 'Get-Order', 'List-Orders', 'Fabrikam', 'Gold', 'Orders-Audience', 'Orders-Functions', 'Strip-Key'];

/**
 * The instance's own extraction turned into a repository that spells every id in lower case (paths, the product's
 * lists, the operationIds) and that a person has commented and given a `tier`.
 */
function lowerCaseRepository(extracted: string, repo: string): void {
  for (const [file, text] of snapshot(extracted)) {
    const managed = /^(apis|products|named-values|backends|policies|groups)\//.test(file);
    const target = path.join(repo, managed ? file.toLowerCase() : file);
    // Ids in the product's lists and the specification's operationIds (not display names such as `Gold`).
    const lowered = INSTANCE_SPELLINGS.reduce((result, id) => result.replace(new RegExp(`^(\\s*- |\\s*operationId: )${id}$`, 'gm'), `$1${id.toLowerCase()}`), text);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, lowered);
  }
  const edit = (file: string, change: (text: string) => string): void => fs.writeFileSync(path.join(repo, file), change(fs.readFileSync(path.join(repo, file), 'utf8')));
  edit('products/gold/product.yaml', (text) => text.replace(/^displayName: Gold\n/m, '# Fabrikam production keys: approval only\ndisplayName: Gold # shown in the portal\ntier: production\n').replace('  - orders-api\n', '  - orders-api # the partner API\n'));
  edit('apis/orders-api/api.yaml', (text) => text.replace(/^displayName:/m, '# Owned by the commerce team\ndisplayName:'));
  edit('named-values/orders-audience.yaml', (text) => `${text}# the Function app's Entra ID application\n`);
  edit('backends/orders-functions.yaml', (text) => text.replace(/^url:/m, '# Azure Functions\nurl:'));
}

const temporary = new TemporaryDirs('apiops-extract-spelling');
const instance = emulatedInstance(temporary, SCOPE, configureInstance);
let repo: string;

async function run(argv: string[], cwd = repo): Promise<{ code: number; out: string; err: string }> {
  const { code, io } = await runCli(argv, cwd);
  return { code, out: io.out, err: io.err };
}

async function diffChanges(): Promise<unknown[]> {
  const diff = await run(['diff', '--env', 'ci', '--json']);
  return JSON.parse(diff.out).changes as unknown[];
}

function paths(root: string): string[] {
  return [...snapshot(root).keys()];
}

beforeAll(async () => {
  // The instance extracted as it spells its ids, then copied with them in lower case.
  expect((await run(['extract', '--env', 'ci'], instance.repo)).code).toBe(0);
  repo = temporary.create('lower-case');
  lowerCaseRepository(instance.repo, repo);
});

describe('extract into a repository that spells ids in another letter case', () => {
  it('a fresh extract spells ids as the instance does', async () => {
    const out = temporary.create('fresh');
    expect((await run(['extract', '--env', 'ci', '--out', out])).code).toBe(0);
    expect(paths(out).filter((file) => /^(apis|products|named-values|backends|policies\/fragments)\//.test(file))).toEqual([
      'apis/Orders-API/api.yaml',
      'apis/Orders-API/openapi.yaml',
      'apis/Orders-API/operations/Get-Order.xml',
      'apis/Orders-API/policy.xml',
      'backends/Orders-Functions.yaml',
      'named-values/Orders-Audience.yaml',
      'policies/fragments/Strip-Key.xml',
      'products/Gold/policy.xml',
      'products/Gold/product.yaml',
    ]);
  });

  it('starts from a repository that diffs clean against the instance', async () => {
    expect(paths(repo)).toContain('apis/orders-api/operations/get-order.xml');
    expect(await diffChanges()).toEqual([]);
  });

  it('leaves every file as it is: no renames, comments and tier kept', async () => {
    const before = snapshot(repo);
    const extracted = await run(['extract', '--env', 'ci']);
    expect(extracted.code).toBe(0);
    expect(extracted.out).toMatch(/: 0 written, \d+ unchanged, 0 removed/);
    expect(snapshot(repo)).toEqual(before);
  });

  it('updates changed files in place and names new ones in the repository spelling', async () => {
    await putResource(instance.connection, { kind: 'product', ids: ['Gold'] }, { displayName: 'Gold', description: 'Production keys for partners', subscriptionRequired: true, approvalRequired: true, state: 'published' });
    await putResource(instance.connection, { kind: 'operationPolicy', ids: ['Orders-API', 'List-Orders'] }, { format: 'rawxml', value: POLICY('<set-query-parameter name="top" exists-action="skip"><value>50</value></set-query-parameter>') });
    // A renamed operation: the specification no longer matches and is exported again.
    await putResource(instance.connection, { kind: 'apiOperation', ids: ['Orders-API', 'Get-Order'] }, {
      displayName: 'Get one order',
      method: 'GET',
      urlTemplate: '/orders/{orderId}',
      templateParameters: [{ name: 'orderId', type: 'string', required: true }],
      responses: [{ statusCode: 200, description: 'The order' }],
    });

    const extracted = await run(['extract', '--env', 'ci']);
    expect(extracted.code).toBe(0);
    expect(extracted.out).toMatch(/: 3 written, \d+ unchanged, 0 removed/);
    const files = snapshot(repo);
    expect([...files.keys()].filter((file) => INSTANCE_SPELLINGS.some((id) => file.includes(id)))).toEqual([]);
    expect(files.has('apis/orders-api/operations/list-orders.xml')).toBe(true);
    const product = files.get('products/gold/product.yaml') as string;
    expect(product).toContain('# Fabrikam production keys: approval only\ndisplayName: Gold # shown in the portal\ntier: production\n');
    expect(product).toContain('description: Production keys for partners\n');
    expect(product).toContain('apis:\n  - orders-api # the partner API\ngroups:\n  - fabrikam\n');
    const specification = files.get('apis/orders-api/openapi.yaml') as string;
    expect(specification).toContain('summary: Get one order');
    expect(specification.match(/operationId: .*/g)).toEqual(['operationId: list-orders', 'operationId: get-order']);
    expect(files.get('apis/orders-api/api.yaml')).toContain('# Owned by the commerce team\n');

    const validated = await run(['validate', '--format', 'json']);
    const findings = JSON.parse(validated.out).findings as Array<{ rule: string }>;
    expect(findings.filter((finding) => finding.rule === 'schema')).toEqual([]);
    expect(await diffChanges()).toEqual([]);
  });

  it('writes byte-identical files when extracting again', async () => {
    const before = snapshot(repo);
    const again = await run(['extract', '--env', 'ci']);
    expect(again.out).toMatch(/: 0 written, \d+ unchanged, 0 removed/);
    expect(snapshot(repo)).toEqual(before);
  });

  it('keeps the spelling when extracting a selection in yet another case', async () => {
    const before = snapshot(repo);
    const extracted = await run(['extract', '--env', 'ci', '--api', 'ORDERS-API', '--product', 'gOLD']);
    expect(extracted.code).toBe(0);
    expect(snapshot(repo)).toEqual(before);
  });
});
