/** Every policy element the gateway runs, by name. */
import type { PolicyModule } from '../compiler';
import { accessPolicies } from './access';
import { backendPolicies } from './backend';
import { bodyPolicies } from './body';
import { cachePolicies } from './cache';
import { flowPolicies } from './flow';
import { headerPolicies } from './headers';
import { jwtPolicies } from './jwt';
import { throttlingPolicies } from './throttling';

export const POLICY_MODULES: Readonly<Record<string, PolicyModule>> = {
  ...accessPolicies,
  ...backendPolicies,
  ...bodyPolicies,
  ...cachePolicies,
  ...flowPolicies,
  ...headerPolicies,
  ...jwtPolicies,
  ...throttlingPolicies,
};
