import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from '../../src/azure/client';
import { armFailure, raw, RG, startHarness, SVC, type Harness } from './helpers';

const RAW_POLICY = `<policies>
  <inbound>
    <base/>
    <set-header name='x-flag' exists-action="override">
      <value>@(context.Request.Headers.GetValueOrDefault("a","") != "" && true)</value>
    </set-header>
    <set-backend-service backend-id="orders-fn" />
  </inbound>
  <backend><base /></backend>
  <outbound><base></base></outbound>
  <on-error />
</policies>`;

describe('policies as APIM stores them', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.apim.client.backend.createOrUpdate(RG, SVC, 'orders-fn', { url: 'https://orders.azurewebsites.net/api', protocol: 'http' });
    await h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, 'orders', { displayName: 'Orders', path: 'orders' });
  });
  afterAll(() => h.emulator.close());

  it('stores rawxml re-serialised the .NET way and returns the escaped form by default', async () => {
    const written = await raw(h.emulator, 'PUT', 'apis/orders/policies/policy', { properties: { format: 'rawxml', value: RAW_POLICY } });
    expect(written.status).toBe(201);
    expect(written.body.properties.format).toBeUndefined();
    const rawForm = (await rawGet(h, 'apis/orders/policies/policy', 'format=rawxml')).properties;
    expect(rawForm.format).toBe('rawxml');
    expect(rawForm.value).toBe(
      '<policies>\r\n\t<inbound>\r\n\t\t<base />\r\n\t\t<set-header name="x-flag" exists-action="override">\r\n\t\t\t<value>@(context.Request.Headers.GetValueOrDefault("a","") != "" && true)</value>\r\n\t\t</set-header>\r\n\t\t<set-backend-service backend-id="orders-fn" />\r\n\t</inbound>\r\n\t<backend>\r\n\t\t<base />\r\n\t</backend>\r\n\t<outbound>\r\n\t\t<base />\r\n\t</outbound>\r\n\t<on-error />\r\n</policies>',
    );
    const xmlForm = (await rawGet(h, 'apis/orders/policies/policy')).properties;
    expect(xmlForm.format).toBeUndefined();
    expect(xmlForm.value).toContain('<value>@(context.Request.Headers.GetValueOrDefault("a","") != "" &amp;&amp; true)</value>');
    const listed = await h.apim.client.apiPolicy.listByApi(RG, SVC, 'orders');
    expect(listed.value?.[0].value).toBe(xmlForm.value);
  });

  it('refuses raw expressions sent as xml with a .NET-style ValidationError on representation', async () => {
    const failure = await raw(h.emulator, 'PUT', 'apis/orders/policies/policy', { properties: { format: 'xml', value: RAW_POLICY } });
    expect(failure.status).toBe(400);
    expect(failure.body.error.code).toBe('ValidationError');
    expect(failure.body.error.details[0].target).toBe('representation');
    expect(failure.body.error.details[0].message).toMatch(/^An error occurred while parsing EntityName\. Line 5, position \d+\.$/);
  });

  it.each([
    ['a < in an attribute', '<set-variable name="a" value="@(1 < 2)" />', "'<', hexadecimal value 0x3C, is an invalid attribute character. Line 3, position 35."],
    ['a " closing an attribute', '<set-variable name="a" value="@("x")" />', "'x' is an unexpected token. Expecting white space. Line 3, position 34."],
    ['a < in text', '<set-body>@(1 < 2)</set-body>', "Name cannot begin with the ' ' character, hexadecimal value 0x20. Line 3, position 16."],
  ])('words %s in an xml document as .NET XmlReader does', async (_, statement, message) => {
    const value = `<policies>\n<inbound>\n${statement}\n</inbound>\n</policies>`;
    const failure = await raw(h.emulator, 'PUT', 'apis/orders/policies/policy', { properties: { format: 'xml', value } });
    expect(failure.body.error.details).toEqual([{ code: 'ValidationError', target: 'representation', message }]);
  });

  it('accepts the escaped form as xml and reads the same raw document back', async () => {
    const xmlForm = (await rawGet(h, 'apis/orders/policies/policy')).properties.value;
    const before = (await rawGet(h, 'apis/orders/policies/policy', 'format=rawxml')).properties.value;
    await h.apim.client.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', { format: 'xml', value: xmlForm });
    expect((await rawGet(h, 'apis/orders/policies/policy', 'format=rawxml')).properties.value).toBe(before);
  });

  it('takes an entity inside a rawxml expression literally', async () => {
    const policy = '<policies><inbound><set-variable name="v" value="@(context.Request.Method == &quot;GET&quot;)" /></inbound><backend><base /></backend><outbound /><on-error /></policies>';
    await h.apim.client.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', { format: 'rawxml', value: policy });
    expect((await rawGet(h, 'apis/orders/policies/policy')).properties.value).toContain('value="@(context.Request.Method == &amp;quot;GET&amp;quot;)"');
    expect((await rawGet(h, 'apis/orders/policies/policy', 'format=rawxml')).properties.value).toContain('value="@(context.Request.Method == &quot;GET&quot;)"');
  });

  it('rejects references to missing named values, fragments and backends with APIM messages', async () => {
    const policy = `<policies>\n<inbound>\n<base />\n<rewrite-uri template="/{{missing-nv}}" />\n<include-fragment fragment-id="nope" />\n<set-backend-service backend-id="ghost" />\n</inbound>\n<backend><base /></backend>\n<outbound><base /></outbound>\n<on-error><base /></on-error>\n</policies>`;
    const failure = await raw(h.emulator, 'PUT', 'apis/orders/policies/policy', { properties: { format: 'rawxml', value: policy } });
    expect(failure.status).toBe(400);
    const messages = failure.body.error.details.map((d: { message: string }) => d.message);
    expect(messages).toEqual([
      "Error in element 'rewrite-uri' on line 4, column 1: Cannot find a property 'missing-nv'",
      "Error in element 'include-fragment' on line 5, column 1: Policy fragment with id 'nope' could not be found.",
      "Error in element 'set-backend-service' on line 6, column 1: Backend with id 'ghost' could not be found.",
    ]);
  });

  it('refuses elements that are no policy or section, as APIM does', async () => {
    const policy = '<policies>\n<inbound>\n<rate-limt calls="5" renewal-period="60" />\n</inbound>\n<backend><base /></backend>\n<outbund />\n</policies>';
    const failure = await raw(h.emulator, 'PUT', 'apis/orders/policies/policy', { properties: { format: 'rawxml', value: policy } });
    expect(failure.status).toBe(400);
    expect(failure.body.error.details.map((d: { message: string }) => d.message)).toEqual([
      "Error in element 'rate-limt' on line 3, column 1: 'rate-limt' is not a recognised policy.",
      "Error in element 'outbund' on line 6, column 1: 'outbund' is not a recognised policy section.",
    ]);
  });

  it('does not treat Liquid set-body templates as named-value references', async () => {
    const policy = '<policies><inbound><base /></inbound><backend><base /></backend><outbound><set-body template="liquid">{{ body.name }} {{body.id}}</set-body></outbound><on-error /></policies>';
    await h.apim.client.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', { format: 'rawxml', value: policy });
  });

  it('writes fragments as a long-running operation, wraps them in <fragment>, lists references and refuses deleting a used one', async () => {
    const fragment = await h.apim.client.policyFragment.beginCreateOrUpdateAndWait(RG, SVC, 'strip-key', {
      format: 'rawxml',
      value: '<fragment><set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" /></fragment>',
      description: 'drops the key',
    });
    expect(fragment.value).toBe('<fragment>\r\n\t<set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />\r\n</fragment>');
    const global = '<policies><inbound><include-fragment fragment-id="strip-key" /></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>';
    await h.apim.client.policy.createOrUpdate(RG, SVC, 'policy', { format: 'rawxml', value: global });
    const refs = await h.apim.client.policyFragment.listReferences(RG, SVC, 'strip-key');
    expect(refs.value?.map((r) => r.id)).toEqual([`/subscriptions/${h.apim.scope.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}/policies/policy`]);
    const blocked = await armFailure(h.apim.client.policyFragment.delete(RG, SVC, 'strip-key', '*'));
    expect(blocked.statusCode).toBe(409);
    expect(blocked.message).toBe("The Policy Fragment 'strip-key' is used by the following entities: /policies/policy");
    await h.apim.client.policy.delete(RG, SVC, 'policy', '*');
    await h.apim.client.policyFragment.delete(RG, SVC, 'strip-key', '*');
  });

  it('downloads rawxml-link and xml-link documents at write time and refuses links it cannot fetch', async () => {
    const documents: Record<string, string> = {
      '/raw.xml': '<policies><inbound><base /><set-header name="x-when" exists-action="override"><value>@(DateTime.UtcNow.Hour < 12 ? "am" : "pm")</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
      '/escaped.xml': '<policies><inbound><set-header name="x-flag" exists-action="override"><value>@(1 &lt; 2 &amp;&amp; true)</value></set-header></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>',
    };
    const server = http.createServer((req, res) => {
      const body = documents[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/xml' }).end(body ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await h.apim.client.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', { format: 'rawxml-link', value: `${base}/raw.xml` });
      const stored = (await rawGet(h, 'apis/orders/policies/policy', 'format=rawxml')).properties;
      expect(stored.value).toContain('<value>@(DateTime.UtcNow.Hour < 12 ? "am" : "pm")</value>');
      expect(stored.value).toContain('\r\n\t<inbound>');
      await h.apim.client.policy.createOrUpdate(RG, SVC, 'policy', { format: 'xml-link', value: `${base}/escaped.xml` });
      expect((await rawGet(h, 'policies/policy', 'format=rawxml')).properties.value).toContain('<value>@(1 < 2 && true)</value>');
      const missing = await armFailure(h.apim.client.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', { format: 'rawxml-link', value: `${base}/missing.xml` }));
      expect(missing).toMatchObject({ statusCode: 400, code: 'ValidationError' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a fragment without the <fragment> root and non-xml formats', async () => {
    const wrongRoot = await raw(h.emulator, 'PUT', 'policyFragments/f1', { properties: { format: 'rawxml', value: '<policies />' } });
    expect(wrongRoot.status).toBe(400);
    const link = await raw(h.emulator, 'PUT', 'policyFragments/f1', { properties: { format: 'xml-link', value: 'http://127.0.0.1:1/x' } });
    expect(link.body.error.details[0].target).toBe('format');
  });

  it('provisions the default global policy on a new service', async () => {
    const fresh = connect({ ...h.apim.scope, serviceName: 'apim-fresh' }, { endpoint: h.emulator.url, maxRetries: 0 });
    const policies = [];
    for await (const p of fresh.client.policy.listByService(RG, 'apim-fresh')) policies.push(p);
    expect(policies).toHaveLength(1);
    expect(policies[0].value).toContain('<backend>\r\n\t\t<forward-request />\r\n\t</backend>');
    const groups = [];
    for await (const g of fresh.client.group.listByService(RG, 'apim-fresh')) groups.push(g.name);
    expect(groups).toEqual(['administrators', 'developers', 'guests']);
  });
});

async function rawGet(h: Harness, path: string, query = ''): Promise<any> {
  const response = await raw(h.emulator, 'GET', path, undefined, {}, `api-version=2024-05-01${query ? `&${query}` : ''}`);
  expect(response.status).toBe(200);
  return response.body;
}
