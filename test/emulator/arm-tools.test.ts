import { ROUTES } from '../../src/emulator/routes';
import { all, raw, RG, SCOPE, SERVICE_ID, SVC, suiteHarness } from './helpers';

/**
 * What ARM tools other than apiops ask before and while they work: the resource group, the service with the fields
 * Azure returns, every list (200 and an empty `value`, never 404), an API at the gateway's root (empty path).
 */

/** The parents every list below hangs from, by key name. */
const PARENTS: Record<string, string> = { apiId: 'root-api', operationId: 'ping', productId: 'starter', tagId: 'public', resolverId: 'hello', userId: '1' };

/** Lists that hold something here: what the test created, and what APIM puts in every instance. */
const NOT_EMPTY = new Set([
  'apis', // root-api
  'apis/root-api/operations', // ping
  'apis/root-api/resolvers', // hello
  'products', // starter
  'products/starter/groupLinks', // Administrators, linked by APIM
  'products/starter/groups',
  'tags', // public
  'groups', // built-in groups
  'users', // the administrator
  'policies', // the default global policy
  'apis/root-api/revisions', // the current revision
]);

describe('what other ARM tools rely on', () => {
  const suite = suiteHarness();

  it('answers the resource group GET (and HEAD) before anything else', async () => {
    const url = `${suite.h.emulator.url}/subscriptions/${SCOPE.subscriptionId}/resourceGroups/${RG}?api-version=2021-04-01`;
    const headers = { Authorization: 'Bearer token' };
    const group = await fetch(url, { headers });
    expect(group.status).toBe(200);
    expect(await group.json()).toEqual({ id: `/subscriptions/${SCOPE.subscriptionId}/resourceGroups/${RG}`, name: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope', properties: { provisioningState: 'Succeeded' } });
    expect((await fetch(url, { method: 'HEAD', headers })).status).toBe(204);
    expect((await fetch(url)).status).toBe(401);
  });

  it('returns the service with the fields Azure returns', async () => {
    const service = await suite.c.apiManagementService.get(RG, SVC);
    expect(service).toMatchObject({
      id: SERVICE_ID,
      name: SVC,
      type: 'Microsoft.ApiManagement/service',
      tags: {},
      sku: { name: 'Developer', capacity: 1 },
      notificationSenderEmail: 'apimgmt-noreply@mail.windowsazure.com',
      provisioningState: 'Succeeded',
      gatewayUrl: `https://${SVC}.azure-api.net`,
      gatewayRegionalUrl: expect.stringMatching(/^https:\/\/.*\.regional\.azure-api\.net$/),
      developerPortalUrl: `https://${SVC}.developer.azure-api.net`,
      virtualNetworkType: 'None',
      publicNetworkAccess: 'Enabled',
      platformVersion: 'stv2',
      customProperties: expect.objectContaining({ 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10': 'false' }),
    });
    expect(service.createdAtUtc).toBeInstanceOf(Date);
    // The creation time is the service's own: it does not change between reads.
    expect((await suite.c.apiManagementService.get(RG, SVC)).createdAtUtc).toEqual(service.createdAtUtc);
    expect(service.systemData?.createdAt).toEqual(service.createdAtUtc);
  });

  it('answers every list route with 200 and a value, empty when nothing is there', async () => {
    await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'root-api', { displayName: 'Root', path: 'root', apiType: 'graphql', serviceUrl: 'https://root.example.com/graphql' });
    await suite.c.apiOperation.createOrUpdate(RG, SVC, 'root-api', 'ping', { displayName: 'Ping', method: 'GET', urlTemplate: '/ping' });
    await suite.c.graphQLApiResolver.createOrUpdate(RG, SVC, 'root-api', 'hello', { displayName: 'Hello', path: 'Query/hello' });
    await suite.c.product.createOrUpdate(RG, SVC, 'starter', { displayName: 'Starter' });
    await suite.c.tag.createOrUpdate(RG, SVC, 'public', { displayName: 'Public' });
    const collections = [...new Set(ROUTES.map((route) => route.template.split('/').slice(0, -1).map((segment) => (segment.startsWith('{') ? PARENTS[segment.slice(1, -1)] : segment)).join('/')))];
    expect(collections.length).toBeGreaterThan(30);
    for (const collection of collections) {
      const reply = await raw(suite.h.emulator, 'GET', collection);
      const value = reply.body?.value;
      expect({ collection, status: reply.status, isList: Array.isArray(value) }).toEqual({ collection, status: 200, isList: true });
      if (!NOT_EMPTY.has(collection)) expect({ collection, value }).toEqual({ collection, value: [] });
    }
  });

  it('serves an API with an empty path, as APIM allows (one per instance, at the gateway root)', async () => {
    const api = await suite.c.api.beginCreateOrUpdateAndWait(RG, SVC, 'at-root', { displayName: 'At root', path: '', serviceUrl: 'https://backend.example.com' });
    expect(api).toMatchObject({ name: 'at-root', path: '' });
    expect((await suite.c.api.get(RG, SVC, 'at-root')).path).toBe('');
    const second = await raw(suite.h.emulator, 'PUT', 'apis/also-root', { properties: { displayName: 'Also root', path: '' } });
    expect({ status: second.status, code: second.body.error.code }).toEqual({ status: 409, code: 'Conflict' });
    const missing = await raw(suite.h.emulator, 'PUT', 'apis/no-path', { properties: { displayName: 'No path' } });
    expect({ status: missing.status, target: missing.body.error.details[0].target }).toEqual({ status: 400, target: 'path' });
    expect((await all(suite.c.api.listByService(RG, SVC))).map((a) => a.name)).toContain('at-root');
  });
});
