import { elementsNamed } from '../checks';
import { ruleDocsPath, type Rule } from '../context';
import { attributeValue, childElements, textContent } from '../../policy/query';
import type { PolicyElement } from '../../policy/ast';

function hasNonEmptyItem(list: PolicyElement | undefined): boolean {
  return !!list && childElements(list).some((item) => textContent(item).trim() !== '');
}

function requiresAudClaim(claims: PolicyElement | undefined): boolean {
  return (
    !!claims &&
    childElements(claims).some((claim) => claim.name === 'claim' && attributeValue(claim, 'name') === 'aud' && hasNonEmptyItem(claim))
  );
}

/** The policies that validate a token, with the child lists that pin its audience. */
const AUDIENCE_LISTS: Record<string, readonly string[]> = {
  'validate-jwt': ['audiences'],
  'validate-azure-ad-token': ['audiences', 'backend-application-ids'],
};

export const jwtAudienceRequired: Rule = {
  id: 'jwt-audience-required',
  defaultSeverity: 'error',
  description: 'A validate-jwt or validate-azure-ad-token that does not pin the audience (audiences, or a required aud claim): any token issued for any application by the same issuer passes.',
  docsUrl: ruleDocsPath('jwt-audience-required'),
  check(ctx) {
    for (const [policy, lists] of Object.entries(AUDIENCE_LISTS)) {
      for (const { element } of elementsNamed(ctx, policy)) {
        const children = childElements(element);
        const pinned =
          lists.some((name) => hasNonEmptyItem(children.find((c) => c.name === name))) ||
          requiresAudClaim(children.find((c) => c.name === 'required-claims'));
        if (!pinned) {
          const pins = lists.map((name) => `<${name}>`).join(' or ');
          ctx.report({ pos: element.pos, message: `${policy} accepts tokens for any audience; add ${pins} with a value, or a required aud claim` });
        }
      }
    }
  },
};
