import { sectionPos, THROTTLING_POLICIES, yamlPos } from '../checks';
import { ruleDocsPath, type Rule } from '../context';
import { runsOnEveryPath } from '../walk';

export const devProductThrottled: Rule = {
  id: 'dev-product-throttled',
  defaultSeverity: 'error',
  description: 'A tier: developer product whose effective inbound policy has no rate-limit, rate-limit-by-key, quota or quota-by-key on every path.',
  docsUrl: ruleDocsPath('dev-product-throttled'),
  check(ctx) {
    for (const product of ctx.rendered.model.products) {
      if (product.definition.data?.tier !== 'developer') continue;
      if (!ctx.effective.isKnown({ productId: product.id })) continue;
      const inbound = ctx.effective.productSection(product.id, 'inbound');
      if (runsOnEveryPath(inbound, (e) => THROTTLING_POLICIES.has(e.name) || ctx.effective.isUnparsedInclude(e))) continue;
      const policy = ctx.effective.policyFile('product', product.id);
      ctx.report({
        pos: policy ? sectionPos(policy, 'inbound') : yamlPos(product.definition, 'tier'),
        message: `developer product ${product.id} is not throttled: its effective inbound policy needs rate-limit, rate-limit-by-key, quota or quota-by-key on every path`,
      });
    }
  },
};
