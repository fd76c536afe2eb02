import { authenticatesCaller, checkEveryCall } from '../checks';
import { ruleDocsPath, type Rule } from '../context';

export const callerAuthenticated: Rule = {
  id: 'caller-authenticated',
  defaultSeverity: 'error',
  description:
    'An operation whose effective inbound policy (through each product holding its API, and without a key where that is possible) does not authenticate the caller on every path: no validate-jwt, validate-azure-ad-token or validate-client-certificate, or one only in some branches of a choose. An intentionally anonymous API says so with a suppression and its reason.',
  docsUrl: ruleDocsPath('caller-authenticated'),
  check(ctx) {
    checkEveryCall(ctx, {
      section: 'inbound',
      matches: authenticatesCaller,
      lacks: 'caller authentication (validate-jwt, validate-azure-ad-token or validate-client-certificate) on every path',
    });
  },
};
