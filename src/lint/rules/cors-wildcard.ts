import { attributeValue, childElements, textContent } from '../../policy/query';
import { elementsNamed } from '../checks';
import { ruleDocsPath, type Rule } from '../context';

/** Reading the request's Origin header: `context.Request.Headers.GetValueOrDefault("Origin"[, "…"])`, `…Headers["Origin"][0]`. */
const ORIGIN_HEADER = String.raw`context\.Request\.Headers(?:\.GetValueOrDefault\(\s*"Origin"\s*(?:,\s*"[^"]*"\s*)?\)|\[\s*"Origin"\s*\](?:\[0\]|\.First(?:OrDefault)?\(\))?)`;

/**
 * An expression that returns the caller's own Origin header unconditionally: `*` in disguise. Only the header itself,
 * `@(header)` or `@{ return header; }` / `@{ var o = header; return o; }`: an expression that also compares or tests
 * the Origin (`o.EndsWith(".fabrikam.com") ? o : "https://www.fabrikam.com"`) is an allowlist, the right way to do this.
 */
const REFLECTS_REQUEST_ORIGIN = new RegExp(
  String.raw`^@(?:\(\s*${ORIGIN_HEADER}\s*\)|\{\s*(?:return\s+${ORIGIN_HEADER}\s*;|(?:var|string)\s+(\w+)\s*=\s*${ORIGIN_HEADER}\s*;\s*return\s+\1\s*;)\s*\})$`,
  'i',
);

/** Why an `<origin>` allows any web site, if it does. */
function anyOrigin(origin: string): string | undefined {
  const value = origin.trim();
  if (value === '*') return 'any origin (*)';
  if (REFLECTS_REQUEST_ORIGIN.test(value)) return "any origin (the expression echoes the request's Origin header)";
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
