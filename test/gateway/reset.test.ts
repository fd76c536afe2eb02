/** resetState: a running gateway back to a just-started one's state (what an `apiops test` case with `fresh: true` starts from). */
import { resetState } from '../../src/gateway';
import { globalInbound, withGateway } from './helpers';

describe('resetState', () => {
  it('resets clock, rate-limit counters, cache and backend stub, and keeps subscriptions', async () => {
    const files = {
      'products/starter/policy.xml': `<policies><inbound><rate-limit calls="1" renewal-period="60" /><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
      'policies/global.xml': globalInbound('<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />', { outbound: '<cache-store duration="300" />' }),
    };
    await withGateway(files, async (gw, key) => {
      const { services } = gw.gateway;
      const call = () => gw.request('GET', '/shop/items', { headers: { 'Ocp-Apim-Subscription-Key': key } });
      await gw.control('PUT', 'backend-response', { status: 200, body: { n: 1 } });
      expect((await call()).json()).toEqual({ n: 1 });
      await gw.control('POST', 'clock', { advanceSeconds: 10 });
      expect((await call()).status).toBe(429);
      expect(services.cache.size).toBe(1);

      resetState(services);

      expect(Math.abs(services.clock.now().getTime() - Date.now())).toBeLessThan(1000);
      expect(services.backend.requests).toEqual([]);
      expect(services.cache.size).toBe(0);
      // The subscription still works, its counter is fresh, the cache empty and the stub answers its default again.
      const again = await call();
      expect(again.status).toBe(200);
      expect(again.json()).toEqual({});
      expect(await gw.backendRequests()).toHaveLength(1);
    });
  });
});
