import { loadRepository } from '../../src/repo';
import { loadAndRender } from '../../src/render';
import type { DesiredResource } from '../../src/render/desired';
import { makeRepo, MINIMAL_REPO, removeRepo } from '../fixtures/repo';

/** MINIMAL_REPO whose environments differ in a backend url, a product's subscriptionsLimit and a named value. */
const CONFIG = MINIMAL_REPO['apiops.config.yaml']
  .replace('backendApp: api://func-orders\n', 'backendApp: api://func-orders\n      ordersUrl: https://func-orders-dev.azurewebsites.net/api\n      partnerKeys: 20\n      supportEmail: dev-support@contoso.example\n      strict: false\n')
  .replace('backendApp: api://func-orders-prod\n', 'backendApp: api://func-orders-prod\n      ordersUrl: https://func-orders.azurewebsites.net/api\n      partnerKeys: 5\n      supportEmail: api-support@contoso.example\n      strict: true\n');

const TEMPLATED = {
  'apiops.config.yaml': CONFIG,
  'backends/orders-functions.yaml': `url: "{{values.ordersUrl}}"
protocol: http
title: Orders ({{env}})
`,
  'products/partners/product.yaml': `displayName: Partners
subscriptionRequired: true
approvalRequired: "{{values.strict}}"
subscriptionsLimit: "{{values.partnerKeys}}"
state: published
tier: production
apis: [orders]
groups: [developers]
`,
  'named-values/support-email.yaml': `displayName: support-email
value: "{{values.supportEmail}}"
`,
  // Exists only in local: a named value the policies do not use, for a debugging console.
  'named-values/debug-console.yaml': `displayName: debug-console
value: "https://debug.{{env}}.contoso.example/{{named-value-kept}}"
environments: [local]
`,
};

function resource(resources: DesiredResource[], kind: string, id: string): DesiredResource | undefined {
  return resources.find((r) => r.ref.kind === kind && r.ref.ids.join('/') === id);
}

describe('templated resource YAML', () => {
  let root: string;
  afterEach(() => removeRepo(root));

  it('renders per environment with the values’ types, and scopes a file to its environments', () => {
    root = makeRepo(TEMPLATED);
    const local = loadAndRender(root, 'local', {});
    const prod = loadAndRender(root, 'prod', {});
    expect(local.findings).toEqual([]);
    expect(prod.findings).toEqual([]);
    const { resources: dev } = local.desired;
    const { resources: live } = prod.desired;
    expect(resource(dev, 'backend', 'orders-functions')?.properties).toMatchObject({ url: 'https://func-orders-dev.azurewebsites.net/api', title: 'Orders (local)' });
    expect(resource(live, 'backend', 'orders-functions')?.properties).toMatchObject({ url: 'https://func-orders.azurewebsites.net/api', title: 'Orders (prod)' });
    // The API's serviceUrl follows its backend's rendered url.
    expect(resource(live, 'api', 'orders')?.properties.serviceUrl).toBe('https://func-orders.azurewebsites.net/api');
    // Exactly one reference: the value's own type (a number, a boolean).
    expect(resource(dev, 'product', 'partners')?.properties).toMatchObject({ subscriptionsLimit: 20, approvalRequired: false });
    expect(resource(live, 'product', 'partners')?.properties).toMatchObject({ subscriptionsLimit: 5, approvalRequired: true });
    expect(resource(dev, 'namedValue', 'support-email')?.properties.value).toBe('dev-support@contoso.example');
    expect(resource(live, 'namedValue', 'support-email')?.properties.value).toBe('api-support@contoso.example');
    // A named-value reference is APIM's, kept as written; `environments:` is never sent.
    expect(resource(dev, 'namedValue', 'debug-console')?.properties).toEqual({ displayName: 'debug-console', value: 'https://debug.local.contoso.example/{{named-value-kept}}', secret: false });
    expect(resource(live, 'namedValue', 'debug-console')).toBeUndefined();
    expect(prod.model.namedValues.map((nv) => nv.id)).toEqual(['support-email']);
  });

  it('reports an undefined value as a template error at its place in the YAML file', () => {
    root = makeRepo({ ...TEMPLATED, 'backends/orders-functions.yaml': `protocol: http\nurl: "https://{{values.ordersHost}}/api"\n` });
    const { findings } = loadRepository(root, 'prod');
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'template', severity: 'error', file: 'backends/orders-functions.yaml', line: 2, column: 17, message: expect.stringContaining("'values.ordersHost' is not defined for environment 'prod'") }),
    ]);
  });

  it('checks the rendered value against the schema, naming the templated line', () => {
    root = makeRepo({ ...TEMPLATED, 'products/partners/product.yaml': TEMPLATED['products/partners/product.yaml'].replace('{{values.partnerKeys}}', '{{values.supportEmail}}') });
    const { findings } = loadRepository(root, 'local');
    expect(findings).toEqual([expect.objectContaining({ rule: 'schema', file: 'products/partners/product.yaml', line: 4, column: 21 })]);
    expect(findings[0].message).toMatch(/subscriptionsLimit/);
  });

  it('refuses an environment the configuration does not define', () => {
    root = makeRepo({ ...TEMPLATED, 'named-values/debug-console.yaml': 'displayName: debug-console\nvalue: x\nenvironments: [local, prd]\n' });
    const { findings } = loadRepository(root, 'local');
    expect(findings).toEqual([expect.objectContaining({ rule: 'schema', file: 'named-values/debug-console.yaml', line: 3, column: 23, message: expect.stringContaining("environment 'prd' is not defined in apiops.config.yaml") })]);
  });

  it('leaves a repository without templates as it was', () => {
    root = makeRepo();
    const { model, findings } = loadRepository(root);
    expect(findings).toEqual([]);
    expect(model.environmentSpecific).toBe(false);
    expect(model.backends[0].definition.data).toEqual({ url: 'https://func-orders.azurewebsites.net/api', protocol: 'http' });
    expect(MINIMAL_REPO['backends/orders-functions.yaml']).toContain('https://func-orders.azurewebsites.net/api');
  });
});
