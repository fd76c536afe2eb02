import { makeRepo, MINIMAL_REPO, removeRepo, runCli, validateJson } from '../fixtures/repo';

/** `apiops validate` without --env checks every environment of apiops.config.yaml (MINIMAL_REPO: local and prod). */

const STRICT_ONLY_IN_PROD = MINIMAL_REPO['apiops.config.yaml'].replace('backendApp: api://func-orders-prod\n', 'backendApp: api://func-orders-prod\n      strict: true\n      ordersUrl: https://func-orders.azurewebsites.net/api\n');

const REPO = {
  'apiops.config.yaml': STRICT_ONLY_IN_PROD,
  // A branch false in local (the first environment): its broken XML only prod renders.
  'apis/orders/policy.xml': MINIMAL_REPO['apis/orders/policy.xml'].replace('<base />\n', '<base />\n        {{#if values.strict}}<set-header name="X-Strict" exists-action="override"><value>1</value>{{/if}}\n'),
  // A value only prod defines.
  'backends/orders-functions.yaml': 'url: "{{values.ordersUrl}}"\nprotocol: http\n',
  // The same problem in every environment.
  'products/partners/product.yaml': MINIMAL_REPO['products/partners/product.yaml'].replace('state: published', 'state: live'),
};

describe('apiops validate across environments', () => {
  let root: string;
  beforeAll(() => {
    root = makeRepo(REPO);
  });
  afterAll(() => removeRepo(root));

  it('checks every environment, naming the ones a finding holds in, and reports a finding common to all once', async () => {
    const { code, report } = await validateJson(root);
    expect(code).toBe(1);
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ rule: 'xml-syntax', file: 'apis/orders/policy.xml', environments: ['prod'] }),
      expect.objectContaining({ rule: 'template', file: 'backends/orders-functions.yaml', line: 1, column: 9, message: expect.stringContaining("'values.ordersUrl' is not defined for environment 'local'"), environments: ['local'] }),
      { rule: 'schema', severity: 'error', file: 'products/partners/product.yaml', line: 4, column: 8, message: 'state: must be one of: published, notPublished' },
    ]);
  });

  it('checks only the named environment with --env, and names environments in the stylish report', async () => {
    const local = await validateJson(root, ['--env', 'local']);
    expect(local.report.findings.filter((f) => f.severity === 'error').map((f) => f.rule)).toEqual(['template', 'schema']);
    expect(local.report.findings.every((f) => !('environments' in f))).toBe(true);
    const { io } = await runCli(['validate'], root);
    expect(io.out).toMatch(/error {2}.* \(in prod\) {2}xml-syntax/);
  });

  it('inline-secret: a secret one environment renders is reported for it alone, one every environment holds once for all', async () => {
    const secretRoot = makeRepo({
      // Only prod's value puts credentials in the URL (the rule works out a text's shape once for every environment).
      'apiops.config.yaml': MINIMAL_REPO['apiops.config.yaml']
        .replace('backendApp: api://func-orders\n', 'backendApp: api://func-orders\n      ordersUrl: https://func-orders.azurewebsites.net/api\n')
        .replace('backendApp: api://func-orders-prod\n', 'backendApp: api://func-orders-prod\n      ordersUrl: https://orders:Pr0d-s3cret@func-orders-prod.azurewebsites.net/api\n'),
      'backends/orders-functions.yaml': 'url: "{{values.ordersUrl}}"\nprotocol: http\ndescription: "AccountKey=c2VjcmV0LXN0b3JhZ2Uta2V5LXZhbHVl"\n',
    });
    try {
      const { report } = await validateJson(secretRoot);
      expect(report.findings.filter((f) => f.rule === 'inline-secret' && f.file === 'backends/orders-functions.yaml')).toEqual([
        expect.objectContaining({ file: 'backends/orders-functions.yaml', line: 1, column: 6, message: expect.stringContaining('literal credentials in a URL in backends/orders-functions.yaml (url)'), environments: ['prod'] }),
        {
          rule: 'inline-secret',
          severity: 'error',
          file: 'backends/orders-functions.yaml',
          line: 3,
          column: 14,
          message: expect.stringContaining('literal storage account key (AccountKey=) in backends/orders-functions.yaml (description)'),
        },
      ]);
    } finally {
      removeRepo(secretRoot);
    }
  });
});
