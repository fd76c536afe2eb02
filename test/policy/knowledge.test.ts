import { isKeywordValue, POLICIES, policySpec } from '../../src/policy/knowledge/policies';
import { closestName } from '../../src/suggest';
import type { ElementSpec } from '../../src/policy/knowledge/types';
import { valueProblem } from '../../src/lint/rules/policy-attributes';

function* elementSpecs(spec: ElementSpec): Generator<ElementSpec> {
  yield spec;
  if (Array.isArray(spec.children)) for (const child of spec.children) yield* elementSpecs(child);
}

describe('policy knowledge base', () => {
  test('covers the policy reference, AI gateway and Dapr policies included', () => {
    const names = POLICIES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      'rate-limit', 'rate-limit-by-key', 'quota', 'quota-by-key', 'limit-concurrency', 'validate-jwt', 'validate-azure-ad-token',
      'authentication-managed-identity', 'cors', 'cache-lookup', 'cache-store', 'mock-response', 'send-request', 'set-backend-service',
      'forward-request', 'validate-content', 'validate-graphql-request', 'llm-token-limit', 'azure-openai-token-limit',
      'llm-emit-token-metric', 'azure-openai-semantic-cache-lookup', 'llm-content-safety', 'publish-to-dapr', 'invoke-dapr-binding',
      'include-fragment', 'choose', 'retry', 'wait', 'emit-metric', 'trace', 'log-to-eventhub',
    ]) {
      expect(policySpec(name)).toBeDefined();
    }
  });

  test('every attribute group and required attribute names a declared attribute', () => {
    for (const policy of POLICIES) {
      for (const spec of elementSpecs(policy)) {
        const declared = new Set(spec.attributes.map((a) => a.name));
        expect(spec.attributes.length).toBe(declared.size);
        for (const group of [...(spec.oneOf ?? []), ...(spec.anyOf ?? []), ...(spec.exclusive ?? [])]) {
          for (const name of group) expect(`${spec.name}@${name}: ${declared.has(name)}`).toBe(`${spec.name}@${name}: true`);
        }
      }
      expect(policy.scopes.length).toBeGreaterThan(0);
    }
  });

  test('documented placement facts', () => {
    expect(policySpec('quota')!.scopes).toEqual(['product']);
    expect(policySpec('rate-limit')!.sections).toEqual(['inbound']);
    expect(policySpec('forward-request')!.sections).toEqual(['backend']);
    expect(policySpec('cache-store')!.sections).toEqual(['outbound']);
    expect(policySpec('rate-limit')!.attributes.find((a) => a.name === 'renewal-period')).toMatchObject({ required: true, max: 300 });
  });

  test('did-you-mean picks the closest name and stays quiet when nothing is close', () => {
    const names = POLICIES.map((p) => p.name);
    expect(closestName('rate-limt', names)).toBe('rate-limit');
    expect(closestName('validate-jwtt', names)).toBe('validate-jwt');
    expect(closestName('authentication-managed-identiy', names)).toBe('authentication-managed-identity');
    expect(closestName('frobnicate', names)).toBeUndefined();
  });

  test('attribute value checks', () => {
    const renewal = { name: 'renewal-period', type: 'integer', min: 1, max: 300 } as const;
    expect(valueProblem('300', renewal)).toBeUndefined();
    expect(valueProblem('301', renewal)).toMatch(/maximum of 300/);
    expect(valueProblem('0', renewal)).toMatch(/minimum of 1/);
    expect(valueProblem('1m', renewal)).toMatch(/whole number/);
    expect(valueProblem('True', { name: 'b', type: 'boolean' })).toBeUndefined();
    expect(valueProblem('yes', { name: 'b', type: 'boolean' })).toMatch(/true or false/);
  });

  test('enumerations are case-sensitive unless the attribute says otherwise', () => {
    const exact = { name: 'exists-action', values: ['override', 'skip'] } as const;
    expect(valueProblem('override', exact)).toBeUndefined();
    expect(valueProblem('Override', exact)).toMatch(/must be one of override, skip \(did you mean override\?\)$/);
    const anyCase = { name: 'template', values: ['Liquid'], ignoreCase: true } as const;
    expect(valueProblem('liquid', anyCase)).toBeUndefined();
    expect(valueProblem('LIQUID', anyCase)).toBeUndefined();
    expect(valueProblem('mustache', anyCase)).toMatch(/must be one of Liquid \(in any letter case\)/);
    expect(policySpec('publish-to-dapr')!.attributes.find((a) => a.name === 'template')).toMatchObject({ ignoreCase: true });
    expect(policySpec('set-body')!.attributes.find((a) => a.name === 'template')!.ignoreCase).toBeUndefined();
  });

  test('keyword values are not references, and only where the policy defines them', () => {
    expect(isKeywordValue('set-backend-service', 'backend-id', 'dapr')).toBe(true);
    expect(isKeywordValue('set-backend-service', 'backend-id', 'orders')).toBe(false);
    expect(isKeywordValue('set-backend-service', 'base-url', 'dapr')).toBe(false);
    expect(isKeywordValue('llm-content-safety', 'backend-id', 'dapr')).toBe(false);
    expect(isKeywordValue('no-such-policy', 'backend-id', 'dapr')).toBe(false);
  });
});
