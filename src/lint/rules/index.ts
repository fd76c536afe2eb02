/** Every lint rule, in the order they run (the order of findings is by place, not by rule). */
import type { Rule } from '../context';
import { apiVersionSetConsistent } from './api-version-set-consistent';
import { backendMissing } from './backend-missing';
import { baseInherited } from './base-inherited';
import { corsWildcard } from './cors-wildcard';
import { devProductThrottled } from './dev-product-throttled';
import { diagnosticSensitiveData } from './diagnostic-sensitive-data';
import { fragmentMissing } from './fragment-missing';
import { httpsOnly } from './https-only';
import { inlineSecret } from './inline-secret';
import { jwtAudienceRequired } from './jwt-audience-required';
import { jwtIssuerVersion } from './jwt-issuer-version';
import { managedIdentityAuth } from './managed-identity-auth';
import { namedValueMissing } from './named-value-missing';
import { policyAttributes } from './policy-attributes';
import { policyPlacement } from './policy-placement';
import { productSubscriptionRequired } from './product-subscription-required';
import { subscriptionAllApis } from './subscription-all-apis';
import { subscriptionKeyStripped } from './subscription-key-stripped';
import { subscriptionTracing } from './subscription-tracing';
import { unknownPolicy } from './unknown-policy';

export const RULES: readonly Rule[] = [
  managedIdentityAuth,
  devProductThrottled,
  productSubscriptionRequired,
  jwtIssuerVersion,
  jwtAudienceRequired,
  subscriptionKeyStripped,
  baseInherited,
  inlineSecret,
  httpsOnly,
  unknownPolicy,
  policyPlacement,
  fragmentMissing,
  backendMissing,
  namedValueMissing,
  corsWildcard,
  policyAttributes,
  subscriptionTracing,
  subscriptionAllApis,
  diagnosticSensitiveData,
  apiVersionSetConsistent,
];
