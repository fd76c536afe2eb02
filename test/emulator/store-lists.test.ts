import { EmulatorStore } from '../../src/emulator/store';

describe('the emulator store lists a collection', () => {
  const service = () => EmulatorStore.open(undefined, () => undefined).service({ subscriptionId: 's', resourceGroup: 'rg', serviceName: 'svc' });
  const names = (list: Array<{ name: string }>) => list.map((entity) => entity.name);

  it('by name, as it is after every write and delete (including an ancestor removed with its nested collections)', () => {
    const state = service();
    state.put('products/gold/apiLinks', 'orders', { apiId: '/apis/orders' });
    state.put('products/gold/apiLinks', 'billing', { apiId: '/apis/billing' });
    expect(names(state.list('products/gold/apiLinks'))).toEqual(['billing', 'orders']);
    state.put('products/Gold/apiLinks', 'audit', { apiId: '/apis/audit' });
    expect(names(state.list('products/gold/apiLinks'))).toEqual(['audit', 'billing', 'orders']);
    const replaced = state.put('products/gold/apiLinks', 'orders', { apiId: '/apis/orders-v2' }).entity;
    expect(state.list('products/gold/apiLinks')[2]).toBe(replaced);
    state.delete('products/gold/apiLinks', 'billing');
    expect(names(state.list('products/gold/apiLinks'))).toEqual(['audit', 'orders']);
    state.put('products', 'gold', { displayName: 'Gold' });
    state.delete('products', 'gold');
    expect(state.list('products/gold/apiLinks')).toEqual([]);
    expect(state.list('products')).toEqual([]);
  });

  it('as a copy the caller may change', () => {
    const state = service();
    state.put('apis', 'b', {});
    state.put('apis', 'a', {});
    state.list('apis').reverse();
    expect(names(state.list('apis'))).toEqual(['a', 'b']);
  });
});
