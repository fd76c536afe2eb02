import { yamlPos } from '../checks';
import { ruleDocsPath, type Rule } from '../context';

export const productSubscriptionRequired: Rule = {
  id: 'product-subscription-required',
  defaultSeverity: 'error',
  description: 'A product that does not require a subscription: its APIs can be called anonymously, without a key that identifies and throttles the caller.',
  docsUrl: ruleDocsPath('product-subscription-required'),
  check(ctx) {
    for (const product of ctx.rendered.model.products) {
      if (product.definition.data?.subscriptionRequired !== false) continue;
      ctx.report({
        pos: yamlPos(product.definition, 'subscriptionRequired'),
        message: `product ${product.id} has subscriptionRequired: false; its APIs can be called without a subscription key`,
      });
    }
  },
};
