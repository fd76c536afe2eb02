/**
 * Subscriptions and APIM's key check. The key comes from the API's header (default `Ocp-Apim-Subscription-Key`), or
 * only when that header is absent from its query parameter (default `subscription-key`). A key must belong to an
 * active subscription scoped to the API, to a product containing it, or to all APIs; a product-scoped key runs in
 * that product's context, an API-scoped or all-APIs key in none (product policies are skipped). Without a key the call
 * runs in the API's open product, else without a product when the API needs no subscription, else 401.
 * Learn:api-management-subscriptions.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { GatewayApi, GatewayProduct } from './repository';

export type SubscriptionState = 'active' | 'suspended' | 'submitted' | 'rejected' | 'cancelled' | 'expired';
export const SUBSCRIPTION_STATES: readonly SubscriptionState[] = ['active', 'suspended', 'submitted', 'rejected', 'cancelled', 'expired'];

export type SubscriptionScope = { product: string } | { api: string } | { allApis: true };

export interface Subscription {
  id: string;
  name: string;
  scope: SubscriptionScope;
  state: SubscriptionState;
  primaryKey: string;
  secondaryKey: string;
  createdDate: Date;
}

export type KeyCheck =
  | { ok: true; product?: GatewayProduct; subscription?: Subscription; key?: string }
  | { ok: false; reason: 'SubscriptionKeyNotFound' | 'SubscriptionKeyInvalid' };

export function newKey(): string {
  return randomBytes(16).toString('hex');
}

export class SubscriptionStore {
  private readonly byId = new Map<string, Subscription>();
  private readonly byKey = new Map<string, Subscription>();

  add(scope: SubscriptionScope, options: { id?: string; name?: string; state?: SubscriptionState; primaryKey?: string; secondaryKey?: string; now: Date }): Subscription {
    const id = options.id ?? randomUUID().replace(/-/g, '');
    const previous = this.byId.get(id);
    if (previous) {
      this.byKey.delete(previous.primaryKey);
      this.byKey.delete(previous.secondaryKey);
    }
    const subscription: Subscription = {
      id,
      name: options.name ?? id,
      scope,
      state: options.state ?? 'active',
      primaryKey: options.primaryKey ?? newKey(),
      secondaryKey: options.secondaryKey ?? newKey(),
      createdDate: options.now,
    };
    this.byId.set(id, subscription);
    this.byKey.set(subscription.primaryKey, subscription);
    this.byKey.set(subscription.secondaryKey, subscription);
    return subscription;
  }

  list(): Subscription[] {
    return [...this.byId.values()];
  }

  check(api: GatewayApi, key: string | undefined, products: ReadonlyMap<string, GatewayProduct>): KeyCheck {
    if (key === undefined) {
      const open = [...products.values()].find((p) => !p.subscriptionRequired && p.apis.includes(api.id));
      if (open) return { ok: true, product: open };
      if (!api.subscriptionRequired) return { ok: true };
      return { ok: false, reason: 'SubscriptionKeyNotFound' };
    }
    const subscription = this.byKey.get(key);
    if (!subscription || subscription.state !== 'active') return { ok: false, reason: 'SubscriptionKeyInvalid' };
    const { scope } = subscription;
    if ('allApis' in scope) return { ok: true, subscription, key };
    if ('api' in scope) return scope.api === api.id ? { ok: true, subscription, key } : { ok: false, reason: 'SubscriptionKeyInvalid' };
    const product = products.get(scope.product);
    if (!product || !product.apis.includes(api.id)) return { ok: false, reason: 'SubscriptionKeyInvalid' };
    return { ok: true, product, subscription, key };
  }
}
