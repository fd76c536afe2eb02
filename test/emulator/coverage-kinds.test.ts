import { all, armFailure, raw, RG, SERVICE_ID, SVC, suiteHarness } from './helpers';

/**
 * The resource kinds of whole-instance coverage, through the real SDK client: loggers (credentials moved into
 * secret named values), service and API diagnostics, releases that make a revision current, the revision list,
 * API schemas, GraphQL resolvers and their policies.
 */

describe('whole-instance resource kinds through the SDK', () => {
  const suite = suiteHarness();
  beforeAll(() => suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'orders', { displayName: 'Orders', path: 'orders' }));

  it('keeps a logger credential as APIM does: a literal key becomes a secret named value the logger references', async () => {
    const logger = await suite.c.logger.createOrUpdate(RG, SVC, 'insights', { loggerType: 'applicationInsights', credentials: { instrumentationKey: 'ikey-0123456789' } });
    expect(logger).toMatchObject({ loggerType: 'applicationInsights', isBuffered: true });
    const reference = /^\{\{(Logger-Credentials-[0-9a-f]{24})\}\}$/.exec(String(logger.credentials?.instrumentationKey));
    expect(reference).not.toBeNull();
    const namedValue = await suite.c.namedValue.get(RG, SVC, (reference as RegExpExecArray)[1]);
    expect(namedValue).toMatchObject({ secret: true });
    expect(namedValue.value).toBeUndefined();
    expect((await suite.c.namedValue.listValue(RG, SVC, (reference as RegExpExecArray)[1])).value).toBe('ikey-0123456789');
    // A reference to a named value that exists is kept as written; one to a missing named value is refused.
    await suite.c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'eh-connection', { displayName: 'eh-connection', value: 'Endpoint=sb://x/;SharedAccessKey=y', secret: true });
    const hub = await suite.c.logger.createOrUpdate(RG, SVC, 'hub', { loggerType: 'azureEventHub', credentials: { name: 'orders', connectionString: '{{eh-connection}}' } });
    expect(hub.credentials).toEqual({ name: 'orders', connectionString: '{{eh-connection}}' });
    const missing = await armFailure(suite.c.logger.createOrUpdate(RG, SVC, 'bad', { loggerType: 'azureEventHub', credentials: { connectionString: '{{nowhere}}' } }));
    expect(missing).toMatchObject({ statusCode: 400, code: 'ValidationError' });
    expect(await armFailure(suite.c.logger.createOrUpdate(RG, SVC, 'bad', { loggerType: 'splunk' as never }))).toMatchObject({ statusCode: 400 });
    const updated = await suite.c.logger.update(RG, SVC, 'hub', '*', { description: 'Order events' });
    expect(updated).toMatchObject({ description: 'Order events', credentials: { connectionString: '{{eh-connection}}' } });
    expect((await all(suite.c.logger.listByService(RG, SVC))).map((l) => l.name)).toEqual(['hub', 'insights']);
  });

  it('serves diagnostics at service and API scope, naming an existing logger', async () => {
    await suite.c.logger.createOrUpdate(RG, SVC, 'monitor', { loggerType: 'azureMonitor' });
    const settings = { loggerId: '/loggers/monitor', sampling: { samplingType: 'fixed', percentage: 25 }, verbosity: 'information', frontend: { request: { headers: ['Content-Type'], body: { bytes: 512 } } } };
    const service = await suite.c.diagnostic.createOrUpdate(RG, SVC, 'azuremonitor', settings);
    expect(service).toMatchObject({ id: `${SERVICE_ID}/diagnostics/azuremonitor`, loggerId: '/loggers/monitor', sampling: { percentage: 25 } });
    const api = await suite.c.apiDiagnostic.createOrUpdate(RG, SVC, 'orders', 'azuremonitor', { ...settings, loggerId: `${SERVICE_ID}/loggers/monitor` });
    expect(api).toMatchObject({ id: `${SERVICE_ID}/apis/orders/diagnostics/azuremonitor`, type: 'Microsoft.ApiManagement/service/apis/diagnostics' });
    expect(await armFailure(suite.c.diagnostic.createOrUpdate(RG, SVC, 'applicationinsights', { loggerId: '/loggers/none' }))).toMatchObject({ statusCode: 400, code: 'ValidationError' });
    expect(await armFailure(suite.c.diagnostic.createOrUpdate(RG, SVC, 'applicationinsights', { loggerId: '/loggers/monitor', frontend: { request: { body: { bytes: 9000 } } } }))).toMatchObject({ statusCode: 400 });
    expect((await all(suite.c.apiDiagnostic.listByService(RG, SVC, 'orders'))).map((d) => d.name)).toEqual(['azuremonitor']);
    // Deleting the API deletes its diagnostics.
    await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'short-lived', { displayName: 'Short-lived', path: 'short-lived' });
    await suite.c.apiDiagnostic.createOrUpdate(RG, SVC, 'short-lived', 'azuremonitor', settings);
    await suite.c.api.beginDeleteAndWait(RG, SVC, 'short-lived', '*');
    await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'short-lived', { displayName: 'Short-lived', path: 'short-lived' });
    expect(await all(suite.c.apiDiagnostic.listByService(RG, SVC, 'short-lived'))).toEqual([]);
  });

  it('lists revisions and makes one current through a release, each revision keeping its own operations', async () => {
    await suite.c.apiOperation.createOrUpdate(RG, SVC, 'orders', 'list-orders', { displayName: 'List orders', method: 'GET', urlTemplate: '/orders' });
    await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'orders;rev=2', { path: 'orders', sourceApiId: '/apis/orders', apiRevisionDescription: 'Adds order creation' });
    await suite.c.apiOperation.createOrUpdate(RG, SVC, 'orders;rev=2', 'create-order', { displayName: 'Create order', method: 'POST', urlTemplate: '/orders' });
    const before = await all(suite.c.apiRevision.listByService(RG, SVC, 'orders'));
    expect(before).toEqual([
      expect.objectContaining({ apiId: `${SERVICE_ID}/apis/orders;rev=1`, apiRevision: '1', isCurrent: true }),
      expect.objectContaining({ apiId: `${SERVICE_ID}/apis/orders;rev=2`, apiRevision: '2', isCurrent: false, description: 'Adds order creation', privateUrl: '/orders;rev=2' }),
    ]);

    const release = await suite.c.apiRelease.createOrUpdate(RG, SVC, 'orders', 'release-2', { apiId: `${SERVICE_ID}/apis/orders;rev=2`, notes: 'Order creation is live' });
    expect(release).toMatchObject({ name: 'release-2', apiId: `${SERVICE_ID}/apis/orders;rev=2`, notes: 'Order creation is live' });
    expect(release.createdDateTime).toBeInstanceOf(Date);
    expect(await suite.c.api.get(RG, SVC, 'orders')).toMatchObject({ apiRevision: '2', isCurrent: true, apiRevisionDescription: 'Adds order creation' });
    expect((await all(suite.c.apiOperation.listByApi(RG, SVC, 'orders'))).map((o) => o.name).sort()).toEqual(['create-order', 'list-orders']);
    expect((await all(suite.c.apiOperation.listByApi(RG, SVC, 'orders;rev=1'))).map((o) => o.name)).toEqual(['list-orders']);
    expect(await suite.c.api.get(RG, SVC, 'orders;rev=1')).toMatchObject({ name: 'orders;rev=1', apiRevision: '1', isCurrent: false });
    expect((await all(suite.c.apiRelease.listByService(RG, SVC, 'orders'))).map((r) => r.notes)).toEqual(['Order creation is live']);
    // A release names a revision of its own API.
    const wrong = await armFailure(suite.c.apiRelease.createOrUpdate(RG, SVC, 'orders', 'wrong', { apiId: '/apis/orders;rev=7' }));
    expect(wrong).toMatchObject({ statusCode: 400, code: 'ValidationError' });
  });

  it('stores API schemas (a long-running PUT in Azure) and GraphQL resolvers with their policies', async () => {
    const schema = await suite.c.apiSchema.beginCreateOrUpdateAndWait(RG, SVC, 'orders', 'order-types', { contentType: 'application/vnd.oai.openapi.components+json', components: { schemas: { Order: { type: 'object' } } } });
    expect(schema).toMatchObject({ name: 'order-types', contentType: 'application/vnd.oai.openapi.components+json', components: { schemas: { Order: { type: 'object' } } } });
    expect(await armFailure(suite.c.apiSchema.beginCreateOrUpdateAndWait(RG, SVC, 'orders', 'empty', { contentType: 'application/json' }))).toMatchObject({ statusCode: 400 });

    await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'people', { displayName: 'People', path: 'people', apiType: 'graphql', serviceUrl: 'https://people.example.com/graphql' });
    const resolver = await suite.c.graphQLApiResolver.createOrUpdate(RG, SVC, 'people', 'users', { displayName: 'Users', path: 'Query/users' });
    expect(resolver).toMatchObject({ id: `${SERVICE_ID}/apis/people/resolvers/users`, path: 'Query/users' });
    const policy = await suite.c.graphQLApiResolverPolicy.createOrUpdate(RG, SVC, 'people', 'users', 'policy', {
      format: 'rawxml',
      value: '<http-data-source><http-request><set-method>GET</set-method><set-url>https://people.example.com/users</set-url></http-request></http-data-source>',
    });
    expect(policy.value).toContain('<set-url>https://people.example.com/users</set-url>');
    const scopePolicy = await raw(suite.h.emulator, 'PUT', 'apis/people/resolvers/users/policies/policy', { properties: { format: 'rawxml', value: '<policies><inbound /></policies>' } });
    expect(scopePolicy.status).toBe(400);
    expect(scopePolicy.body.error.details[0].message).toBe('The root element of a policy must be <http-data-source>, not <policies>.');
    expect((await raw(suite.h.emulator, 'GET', 'apis/people/resolvers/users/policies')).body.value).toHaveLength(1);
  });

  it('answers every list of these kinds with 200 and an empty value when there is nothing', async () => {
    await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'empty', { displayName: 'Empty', path: 'empty' });
    await suite.c.graphQLApiResolver.createOrUpdate(RG, SVC, 'people', 'bare', { displayName: 'Bare', path: 'Query/bare' });
    for (const path of ['apis/empty/diagnostics', 'apis/empty/releases', 'apis/empty/schemas', 'apis/empty/resolvers', 'apis/people/resolvers/bare/policies']) {
      const reply = await raw(suite.h.emulator, 'GET', path);
      expect({ path, status: reply.status, value: reply.body.value }).toEqual({ path, status: 200, value: [] });
    }
  });
});
