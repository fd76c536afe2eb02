import { yamlPos } from '../checks';
import { ruleDocsPath, type Rule } from '../context';

export const subscriptionAllApis: Rule = {
  id: 'subscription-all-apis',
  defaultSeverity: 'warn',
  description: 'A repository subscription scoped to all APIs: its keys call every API of the instance, present and future; scope keys to a product or an API.',
  docsUrl: ruleDocsPath('subscription-all-apis'),
  check(ctx) {
    for (const subscription of ctx.rendered.model.subscriptions) {
      if (subscription.definition.data?.allApis !== true) continue;
      ctx.report({
        pos: yamlPos(subscription.definition, 'allApis'),
        message: `subscription ${subscription.id} is scoped to all APIs: its keys call every API, including ones added later; scope it to a product or an API`,
      });
    }
  },
};
