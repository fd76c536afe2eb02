import type { PolicyNode } from '../../src/policy/ast';
import { buildEffective, describeUnit, printEffectivePolicies } from '../../src/effective';
import { compliantRepository, policy, withRendered, type Files } from './helpers';

/** Names of the statements with the file each comes from, e.g. `set-header@policies/global.xml`. */
function statements(nodes: readonly PolicyNode[]): string[] {
  return nodes.flatMap((n) => (n.type === 'element' ? [`${n.name}@${n.pos.file}`] : []));
}

function layered(): Files {
  return {
    ...compliantRepository(),
    'policies/global.xml': policy({ inbound: '<set-variable name="g" value="1" />', outbound: '<set-header name="X-G" exists-action="delete" />' }, false),
    'policies/fragments/outer.xml': '<fragment><set-variable name="outer" value="1" /><include-fragment fragment-id="inner" /></fragment>',
    'policies/fragments/inner.xml': '<fragment><choose><when condition="@(true)"><set-variable name="inner" value="1" /></when></choose></fragment>',
    'policies/fragments/loop-a.xml': '<fragment><include-fragment fragment-id="loop-b" /></fragment>',
    'policies/fragments/loop-b.xml': '<fragment><include-fragment fragment-id="loop-a" /></fragment>',
    'products/partner-developer/policy.xml': policy({ inbound: '<rate-limit calls="5" renewal-period="60" />' }),
    'products/partner-production/policy.xml': '<policies><inbound><set-variable name="no-base" value="1" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
    'apis/orders/policy.xml': '<policies><inbound><set-variable name="before" value="1" /><base /><include-fragment fragment-id="outer" /></inbound><backend><base /></backend><outbound><base /></outbound></policies>',
    'apis/orders/operations/get-order.xml': policy({ inbound: '<include-fragment fragment-id="loop-a" />' }),
  };
}

describe('effective policy', () => {
  test('global → product → API → operation, <base /> in place, fragments expanded with their own positions', () => {
    withRendered(layered(), (rendered) => {
      const effective = buildEffective(rendered);
      const api = rendered.model.apis[0];
      expect(effective.paths(api)).toEqual(['partner-developer', 'partner-production']);
      const units = effective.unitsOf(api);
      expect(units.map(describeUnit)).toEqual([
        'orders via partner-developer',
        'orders/get-order via partner-developer',
        'orders via partner-production',
        'orders/get-order via partner-production',
      ]);
      expect(statements(units[0].section('inbound'))).toEqual([
        'set-variable@apis/orders/policy.xml',
        'set-variable@policies/global.xml',
        'rate-limit@products/partner-developer/policy.xml',
        'set-variable@policies/fragments/outer.xml',
        'choose@policies/fragments/inner.xml',
      ]);
      // The production product's inbound has no <base />: the global inbound does not run through it.
      expect(statements(units[2].section('inbound'))[1]).toBe('set-variable@products/partner-production/policy.xml');
      // The API policy has no <on-error>: nothing runs there, not even the global on-error.
      expect(units[0].section('on-error')).toEqual([]);
      expect(statements(units[0].section('outbound'))).toEqual(['set-header@policies/global.xml']);
      // A cycle stays an unexpanded include-fragment instead of recursing forever.
      expect(statements(units[1].section('inbound')).slice(-1)).toEqual(['include-fragment@policies/fragments/loop-b.xml']);
    });
  });

  test('an API without a policy runs the enclosing policy; an API open to calls without a product gets that path', () => {
    const files = compliantRepository();
    files['apis/orders/api.yaml'] = 'displayName: Orders\npath: orders\nsubscriptionRequired: false\nserviceUrl: https://func.example.net\nspecification: openapi.yaml\n';
    delete files['apis/orders/policy.xml'];
    withRendered(files, (rendered) => {
      const effective = buildEffective(rendered);
      const api = rendered.model.apis[0];
      expect(effective.paths(api)).toEqual(['partner-developer', 'partner-production', undefined]);
      expect(effective.apiSection('orders', undefined, 'inbound')).toEqual(effective.globalSection('inbound'));
      expect(describeUnit({ apiId: 'orders', productId: undefined })).toBe('orders without a product');
    });
  });

  test('the printer shows each way of calling each API, with the file each statement comes from', () => {
    const text = withRendered(compliantRepository(), (rendered) => printEffectivePolicies(rendered));
    expect(text).toContain('<!-- effective policy of orders via partner-developer -->');
    expect(text).toContain('<!-- effective policy of orders/get-order via partner-production -->');
    expect(text).toContain('<!-- from policies/fragments/validate-caller.xml:2:5 -->');
    expect(text).toMatch(/<!-- from products\/partner-developer\/policy.xml:\d+:\d+ -->\s*<rate-limit calls="60" renewal-period="60" \/>/);
    expect(text.match(/<policies>/g)).toHaveLength(4);
  });
});
