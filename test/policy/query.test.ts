import {
  attributeValue,
  childElements,
  elementsNamed,
  findNamedValueReferences,
  textContent,
  walkElements,
} from '../../src/policy/query';
import { isPolicyExpression, scanExpressionEnd, splitExpressions } from '../../src/policy/expression';
import { POLICY_SHAPES, parseOk } from './fixtures';

describe('policy queries', () => {
  it('finds named-value references in attributes and text with positions, but not in Liquid bodies or comments', () => {
    const doc = parseOk(`<policies>
    <inbound>
        <!-- {{not-a-reference}} -->
        <set-header name="x-key" exists-action="override">
            <value>{{orders-api-key}}</value>
        </set-header>
        <validate-jwt header-name="Authorization">
            <openid-config url="https://login.microsoftonline.com/{{TenantId}}/{{Policy.Version}}/.well-known/openid-configuration" />
        </validate-jwt>
        <set-body template="liquid">{"a": "{{body.a}}", "b": "{{ context.Request.Url }}"}</set-body>
        <set-body>{{plain-body}} {{ not one }}</set-body>
    </inbound>
</policies>`);
    expect(findNamedValueReferences(doc).map((reference) => [reference.name, reference.pos.line, reference.pos.column])).toEqual([
      ['orders-api-key', 5, 20],
      ['TenantId', 8, 28],
      ['Policy.Version', 8, 28],
      ['plain-body', 11, 19],
    ]);
  });

  it('treats the content of publish-to-dapr and invoke-dapr-binding with template="Liquid" (any case) as Liquid', () => {
    const doc = parseOk(`<policies>
    <inbound>
        <publish-to-dapr pubsub-name="orders" topic="{{orders-topic}}" template="Liquid">{"id": "{{body.id}}"}</publish-to-dapr>
        <invoke-dapr-binding name="store" template="liquid"><data>{"id": "{{body.id}}"}</data></invoke-dapr-binding>
        <publish-to-dapr topic="audit">{{audit-body}}</publish-to-dapr>
        <set-body template="LIQUID">{{body.name}}</set-body>
    </inbound>
</policies>`);
    expect(findNamedValueReferences(doc).map((reference) => [reference.name, reference.pos.line])).toEqual([
      ['orders-topic', 3],
      ['audit-body', 5],
    ]);
  });

  it('walks elements in document order with their ancestors and can skip subtrees', () => {
    const doc = parseOk(POLICY_SHAPES.api);
    const paths: string[] = [];
    walkElements(doc.root, (element, ancestors) => {
      paths.push([...ancestors.map((ancestor) => ancestor.name), element.name].join('/'));
      return element.name !== 'validate-jwt' && element.name !== 'otherwise';
    });
    expect(paths.slice(0, 6)).toEqual([
      'policies',
      'policies/inbound',
      'policies/inbound/base',
      'policies/inbound/include-fragment',
      'policies/inbound/validate-jwt',
      'policies/inbound/authentication-managed-identity',
    ]);
    expect(paths).toContain('policies/inbound/choose/when/rate-limit-by-key');
    expect(paths).not.toContain('policies/inbound/choose/otherwise/return-response');
    expect(paths[paths.length - 1]).toBe('policies/on-error/base');
  });

  it('selects elements, children, attributes and text', () => {
    const doc = parseOk(POLICY_SHAPES.api);
    expect(elementsNamed(doc.root, 'base')).toHaveLength(4);
    const choose = elementsNamed(doc.root, 'choose')[0];
    expect(childElements(choose).map((element) => element.name)).toEqual(['when', 'when', 'otherwise']);
    expect(childElements(choose, 'otherwise')).toHaveLength(1);
    expect(attributeValue(elementsNamed(doc.root, 'authentication-managed-identity')[0], 'resource')).toBe('api://contoso-orders-backend');
    expect(attributeValue(choose, 'missing')).toBeUndefined();
    expect(textContent(elementsNamed(doc.root, 'audience')[0])).toBe('api://contoso-orders');
  });
});

describe('policy expressions', () => {
  it('finds the balanced end past strings, chars, comments and interpolation holes', () => {
    const cases: Array<[string, string]> = [
      ['@(a(b)c)', ' tail'],
      ['@("a)b")', ''],
      ["@(')' == c)", ''],
      ['@(@"x"")"" ) y")', ''],
      ['@($"{(a ? ")" : "(")} {{ }}")', '"'],
      ['@($@"{x}"" )")', ''],
      ['@{ /* } */ return 1; // }\n }', '</v>'],
      ['@{ var d = new Dictionary<string, int> { { "a", 1 } }; return d["a"] > 0 && true; }', ''],
    ];
    for (const [expression, tail] of cases) {
      expect(scanExpressionEnd(expression + tail, 0)).toBe(expression.length);
    }
    expect(scanExpressionEnd('@(a(b)', 0)).toBe(-1);
    expect(scanExpressionEnd('@{ "unterminated }', 0)).toBe(-1);
  });

  it('splits values into literal text and expressions', () => {
    expect(splitExpressions('Bearer @(x) and @{ return "}"; } @ @(open')).toEqual([
      { expression: false, text: 'Bearer ' },
      { expression: true, text: '@(x)' },
      { expression: false, text: ' and ' },
      { expression: true, text: '@{ return "}"; }' },
      { expression: false, text: ' @ @(open' },
    ]);
    expect(splitExpressions('')).toEqual([{ expression: false, text: '' }]);
    expect(isPolicyExpression('  @(context.RequestId) ')).toBe(true);
    expect(isPolicyExpression('id-@(context.RequestId)')).toBe(false);
    expect(isPolicyExpression('plain')).toBe(false);
  });
});
