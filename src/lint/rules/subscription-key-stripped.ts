import { checkEveryCall, stripsSubscriptionKey, SUBSCRIPTION_KEY_HEADER } from '../checks';
import { ruleDocsPath, type Rule } from '../context';

export const subscriptionKeyStripped: Rule = {
  id: 'subscription-key-stripped',
  defaultSeverity: 'warn',
  description: `An API requiring a subscription whose effective inbound policy does not delete the ${SUBSCRIPTION_KEY_HEADER} header before forwarding on every path.`,
  docsUrl: ruleDocsPath('subscription-key-stripped'),
  check(ctx) {
    checkEveryCall(ctx, {
      section: 'inbound',
      applies: (api) => api.definition.data?.subscriptionRequired !== false,
      matches: stripsSubscriptionKey,
      lacks: `<set-header name="${SUBSCRIPTION_KEY_HEADER}" exists-action="delete" /> on every path`,
    });
  },
};
