import * as fs from 'fs';
import * as path from 'path';
import type { ApimConnection } from '../../src/azure/client';
import { putResource } from '../../src/azure/write';
import { runCli } from '../fixtures/repo';
import { emulatedInstance, expectRoundTrip, snapshot, TemporaryDirs } from './files';

/**
 * The round trip from an instance configured by hand in the portal rather than published by apiops: APIs made of
 * operations without any specification import (some recording no responses, template and query parameters), a
 * version set, policies with expressions, CDATA, comments, Liquid and a named value called `env`, secret and Key
 * Vault named values, a backend whose credentials reference a secret, a product with groups, tags, an API id with
 * capitals and a fragment. Built through the real SDK, extracted with the CLI, then validated and diffed.
 */

const SCOPE = { subscriptionId: '00000000-0000-0000-0000-000000000004', resourceGroup: 'rg-hand', serviceName: 'apim-hand' };
const SECRET_VALUE = 'pk-8Jd2Lq7Vx4Rt9Wm3Zs6N';
const API = 'Orders-API';

const API_POLICY = `<policies>
  <inbound>
    <base />
    <!-- route to the functions backend -->
    <include-fragment fragment-id="Strip-Key" />
    <set-backend-service backend-id="orders-functions" />
    <authentication-managed-identity resource="{{Backend.Audience}}" />
    <set-header name="x-environment" exists-action="override"><value>{{env}}</value></set-header>
    <set-variable name="tier" value="@{ var n = context.Request.Headers.GetValueOrDefault("x-n", "0"); return n.Length < 3 && n != "" ? "small" : "large"; }" />
  </inbound>
  <backend><base /></backend>
  <outbound>
    <base />
    <set-body template="liquid">{"id": "{{body.id}}"{% if body.note %}, "note": "{{ body.note }}"{% endif %}}</set-body>
    <set-body><![CDATA[<order id="1">&amp; done</order>]]></set-body>
  </outbound>
  <on-error><base /></on-error>
</policies>`;

const temporary = new TemporaryDirs('apiops-extract-hand');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, io } = await runCli(argv, instance.repo);
  return { code, out: io.out, err: io.err };
}

async function configureByHand(c: ApimConnection): Promise<void> {
  const { client, scope } = c;
  await putResource(c, { kind: 'namedValue', ids: ['backend-audience'] }, { displayName: 'Backend.Audience', value: 'api://orders', secret: false, tags: ['orders', 'auth'] });
  // A named value whose name reads like the template's own `{{env}}`.
  await putResource(c, { kind: 'namedValue', ids: ['env'] }, { displayName: 'env', value: 'production', secret: false });
  await putResource(c, { kind: 'namedValue', ids: ['partner-key'] }, { displayName: 'partner-key', value: SECRET_VALUE, secret: true });
  await putResource(c, { kind: 'namedValue', ids: ['vault-key'] }, {
    displayName: 'vault-key',
    secret: true,
    keyVault: { secretIdentifier: 'https://contoso-kv.vault.azure.net/secrets/orders-key' },
  });
  await putResource(c, { kind: 'backend', ids: ['orders-functions'] }, {
    url: 'https://orders-fn.azurewebsites.net/api',
    protocol: 'http',
    title: 'Orders functions',
    resourceId: 'https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-fn',
    credentials: { header: { 'x-functions-key': ['{{partner-key}}'] } },
  });
  await putResource(c, { kind: 'policyFragment', ids: ['Strip-Key'] }, {
    format: 'rawxml',
    value: '<fragment>\n<!-- never forward the key -->\n<set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />\n</fragment>',
  });
  await putResource(c, { kind: 'globalPolicy', ids: [] }, {
    format: 'rawxml',
    value: '<policies><inbound><set-variable name="start" value="@(DateTime.UtcNow)" /></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>',
  });
  await client.apiVersionSet.createOrUpdate(scope.resourceGroup, scope.serviceName, 'orders', { displayName: 'Orders', versioningScheme: 'Segment' });
  await putResource(c, { kind: 'api', ids: [API] }, {
    displayName: 'Orders',
    description: 'Orders of Fabrikam',
    path: 'orders',
    protocols: ['https'],
    serviceUrl: 'https://orders-fn.azurewebsites.net/api',
    subscriptionRequired: true,
    subscriptionKeyParameterNames: { header: 'X-Orders-Key', query: 'orders-key' },
    apiVersion: 'v1',
    apiVersionSetId: `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.ApiManagement/service/${scope.serviceName}/apiVersionSets/orders`,
  });
  const operations: Array<[string, Record<string, unknown>]> = [
    ['get-order', {
      displayName: 'Get order',
      method: 'GET',
      urlTemplate: '/orders/{orderId}',
      templateParameters: [{ name: 'orderId', type: 'string', required: true, description: 'The order' }],
      responses: [{ statusCode: 200, description: 'The order' }, { statusCode: 404 }],
    }],
    ['list-orders', {
      displayName: 'List orders',
      method: 'GET',
      urlTemplate: '/orders?status={status}',
      templateParameters: [{ name: 'status', type: 'string', required: true, values: ['open', 'closed'] }],
      request: { queryParameters: [{ name: 'top', type: 'integer', required: false }], headers: [{ name: 'x-request-id', type: 'string', required: true }] },
    }],
    ['CreateOrder', { displayName: 'Create order', method: 'POST', urlTemplate: '/orders', description: 'Places an order' }],
    ['delete-line', {
      displayName: 'Delete line',
      method: 'DELETE',
      urlTemplate: '/orders/{orderId}/lines/{line}',
      templateParameters: [{ name: 'orderId', type: 'string', required: true }, { name: 'line', type: 'integer', required: true }],
    }],
  ];
  for (const [id, properties] of operations) await putResource(c, { kind: 'apiOperation', ids: [API, id] }, properties);
  await putResource(c, { kind: 'apiPolicy', ids: [API] }, { format: 'rawxml', value: API_POLICY });
  await putResource(c, { kind: 'operationPolicy', ids: [API, 'get-order'] }, {
    format: 'rawxml',
    value: '<policies><inbound><base /><rewrite-uri template="/o/{orderId}" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
  });
  await putResource(c, { kind: 'tag', ids: ['orders'] }, { displayName: 'Orders team' });
  await putResource(c, { kind: 'apiTag', ids: [API, 'orders'] }, {});
  await client.group.createOrUpdate(scope.resourceGroup, scope.serviceName, 'fabrikam', { displayName: 'Fabrikam' });
  await putResource(c, { kind: 'product', ids: ['gold'] }, { displayName: 'Gold', subscriptionRequired: true, approvalRequired: true, subscriptionsLimit: 3, state: 'published' });
  await putResource(c, { kind: 'productApi', ids: ['gold', API] }, {});
  await putResource(c, { kind: 'productGroup', ids: ['gold', 'fabrikam'] }, {});
  await putResource(c, { kind: 'productGroup', ids: ['gold', 'developers'] }, {});
  await putResource(c, { kind: 'productPolicy', ids: ['gold'] }, {
    format: 'rawxml',
    value: '<policies><inbound><base /><rate-limit calls="20" renewal-period="60" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
  });
}

const instance = emulatedInstance(temporary, SCOPE, configureByHand);

describe('extracting a hand-configured instance', () => {
  let out: string;
  let extracted: { code: number; out: string; err: string };

  beforeAll(async () => {
    out = temporary.create('out');
    extracted = await run(['extract', '--env', 'ci', '--out', out]);
  });

  it('writes a repository that is schema-clean and diffs clean against the instance', async () => {
    expect(extracted.code).toBe(0);
    await expectRoundTrip(out, 'ci');
    // The renamed key names are held by api.yaml (diffing clean means publish would send them as they are).
    expect(fs.readFileSync(path.join(out, `apis/${API}/api.yaml`), 'utf8')).toMatch(/subscriptionKeyParameterNames:\n {2}header: X-Orders-Key\n {2}query: orders-key\n/);
    expect(extracted.out).not.toContain('subscription key names');
    // The Function App behind the backend, as the portal links it.
    expect(fs.readFileSync(path.join(out, 'backends/orders-functions.yaml'), 'utf8')).toContain('resourceId: https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-fn\n');
  });

  it('describes operations without responses as the instance has them, and says which the export misdescribed', () => {
    const specification = fs.readFileSync(path.join(out, `apis/${API}/openapi.yaml`), 'utf8');
    expect(specification).not.toMatch(/"200":\n\s+description: ""/);
    expect(specification).toContain('default:\n          description: No responses recorded on the instance');
    expect(extracted.out).toContain(`warning  apis/${API}/openapi.yaml: the exported document misdescribed CreateOrder, delete-line, list-orders; they were built from the instance's operations`);
  });

  it("escapes what the policy template would take for its own, and nothing else", () => {
    const policy = fs.readFileSync(path.join(out, `apis/${API}/policy.xml`), 'utf8');
    expect(policy).toContain('<value>\\{{env}}</value>');
    expect(policy).toContain('resource="{{Backend.Audience}}"');
    expect(policy).toContain('{"id": "{{body.id}}"{% if body.note %}, "note": "{{ body.note }}"{% endif %}}');
    expect(policy).toContain('<![CDATA[<order id="1">&amp; done</order>]]>');
    expect(policy).toContain('<!-- route to the functions backend -->');
  });

  it('writes sorted lists and never a secret value, in files or output', () => {
    const files = snapshot(out);
    expect(files.get('named-values/backend-audience.yaml')).toContain('tags:\n  - auth\n  - orders\n');
    expect(files.get('named-values/partner-key.yaml')).toContain('secret: true\nvalueFromEnv: PARTNER_KEY\n');
    expect(files.get('named-values/vault-key.yaml')).toContain('keyVault:\n  secretIdentifier: https://contoso-kv.vault.azure.net/secrets/orders-key\n');
    expect(files.get('products/gold/product.yaml')).toContain(`apis:\n  - ${API}\ngroups:\n  - developers\n  - fabrikam\n`);
    for (const [file, text] of files) expect({ file, leaked: text.includes(SECRET_VALUE) }).toEqual({ file, leaked: false });
    expect(extracted.out + extracted.err).not.toContain(SECRET_VALUE);
  });

  it('writes byte-identical files when extracting again', async () => {
    const before = snapshot(out);
    const again = await run(['extract', '--env', 'ci', '--out', out]);
    expect(again.out).toMatch(/: 0 written, \d+ unchanged, 0 removed/);
    expect(snapshot(out)).toEqual(before);
  });
});
