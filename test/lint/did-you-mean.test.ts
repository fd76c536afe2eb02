import { lintFiles, policy, repo } from './helpers';

/** Every place a name is looked up suggests the closest known one. */
describe('did-you-mean wherever a name is looked up', () => {
  const messages = (overrides: Record<string, string>, rule: string) =>
    lintFiles(repo(overrides))
      .filter((f) => f.rule === rule)
      .map((f) => `${f.file}:${f.line} ${f.message}`);

  test('a YAML key, from the properties of its schema', () => {
    expect(messages({ 'apis/orders/api.yaml': 'displayname: Orders\npath: orders\nbackend: orders\nspecification: openapi.yaml\n' }, 'schema')).toEqual(
      expect.arrayContaining(['apis/orders/api.yaml:1 displayname: unknown property (did you mean displayName?)']),
    );
  });

  test("an API id in a product's list, a backend id in an API", () => {
    const product = 'displayName: Partner developer\nsubscriptionRequired: true\ntier: developer\napis: [order]\n';
    expect(messages({ 'products/partner-developer/product.yaml': product }, 'schema')).toEqual([
      "products/partner-developer/product.yaml:4 API 'order' is not defined in apis/ (did you mean orders?)",
    ]);
    const api = 'displayName: Orders\npath: orders\nbackend: ordres\nspecification: openapi.yaml\n';
    expect(messages({ 'apis/orders/api.yaml': api }, 'schema')).toEqual(["apis/orders/api.yaml:3 backend 'ordres' is not defined in backends/ (did you mean orders?)"]);
  });

  test('a rule id in a suppression and in the configuration', () => {
    const suppressed = policy({ inbound: '<!-- apiops-disable-next-line cors-wildcrd: public catalogue -->\n<cors><allowed-origins><origin>*</origin></allowed-origins></cors>' });
    expect(messages({ 'apis/orders/operations/get-order.xml': suppressed }, 'suppression')).toEqual([
      'apis/orders/operations/get-order.xml:3 apiops-disable-next-line names unknown rule cors-wildcrd (did you mean cors-wildcard?)',
    ]);
    const config = `${repo({})['apiops.config.yaml']}lint:\n  rules:\n    unreferencd: off\n`;
    expect(messages({ 'apiops.config.yaml': config }, 'schema')).toEqual(["apiops.config.yaml:7 lint.rules: unknown rule 'unreferencd' (did you mean unreferenced?)"]);
  });

  test('{{name}} where the environment has values.name', () => {
    const header = policy({ inbound: '<set-header name="X-Tenant" exists-action="override"><value>{{tenantId}}</value></set-header>' });
    expect(messages({ 'apis/orders/operations/get-order.xml': header }, 'named-value-missing')).toEqual([
      'apis/orders/operations/get-order.xml:3 {{tenantId}} names no named value (no named-values/*.yaml has displayName tenantId) (did you mean {{values.tenantId}}, the template value?)',
    ]);
  });
});
