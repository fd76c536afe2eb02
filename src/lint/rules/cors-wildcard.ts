import { attributeValue, childElements, textContent } from '../../policy/query';
import { isPolicyExpression } from '../../policy/expression';
import { elementsNamed } from '../checks';
import { ruleDocsPath, type Rule } from '../context';

/** An expression echoing the caller's own Origin header back as the allowed origin: `*` in disguise. */
const REFLECTS_REQUEST_ORIGIN = /\bHeaders\b[\s\S]*?["']Origin["']/i;

/** Why an `<origin>` allows any web site, if it does. */
function anyOrigin(origin: string): string | undefined {
  const value = origin.trim();
  if (value === '*') return 'any origin (*)';
  if (isPolicyExpression(value) && REFLECTS_REQUEST_ORIGIN.test(value)) return "any origin (the expression echoes the request's Origin header)";
  return undefined;
}

export const corsWildcard: Rule = {
  id: 'cors-wildcard',
  defaultSeverity: 'warn',
  description:
    "A cors policy allowing any origin (* or an expression echoing the request's Origin header): any web page can call the API from a browser; with allow-credentials=\"true\" it is an error.",
  docsUrl: ruleDocsPath('cors-wildcard'),
  check(ctx) {
    for (const { element } of elementsNamed(ctx, 'cors')) {
      const withCredentials = (attributeValue(element, 'allow-credentials') ?? '').trim().toLowerCase() === 'true';
      for (const origins of childElements(element, 'allowed-origins')) {
        for (const origin of childElements(origins, 'origin')) {
          const allows = anyOrigin(textContent(origin));
          if (!allows) continue;
          ctx.report({
            pos: origin.pos,
            severity: withCredentials ? 'error' : undefined,
            message: withCredentials
              ? `cors allows ${allows} with allow-credentials="true": any web site can make credentialed calls; list the allowed origins`
              : `cors allows ${allows}; list the origins that may call the API from a browser`,
          });
        }
      }
    }
  },
};
