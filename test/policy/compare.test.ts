import { canonicalPolicy, policiesEquivalent, policyTextDiff } from '../../src/policy/compare';
import { serializePolicy } from '../../src/policy/serializer';
import { POLICY_SHAPES, parseOk } from './fixtures';

function equivalent(a: string, b: string, formOfB: 'rawxml' | 'xml' = 'rawxml'): boolean {
  return policiesEquivalent(parseOk(a), parseOk(b, formOfB));
}

describe('policiesEquivalent: formatting is not a change', () => {
  it.each(Object.keys(POLICY_SHAPES))("the %s shape equals APIM's stored xml and rawxml forms of it", (name) => {
    const doc = parseOk(POLICY_SHAPES[name]);
    for (const form of ['xml', 'rawxml'] as const) {
      const stored = serializePolicy(doc, { form, style: 'apim' });
      expect(policiesEquivalent(doc, parseOk(stored, form))).toBe(true);
    }
  });

  it('CRLF + tabs equals LF + spaces, including a re-indented multi-line @{ } block', () => {
    const spaces = '<policies>\n    <inbound>\n        <set-body>@{\n            var x = 1;\n            return x.ToString();\n        }</set-body>\n    </inbound>\n</policies>\n';
    const tabs = '<policies>\r\n\t<inbound>\r\n\t\t<set-body>@{\r\n\t\t\tvar x = 1;\r\n\t\t\treturn x.ToString();\r\n\t\t}</set-body>\r\n\t</inbound>\r\n</policies>';
    expect(equivalent(spaces, tabs)).toBe(true);
  });

  it('<a/> equals <a></a>, quote style and entity-vs-literal do not matter', () => {
    expect(equivalent('<policies><inbound><base/></inbound></policies>', '<policies><inbound><base></base></inbound></policies>')).toBe(true);
    expect(equivalent(`<policies><x a='1 "q"' /></policies>`, '<policies><x a="1 &quot;q&quot;"></x></policies>')).toBe(true);
    expect(equivalent('<policies><v>&#65;&gt;</v></policies>', '<policies><v>A></v></policies>')).toBe(true);
  });

  it('a document escaped as the xml form equals its raw form', () => {
    const raw = `<policies><inbound><choose><when condition="@(context.Request.Headers.GetValueOrDefault("a","") != "" && 1 < 2)">
      <set-body>@{ return "<b>" + (x > 1 && y < 2); }</set-body></when></choose></inbound></policies>`;
    const xml = `<policies><inbound><choose><when condition="@(context.Request.Headers.GetValueOrDefault(&quot;a&quot;,&quot;&quot;) != &quot;&quot; &amp;&amp; 1 &lt; 2)">
      <set-body>@{ return "&lt;b&gt;" + (x &gt; 1 &amp;&amp; y &lt; 2); }</set-body></when></choose></inbound></policies>`;
    expect(equivalent(raw, xml, 'xml')).toBe(true);
  });

  it('attribute order is not a change; CDATA equals escaped text; whitespace between elements is not a change', () => {
    expect(equivalent('<policies><x a="1" b="2" /></policies>', '<policies><x b="2"   a="1"/></policies>')).toBe(true);
    expect(equivalent('<policies><v><![CDATA[a<b]]></v></policies>', '<policies><v>a&lt;b</v></policies>')).toBe(true);
    expect(equivalent('<policies>\n\n  <a/>\n\n\n  <b/>  </policies>', '<policies><a/><b/></policies>')).toBe(true);
    expect(equivalent('<policies><!--note--><a/></policies>', '<policies>\n  <!-- note -->\n  <a/>\n</policies>')).toBe(true);
  });
});

describe('policiesEquivalent: real changes are changes', () => {
  const base = '<policies><inbound><!-- keep --><rate-limit calls="10" renewal-period="60" /><set-header name="h"><value>@(context.RequestId)</value></set-header></inbound></policies>';
  it.each([
    ['an attribute value', base.replace('calls="10"', 'calls="11"')],
    ['an attribute name', base.replace('calls="10"', 'count="10"')],
    ['an added attribute', base.replace('renewal-period="60"', 'renewal-period="60" remaining-calls-variable-name="r"')],
    ['an element name', base.replace('rate-limit ', 'quota ')],
    ['expression text', base.replace('context.RequestId', 'context.RequestId.ToString()')],
    ['a comment', base.replace('keep', 'kept')],
    ['element order', '<policies><inbound><!-- keep --><set-header name="h"><value>@(context.RequestId)</value></set-header><rate-limit calls="10" renewal-period="60" /></inbound></policies>'],
    ['a removed element', base.replace('<rate-limit calls="10" renewal-period="60" />', '')],
    ['text inside an expression line', base.replace('@(context.RequestId)', '@(context.Request Id)')],
    ['a trailing space in a single-line value', base.replace('@(context.RequestId)</value>', '@(context.RequestId) </value>')],
  ])('%s', (_name, changed) => {
    expect(equivalent(base, changed)).toBe(false);
  });
});

describe('canonicalPolicy and policyTextDiff', () => {
  it('prints a normalised form: sorted attributes, trimmed and re-indented text', () => {
    const doc = parseOk('<policies>\r\n\t<x z="1" a="2"/>\r\n\t<set-body>\r\n\t\t@{\r\n\t\t\treturn 1;\r\n\t\t}\r\n\t</set-body>\r\n</policies>');
    expect(canonicalPolicy(doc)).toBe(
      '<policies>\n    <x a="2" z="1" />\n    <set-body>\n        @{\n        return 1;\n        }\n    </set-body>\n</policies>\n',
    );
  });

  it('is empty for equivalent policies and a unified diff with context for a change', () => {
    const before = parseOk(POLICY_SHAPES.api);
    expect(policyTextDiff(before, parseOk(serializePolicy(before, { form: 'xml', style: 'apim' }), 'xml'))).toBe('');
    const after = parseOk(POLICY_SHAPES.api.replace('renewal-period="60"', 'renewal-period="30"'));
    expect(policyTextDiff(before, after)).toBe(
      [
        '@@ -18,7 +18,7 @@',
        '                 <set-backend-service backend-id="orders-gold" />',
        '             </when>',
        '             <when condition="@((string)context.Variables["region"] != "eu")">',
        '-                <rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription?.Key ?? "anonymous")" />',
        '+                <rate-limit-by-key calls="10" renewal-period="30" counter-key="@(context.Subscription?.Key ?? "anonymous")" />',
        '             </when>',
        '             <otherwise>',
        '                 <return-response>',
        '',
      ].join('\n'),
    );
  });

  it('shows a created policy as all + lines and a deleted one as all - lines', () => {
    const doc = parseOk('<policies><inbound><base /></inbound></policies>');
    expect(policyTextDiff(undefined, doc)).toBe('@@ -0,0 +1,5 @@\n+<policies>\n+    <inbound>\n+        <base />\n+    </inbound>\n+</policies>\n');
    expect(policyTextDiff(doc, undefined)).toBe('@@ -1,5 +0,0 @@\n-<policies>\n-    <inbound>\n-        <base />\n-    </inbound>\n-</policies>\n');
    expect(policyTextDiff(undefined, undefined)).toBe('');
  });

  it('shows a changed policy as written: attributes in their order, a multi-line expression with the shape of its code', () => {
    const policy = (indent: string, secret: string) =>
      parseOk(
        `<policies>\n  <inbound>\n    <set-header name="x-sig" exists-action="override">\n      <value>@{\n${indent}var key = "${secret}";\n${indent}if (key.Length > 0)\n${indent}{\n${indent}    return key;\n${indent}}\n${indent}return "";\n${indent.slice(4)}}</value>\n    </set-header>\n  </inbound>\n</policies>`,
      );
    expect(policiesEquivalent(policy('        ', '{{a}}'), policy('\t\t\t\t\t', '{{a}}'))).toBe(true);
    expect(policyTextDiff(policy('        ', '{{a}}'), policy('                ', '{{b}}'))).toBe(
      [
        '@@ -3,7 +3,7 @@',
        '         <set-header name="x-sig" exists-action="override">',
        '             <value>',
        '                 @{',
        '-                    var key = "{{a}}";',
        '+                    var key = "{{b}}";',
        '                     if (key.Length > 0)',
        '                     {',
        '                         return key;',
        '',
      ].join('\n'),
    );
  });

  it('keeps separate hunks for changes far apart', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `<v${i} />`);
    const before = parseOk(`<policies>${lines.join('')}</policies>`);
    const changed = [...lines];
    changed[2] = '<w2 />';
    changed[25] = '<w25 />';
    const diff = policyTextDiff(before, parseOk(`<policies>${changed.join('')}</policies>`));
    expect(diff.split('\n').filter((line) => line.startsWith('@@'))).toEqual(['@@ -1,7 +1,7 @@', '@@ -24,7 +24,7 @@']);
    expect(diff).toContain('-    <v2 />\n+    <w2 />\n');
    expect(diff).toContain('-    <v25 />\n+    <w25 />\n');
  });
});
