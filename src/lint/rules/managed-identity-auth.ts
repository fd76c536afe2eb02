import { checkEveryCall } from '../checks';
import { ruleDocsPath, type Rule } from '../context';
import { attributeValue } from '../../policy/query';

export const managedIdentityAuth: Rule = {
  id: 'managed-identity-auth',
  defaultSeverity: 'error',
  description: "An API whose effective inbound policy does not authenticate to the backend with the gateway's managed identity (authentication-managed-identity with a resource) on every path.",
  docsUrl: ruleDocsPath('managed-identity-auth'),
  check(ctx) {
    checkEveryCall(ctx, {
      section: 'inbound',
      matches: (e) => e.name === 'authentication-managed-identity' && (attributeValue(e, 'resource') ?? '').trim() !== '',
      lacks: 'authentication-managed-identity with a resource on every path',
    });
  },
};
