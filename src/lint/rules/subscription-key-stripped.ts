import { checkEveryCall } from '../checks';
import { ruleDocsPath, type Rule } from '../context';
import { attributeValue } from '../../policy/query';

export const SUBSCRIPTION_KEY_HEADER = 'Ocp-Apim-Subscription-Key';

export const subscriptionKeyStripped: Rule = {
  id: 'subscription-key-stripped',
  defaultSeverity: 'warn',
  description: `An API requiring a subscription whose effective inbound policy does not delete the ${SUBSCRIPTION_KEY_HEADER} header before forwarding on every path.`,
  docsUrl: ruleDocsPath('subscription-key-stripped'),
  check(ctx) {
    checkEveryCall(ctx, {
      section: 'inbound',
      applies: (api) => api.definition.data?.subscriptionRequired !== false,
      matches: (e) =>
        e.name === 'set-header' &&
        attributeValue(e, 'exists-action') === 'delete' &&
        (attributeValue(e, 'name') ?? '').toLowerCase() === SUBSCRIPTION_KEY_HEADER.toLowerCase(),
      lacks: `<set-header name="${SUBSCRIPTION_KEY_HEADER}" exists-action="delete" /> on every path`,
    });
  },
};
