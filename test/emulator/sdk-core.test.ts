import { armFailure, RG, startHarness, SVC, type Harness } from './helpers';

describe('emulator through the real @azure/arm-apimanagement client', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.emulator.close();
  });

  it('serves the service it provisions on first use', async () => {
    const service = await h.apim.client.apiManagementService.get(RG, SVC);
    expect(service.name).toBe(SVC);
    expect(service.gatewayUrl).toBe(`https://${SVC}.azure-api.net`);
  });

  it('creates an API with a long-running PUT (201 then 200), reads, lists and deletes it', async () => {
    const created = await h.apim.client.api.beginCreateOrUpdateAndWait(RG, SVC, 'orders', {
      displayName: 'Orders',
      path: 'orders',
      protocols: ['https'],
      serviceUrl: 'https://orders.example.com',
    });
    expect(created.name).toBe('orders');
    expect(created.isCurrent).toBe(true);
    expect(created.provisioningState).toBeUndefined();
    const fetched = await h.apim.client.api.get(RG, SVC, 'orders');
    expect(fetched.displayName).toBe('Orders');
    expect(fetched.eTag).toBeTruthy();
    const all = [];
    for await (const api of h.apim.client.api.listByService(RG, SVC)) all.push(api.name);
    expect(all).toEqual(['orders']);
    await h.apim.client.api.beginDeleteAndWait(RG, SVC, 'orders', '*');
    expect((await armFailure(h.apim.client.api.get(RG, SVC, 'orders'))).statusCode).toBe(404);
  });

  it('answers 412 on a stale ETag and accepts the current one', async () => {
    await h.apim.client.product.createOrUpdate(RG, SVC, 'p1', { displayName: 'P1' });
    const first = await h.apim.client.product.get(RG, SVC, 'p1');
    await h.apim.client.product.update(RG, SVC, 'p1', first.eTag as string, { description: 'changed' });
    const stale = await armFailure(h.apim.client.product.update(RG, SVC, 'p1', first.eTag as string, { description: 'again' }));
    expect(stale).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    const current = await h.apim.client.product.getEntityTag(RG, SVC, 'p1');
    await h.apim.client.product.delete(RG, SVC, 'p1', current.eTag as string);
  });
});
