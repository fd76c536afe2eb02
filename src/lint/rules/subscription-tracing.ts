import { yamlPos } from '../checks';
import { ruleDocsPath, type Rule } from '../context';

export const subscriptionTracing: Rule = {
  id: 'subscription-tracing',
  defaultSeverity: 'error',
  description: 'A subscription with allowTracing: true: its key can ask the gateway for request traces, which expose policy internals, named values and backend details to the caller.',
  docsUrl: ruleDocsPath('subscription-tracing'),
  check(ctx) {
    for (const subscription of ctx.rendered.model.subscriptions) {
      if (subscription.definition.data?.allowTracing !== true) continue;
      ctx.report({
        pos: yamlPos(subscription.definition, 'allowTracing'),
        message: `subscription ${subscription.id} allows tracing: whoever holds its key can read request traces (policy internals, secrets resolved in policies)`,
      });
    }
  },
};
