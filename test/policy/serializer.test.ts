import { parsePolicy } from '../../src/policy/parser';
import { serializePolicy } from '../../src/policy/serializer';
import type { PolicyDocument } from '../../src/policy/ast';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { POLICY_SHAPES, parseOk, shape } from './fixtures';

const FORMS = ['rawxml', 'xml'] as const;
const STYLES = ['pretty', 'apim'] as const;

describe('serializePolicy', () => {
  describe.each(Object.keys(POLICY_SHAPES))('round trip of the %s shape', (name) => {
    const original = parseOk(POLICY_SHAPES[name]);
    it.each(FORMS.flatMap((form) => STYLES.map((style) => [form, style] as const)))('form %s, style %s: parse → print → parse is stable', (form, style) => {
      const printed = serializePolicy(original, { form, style });
      const reparsed = parseOk(printed, form);
      expect(shape(reparsed)).toEqual(shape(original));
      expect(serializePolicy(reparsed, { form, style })).toBe(printed);
    });
  });

  it.each(Object.keys(POLICY_SHAPES))('the xml form of the %s shape is strict XML that fast-xml-parser reads into the same tree', (name) => {
    const doc = parseOk(POLICY_SHAPES[name]);
    const xml = serializePolicy(doc, { form: 'xml', style: 'apim' });
    expect(XMLValidator.validate(xml)).toBe(true);
    const strict = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      parseAttributeValue: false,
      parseTagValue: false,
      trimValues: false,
      preserveOrder: true,
      commentPropName: '#comment',
      cdataPropName: '#cdata',
      htmlEntities: true,
    });
    const theirs = fromFastXmlParser(strict.parse(xml));
    expect(theirs.filter((node) => 'name' in node)).toEqual([shapeOf(doc.root)]);
  });

  it('prints repository files pretty: 4 spaces, LF, trailing newline, the text of expressions as written', () => {
    expect(serializePolicy(parseOk(POLICY_SHAPES.api))).toBe(POLICY_SHAPES.api);
    expect(serializePolicy(parseOk(POLICY_SHAPES.global))).toBe(POLICY_SHAPES.global);
  });

  it("prints APIM's stored form: tabs, CRLF, no trailing newline, <x />, double quotes, comments kept", () => {
    const doc = parseOk(`<!-- top -->
<policies>
  <inbound><base/><set-variable name='v' value='say "hi"'></set-variable>
    <!-- note -->
    <set-body>@{
  return "a";
}</set-body>
  </inbound>
</policies>`);
    expect(serializePolicy(doc, { style: 'apim' })).toBe(
      '<!-- top -->\r\n<policies>\r\n\t<inbound>\r\n\t\t<base />\r\n\t\t<set-variable name="v" value="say &quot;hi&quot;" />\r\n' +
        '\t\t<!-- note -->\r\n\t\t<set-body>@{\r\n  return "a";\r\n}</set-body>\r\n\t</inbound>\r\n</policies>',
    );
  });

  it('escapes the xml form as APIM returns it: text escapes & < > but not "; attributes escape " < > & newline tab', () => {
    const doc = parseOk(
      '<policies><inbound><when condition="@(a < b && c == "x")"><set-body>@(x < 1 && y > 2 ? "q" : "r")</set-body></when>' +
        '<set-variable name="multi" value="@{\n\tvar s = &quot;a&quot;;\n\treturn s;\n}" /></inbound></policies>',
    );
    expect(serializePolicy(doc, { form: 'xml', style: 'apim' })).toBe(
      '<policies>\r\n\t<inbound>\r\n' +
        '\t\t<when condition="@(a &lt; b &amp;&amp; c == &quot;x&quot;)">\r\n' +
        '\t\t\t<set-body>@(x &lt; 1 &amp;&amp; y &gt; 2 ? "q" : "r")</set-body>\r\n\t\t</when>\r\n' +
        // The entity written inside a rawxml expression is literal text, so it comes back doubly escaped.
        '\t\t<set-variable name="multi" value="@{&#xA;&#x9;var s = &amp;quot;a&amp;quot;;&#xA;&#x9;return s;&#xA;}" />\r\n' +
        '\t</inbound>\r\n</policies>',
    );
  });

  it('keeps rawxml expressions unescaped and escapes only the literal text around them', () => {
    const doc = parseOk('<policies><set-body>a &amp; b @(x && "<y>") c &lt; d</set-body><v a="1 &quot; @(f("q")) &lt;" /></policies>');
    expect(serializePolicy(doc)).toBe(
      '<policies>\n    <set-body>a &amp; b @(x && "<y>") c &lt; d</set-body>\n    <v a="1 &quot; @(f("q")) &lt;" />\n</policies>\n',
    );
  });

  it.each([
    ['an attribute', '<policies><set-header name="a" value="&#64;(x" /></policies>'],
    ['text', '<policies><set-body>a &#64;{ b</set-body></policies>'],
  ])('keeps a literal "@(" / "@{" in %s literal: printed as &#64;, so the reparse does not start an expression there', (_where, source) => {
    const doc = parseOk(source);
    const printed = serializePolicy(doc);
    expect(printed).toContain('&#64;');
    expect(shape(parseOk(printed))).toEqual(shape(doc));
  });

  it('prints mixed content inline, as .NET does, so no whitespace is added to text', () => {
    const doc = parseOk('<policies><set-body>a<b>c</b>d<!--e--></set-body></policies>');
    expect(serializePolicy(doc)).toBe('<policies>\n    <set-body>a<b>c</b>d<!--e--></set-body>\n</policies>\n');
  });

  it('splits "]]>" inside CDATA so the section stays well-formed', () => {
    const doc = parseOk('<policies><set-body><![CDATA[x]]></set-body></policies>');
    const cdata = doc.root.children[0];
    expect(cdata.type).toBe('element');
    if (cdata.type === 'element') cdata.children = [{ type: 'cdata', value: 'a]]>b', pos: cdata.pos }];
    const printed = serializePolicy(doc);
    expect(printed).toContain('<![CDATA[a]]]]><![CDATA[>b]]>');
    expect(parsePolicy(printed, 'p.xml').findings).toEqual([]);
  });

  it('prints 3000-deep documents without overflowing the stack', () => {
    const doc = parsePolicy('<policies>' + '<a>'.repeat(200) + '</a>'.repeat(200) + '</policies>', 'p.xml').document!;
    let innermost = doc.root;
    while (innermost.children[0]?.type === 'element') innermost = innermost.children[0];
    for (let i = 0; i < 2800; i++) {
      const child = { type: 'element' as const, name: 'a', attributes: [], children: [], pos: innermost.pos };
      innermost.children.push(child);
      innermost = child;
    }
    const lines = serializePolicy(doc).split('\n');
    // <policies>, 2999 <a> with their </a>, the innermost <a />, </policies>, and '' after the final newline.
    expect(lines).toHaveLength(1 + 2 * 2999 + 1 + 1 + 1);
    expect(lines[3000]).toBe('    '.repeat(3000) + '<a />');
  });
});

type Shape = { name: string; attributes: Array<[string, string]>; children: Shape[] } | { text: string } | { comment: string } | { cdata: string };
type FastXmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function shapeOf(node: PolicyDocument['root'] | PolicyDocument['root']['children'][number]): Shape {
  switch (node.type) {
    case 'text':
      return { text: node.value };
    case 'comment':
      return { comment: node.value };
    case 'cdata':
      return { cdata: node.value };
    case 'element':
      return { name: node.name, attributes: node.attributes.map((attribute) => [attribute.name, attribute.value]), children: node.children.map(shapeOf) };
  }
}

/** fast-xml-parser's ordered output in the same shape, whitespace-only text dropped as our parser does. */
function fromFastXmlParser(nodes: FastXmlNode[]): Shape[] {
  const shapes: Shape[] = [];
  const joined = (parts: unknown) => (parts as Array<{ '#text': unknown }>).map((part) => String(part['#text'])).join('');
  for (const node of nodes) {
    const key = Object.keys(node).find((candidate) => candidate !== ':@')!;
    if (key === '#text') {
      if (String(node[key]).trim() !== '') shapes.push({ text: String(node[key]) });
    } else if (key === '#comment') {
      shapes.push({ comment: joined(node[key]) });
    } else if (key === '#cdata') {
      shapes.push({ cdata: joined(node[key]) });
    } else {
      shapes.push({ name: key, attributes: Object.entries(node[':@'] ?? {}), children: fromFastXmlParser(node[key] as FastXmlNode[]) });
    }
  }
  return shapes;
}
