import { attributeValue, childElements, textContent } from '../../policy/query';
import { elementsNamed } from '../checks';
import { ruleDocsPath, type Rule } from '../context';

export const corsWildcard: Rule = {
  id: 'cors-wildcard',
  defaultSeverity: 'warn',
  description: 'A cors policy allowing any origin (*): any web page can call the API from a browser; with allow-credentials="true" it is an error.',
  docsUrl: ruleDocsPath('cors-wildcard'),
  check(ctx) {
    for (const { element } of elementsNamed(ctx, 'cors')) {
      const withCredentials = (attributeValue(element, 'allow-credentials') ?? '').trim().toLowerCase() === 'true';
      for (const origins of childElements(element, 'allowed-origins')) {
        for (const origin of childElements(origins, 'origin')) {
          if (textContent(origin).trim() !== '*') continue;
          ctx.report({
            pos: origin.pos,
            severity: withCredentials ? 'error' : undefined,
            message: withCredentials
              ? 'cors allows any origin (*) with allow-credentials="true": any web site can make credentialed calls; list the allowed origins'
              : 'cors allows any origin (*); list the origins that may call the API from a browser',
          });
        }
      }
    }
  },
};
