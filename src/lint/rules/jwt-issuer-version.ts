import { elementsNamed } from '../checks';
import { ruleDocsPath, type Rule } from '../context';
import { attributeValue, childElements, textContent } from '../../policy/query';

type TokenVersion = 'v1' | 'v2';

/**
 * Entra ID token version from an issuer: `https://sts.windows.net/{tenant}/` is v1,
 * `https://login.microsoftonline.com/{tenant}/v2.0` is v2. Anything else (B2C, other IdPs, expressions) is unknown.
 */
export function issuerVersion(issuer: string): TokenVersion | undefined {
  const value = issuer.trim();
  if (/^https:\/\/sts\.windows\.net\/[^/]+\/?$/i.test(value)) return 'v1';
  if (/^https:\/\/login\.microsoftonline\.com\/[^/]+\/v2\.0\/?$/i.test(value)) return 'v2';
  return undefined;
}

/** Token version an Entra ID openid-config URL describes: its path has /v2.0/ for v2, none for v1. */
export function openIdConfigVersion(url: string): TokenVersion | undefined {
  const match = /^https:\/\/(login\.microsoftonline\.com|sts\.windows\.net)\/[^/]+\/(v2\.0\/)?\.well-known\/openid-configuration(\?.*)?$/i.exec(url.trim());
  if (!match) return undefined;
  return match[2] ? 'v2' : 'v1';
}

const DESCRIBE: Record<TokenVersion, string> = {
  v1: 'v1 (https://sts.windows.net/{tenant}/)',
  v2: 'v2 (https://login.microsoftonline.com/{tenant}/v2.0)',
};

export const jwtIssuerVersion: Rule = {
  id: 'jwt-issuer-version',
  defaultSeverity: 'error',
  description: 'A validate-jwt whose expected issuer and openid-config disagree on the Entra ID token version, so no token can ever pass (or the check is not the one intended).',
  docsUrl: ruleDocsPath('jwt-issuer-version'),
  check(ctx) {
    for (const { element } of elementsNamed(ctx, 'validate-jwt')) {
      const children = childElements(element);
      // validate-jwt may list several openid-config elements (e.g. one per token version): an issuer needs one match.
      const configs = children
        .filter((c) => c.name === 'openid-config')
        .map((config) => ({ url: attributeValue(config, 'url') ?? '', version: openIdConfigVersion(attributeValue(config, 'url') ?? '') }));
      if (!configs.length || configs.some((config) => !config.version)) continue;
      const issuers = children.filter((c) => c.name === 'issuers').flatMap((list) => childElements(list));
      for (const issuer of issuers) {
        const version = issuerVersion(textContent(issuer));
        if (version && !configs.some((config) => config.version === version)) {
          ctx.report({
            pos: issuer.pos,
            message: `issuer ${textContent(issuer).trim()} is a ${DESCRIBE[version]} issuer but openid-config ${configs.map((c) => c.url).join(', ')} describes ${DESCRIBE[configs[0].version!]} tokens; the issuer can never match`,
          });
        }
      }
    }
  },
};
