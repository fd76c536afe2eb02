import { isDynamic, namesBackend } from '../checks';
import { ruleDocsPath, type Rule } from '../context';
import { isKeywordValue } from '../../policy/knowledge/policies';
import { didYouMean } from '../../suggest';
import { walkElements } from '../../policy/query';


export const backendMissing: Rule = {
  id: 'backend-missing',
  defaultSeverity: 'error',
  description: 'A policy naming a backend (set-backend-service backend-id, …) that backends/ does not define: APIM rejects the policy on publish.',
  docsUrl: ruleDocsPath('backend-missing'),
  check(ctx) {
    const defined = ctx.rendered.model.backends.map((backend) => backend.id);
    for (const file of ctx.policies) {
      walkElements(file.document.root, (element) => {
        for (const attribute of element.attributes) {
          const id = attribute.value.trim();
          if (!namesBackend(attribute.name) || id === '' || isDynamic(id) || defined.includes(id)) continue;
          if (isKeywordValue(element.name, attribute.name, id)) continue;
          ctx.report({
            pos: attribute.pos,
            message: `${element.name} ${attribute.name}="${id}" names a backend that backends/ does not define${didYouMean(id, defined)}`,
          });
        }
      });
    }
  },
};
