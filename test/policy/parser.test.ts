import { isPolicyExpression } from '../../src/policy/expression';
import { parsePolicy } from '../../src/policy/parser';
import type { PolicyElement } from '../../src/policy/ast';
import { attributeValue, childElements, elementsNamed, textContent } from '../../src/policy/query';
import { parseOk } from './fixtures';

function only(root: PolicyElement, name: string): PolicyElement {
  const found = elementsNamed(root, name);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The single xml-syntax finding for a bad document, as `line:column message`. */
function rejection(text: string): string {
  const result = parsePolicy(text, 'policies/global.xml');
  expect(result.document).toBeUndefined();
  expect(result.findings).toHaveLength(1);
  const [finding] = result.findings;
  expect(finding).toMatchObject({ rule: 'xml-syntax', severity: 'error', file: 'policies/global.xml' });
  return `${finding.line}:${finding.column} ${finding.message}`;
}

describe('parsePolicy: APIM dialect that must parse', () => {
  it('reads a multi-line @{ } block with C# strings, verbatim strings, chars, comments and nested braces', () => {
    const body = `@{
            // a comment with ) } and a quote "
            /* block comment { */
            var name = context.Request.Headers.GetValueOrDefault("X-Name", "anonymous");
            var path = @"C:\\temp\\""quoted"" }";
            var brace = '}';
            var quote = '\\'';
            var json = $"{{\\"name\\": \\"{name}\\", \\"n\\": {(1 < 2 && 3 > 2 ? "}" : "{")}}}";
            if (name.Length > 0 && name != "x") { return json; }
            return "<none/>";
        }`;
    const doc = parseOk(`<policies>
    <inbound>
        <set-body>${body}</set-body>
    </inbound>
</policies>`);
    expect(textContent(only(doc.root, 'set-body'))).toBe(body);
  });

  it('reads attribute expressions holding unescaped double quotes, <, > and &&', () => {
    const condition = `@(context.Request.Headers.GetValueOrDefault("Authorization","").StartsWith("Bearer ") && context.Variables.GetValueOrDefault<int>("count") < 10 || (int)context.Variables["n"] > 2)`;
    const doc = parseOk(`<policies><inbound><choose>
        <when condition="${condition}">
            <set-variable name="ok" value='@("it's \\"fine\\"")' />
        </when>
        <otherwise><return-response><set-status code="401" reason="Unauthorized" /></return-response></otherwise>
    </choose></inbound></policies>`);
    expect(attributeValue(only(doc.root, 'when'), 'condition')).toBe(condition);
    expect(attributeValue(only(doc.root, 'set-variable'), 'value')).toBe(`@("it's \\"fine\\"")`);
    expect(attributeValue(only(doc.root, 'set-status'), 'code')).toBe('401');
    expect(childElements(only(doc.root, 'choose')).map((element) => element.name)).toEqual(['when', 'otherwise']);
  });

  it('decodes entities outside expressions but keeps them literally inside rawxml expressions', () => {
    const doc = parseOk(
      `<policies><inbound><set-header name="a&amp;b &#x41;&#66;" exists-action="override"><value>x &lt; y &quot;z&quot; @("&quot;")</value></set-header></inbound></policies>`,
    );
    const header = only(doc.root, 'set-header');
    expect(attributeValue(header, 'name')).toBe('a&b AB');
    expect(textContent(only(doc.root, 'value'))).toBe('x < y "z" @("&quot;")');
  });

  it('reads an expression mixed with literal text to its balanced end in rawxml, as written (the chosen reading)', () => {
    // APIM evaluates an expression only when it is the whole value ("you can't have a mix of normal text and
    // expressions", Azure blog "Policy expressions in Azure API Management"): `x @(a && b)` is literal text at run
    // time. Whether APIM's rawxml reader still reads the `@(…)` part unescaped was not found documented, so the
    // parser keeps the lenient reading (no xml-syntax finding: a false syntax error would block a valid publish)
    // and lint's policy-attributes reports the mixed value instead (test/lint/rules.test.ts).
    const doc = parseOk('<policies><inbound><set-header name="x" exists-action="override"><value>x @(a && "<b>")</value></set-header><set-variable name="v" value="id-@(a && b) " /></inbound></policies>');
    expect(textContent(only(doc.root, 'value'))).toBe('x @(a && "<b>")');
    expect(attributeValue(only(doc.root, 'set-variable'), 'value')).toBe('id-@(a && b) ');
    expect(isPolicyExpression('x @(a && "<b>")')).toBe(false);
    // Outside the balanced expression the text is plain XML again: a bare `&&` there is an error.
    expect(rejection('<policies><value>x @(a) && b</value></policies>')).toMatch(/^1:25 '&' must be written &amp;/);
  });

  it('reads the xml form (expressions escaped) into the same values as the rawxml form', () => {
    const raw = parseOk(`<policies><inbound><when condition="@(a < b && c == &quot;x&quot;.Length)" /></inbound></policies>`);
    const xml = parseOk(`<policies><inbound><when condition="@(a &lt; b &amp;&amp; c == &quot;x&quot;.Length)" /></inbound></policies>`, 'xml');
    // In rawxml the entity inside the expression stays literal; in xml everything is decoded.
    expect(attributeValue(only(raw.root, 'when'), 'condition')).toBe('@(a < b && c == &quot;x&quot;.Length)');
    expect(attributeValue(only(xml.root, 'when'), 'condition')).toBe('@(a < b && c == "x".Length)');
  });

  it('keeps comments (also before and after the root), CDATA and Liquid bodies', () => {
    const doc = parseOk(`<?xml version="1.0" encoding="utf-8"?>
<!-- owned by the platform team -->
<policies>
    <!-- apiops-disable-next-line base-inherited: global scope -->
    <inbound>
        <set-body template="liquid">{"name": "{{body.name}}", {% if body.x %}"x": {{- body.x }}{% endif %}}</set-body>
        <set-body><![CDATA[<raw & "text">]]></set-body>
    </inbound>
</policies>
<!-- trailing -->`);
    expect(doc.prolog.map((comment) => comment.value)).toEqual([' owned by the platform team ']);
    expect(doc.epilog?.map((comment) => comment.value)).toEqual([' trailing ']);
    expect(doc.root.children[0]).toMatchObject({ type: 'comment', value: ' apiops-disable-next-line base-inherited: global scope ' });
    const [liquid, cdata] = elementsNamed(doc.root, 'set-body');
    expect(textContent(liquid)).toBe('{"name": "{{body.name}}", {% if body.x %}"x": {{- body.x }}{% endif %}}');
    expect(cdata.children).toEqual([{ type: 'cdata', value: '<raw & "text">', pos: expect.objectContaining({ line: 7, column: 19 }) }]);
  });

  it('accepts <fragment> roots and single-quoted attributes', () => {
    const doc = parseOk(`<fragment><authentication-managed-identity resource='api://orders' output-token-variable-name="t"/></fragment>`);
    expect(doc.root.name).toBe('fragment');
    expect(attributeValue(only(doc.root, 'authentication-managed-identity'), 'resource')).toBe('api://orders');
  });

  it('drops whitespace-only text between elements and keeps other text as written', () => {
    const doc = parseOk('<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <backend> </backend>\n</policies>');
    expect(doc.root.children.map((child) => child.type)).toEqual(['element', 'element']);
    expect(only(doc.root, 'backend').children).toEqual([]);
    const text = parseOk('<policies><inbound><set-body>\n  hello\n</set-body></inbound></policies>');
    expect(textContent(only(text.root, 'set-body'))).toBe('\n  hello\n');
  });

  it('gives every element, attribute, text and comment its 1-based position; CRLF counts as one line break', () => {
    const doc = parseOk('<policies>\r\n\t<inbound>\r\n\t\t<!-- c -->\r\n\t\t<set-header name="x"\r\n\t\t\texists-action="delete" />\r\n\t\t<set-body>text</set-body>\r\n\t</inbound>\r\n</policies>');
    expect(doc.root.pos).toEqual({ file: 'apis/orders/policy.xml', line: 1, column: 1 });
    const inbound = only(doc.root, 'inbound');
    expect(inbound.pos).toMatchObject({ line: 2, column: 2 });
    expect(inbound.children[0].pos).toMatchObject({ line: 3, column: 3 });
    const header = only(doc.root, 'set-header');
    expect(header.attributes.map((attribute) => [attribute.name, attribute.pos.line, attribute.pos.column])).toEqual([
      ['name', 4, 15],
      ['exists-action', 5, 4],
    ]);
    expect(only(doc.root, 'set-body').children[0].pos).toMatchObject({ line: 6, column: 13 });
  });

  it('maps positions through options.mapPosition', () => {
    const result = parsePolicy('<policies>\n<inbound>\n</policies>', 'p.xml', {
      mapPosition: (line, column) => ({ line: line + 10, column: column + 1 }),
    });
    expect(result.findings).toEqual([expect.objectContaining({ line: 13, column: 2 })]);
    const ok = parsePolicy('<policies>\n  <inbound />\n</policies>', 'p.xml', { mapPosition: (line, column) => ({ line: line * 2, column }) });
    expect(only(ok.document!.root, 'inbound').pos).toMatchObject({ line: 4, column: 3 });
  });
});

describe('parsePolicy: what APIM rejects, at the right line and column', () => {
  it.each([
    ['unclosed element', '<policies>\n  <inbound>\n    <base />\n</policies>', "4:1 </policies> does not match <inbound> opened at line 2, column 3"],
    ['element still open at the end', '<policies>\n  <inbound>\n', '2:3 element <inbound> is not closed'],
    ['mismatched end tag', '<policies>\n  <inbound></outbound>\n</policies>', '2:12 </outbound> does not match <inbound> opened at line 2, column 3'],
    ['junk after the root', '<policies />\ntrailing', '2:1 text is not allowed after the root element'],
    ['a second root', '<policies />\n<policies />', '2:1 only one root element is allowed'],
    ['junk before the root', 'x<policies />', '1:1 text is not allowed before the root element'],
    ['wrong root', '<!-- c -->\n<inbound />', '2:1 the root element must be <policies> or <fragment>, not <inbound>'],
    ['duplicate attribute', '<policies>\n  <set-header name="a" exists-action="x" name="b" />\n</policies>', "2:42 duplicate attribute 'name' on <set-header>"],
    ['unknown entity', '<policies>\n  <value>&nbsp;</value>\n</policies>', "2:10 unknown or invalid entity '&nbsp;' (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)"],
    ['bare ampersand', '<policies><set-query-parameter name="a&b" /></policies>', "1:39 '&' must be written &amp; (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)"],
    ['invalid character reference', '<policies><value>&#0;</value></policies>', "1:18 unknown or invalid entity '&#0;' (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)"],
    ['< in a literal attribute', '<policies><when condition="a < b" /></policies>', "1:30 '<' is not allowed in the value of attribute 'condition' outside a policy expression (write &lt;)"],
    ['unquoted attribute', '<policies><base a=b /></policies>', "1:19 the value of attribute 'a' must be quoted"],
    ['attribute without whitespace', '<policies><base a="1"b="2" /></policies>', "1:22 expected whitespace, '>' or '/>' in <base>"],
    ['unterminated attribute', '<policies>\n<base a="1 ', "2:9 unterminated value of attribute 'a'"],
    ['< in an attribute left open', '<policies>\n<base a="1 />\n</policies>', "3:1 '<' is not allowed in the value of attribute 'a' outside a policy expression (write &lt;)"],
    ['unterminated expression', '<policies>\n  <value>@(context.Request</value>\n</policies>', "2:10 unterminated policy expression: '@(' has no matching ')'"],
    ['unterminated comment', '<policies>\n  <!-- never ends\n</policies>', '2:3 unterminated comment'],
    ['double hyphen in a comment', '<policies><!-- a -- b --></policies>', "1:18 a comment must not contain '--'"],
    ['processing instruction', '<policies><?php echo 1; ?></policies>', '1:11 processing instructions are not allowed in a policy'],
    ['only a comment', '<!-- nothing else -->\n', '1:1 no root element: expected a <policies> or <fragment> root element'],
    ['empty file', '   \n  ', '1:1 empty policy: expected a <policies> or <fragment> root element'],
    ['binary content', '<policies>\u0000\u0001</policies>', '1:11 invalid character U+0000 (is this a binary file?)'],
    ['truncated file', '<policies>\n  <inbound>\n    <set-header name="x" exists-act', "3:36 unexpected end of file: expected '=' after attribute 'exists-act'"],
    ['truncated inside a tag name', '<policies>\n  <inb', '2:3 unterminated start tag <inb>'],
    ["']]>' in text, e.g. after a CDATA section that already ended", '<policies>\n  <set-body><![CDATA[a]]>]]></set-body>\n</policies>', "2:26 ']]>' is not allowed in text outside a CDATA section (write ]]&gt;)"],
  ])('%s', (_name, text, expected) => {
    expect(rejection(text)).toBe(expected);
  });

  it('rejects raw expressions in the xml form, as APIM does for format=xml', () => {
    const raw = '<policies>\n  <when condition="@(a == "b")" />\n</policies>';
    const result = parsePolicy(raw, 'p.xml', { form: 'xml' });
    expect(result.findings).toEqual([expect.objectContaining({ rule: 'xml-syntax', line: 2, column: 28, message: "expected whitespace, '>' or '/>' in <when>" })]);
    expect(parsePolicy('<policies><v>@(a && b)</v></policies>', 'p.xml', { form: 'xml' }).findings).toEqual([
      expect.objectContaining({ column: 18, message: expect.stringMatching(/^'&' must be written &amp;/) }),
    ]);
  });

  it('refuses DTDs, so neither XXE nor entity-expansion bombs can happen', () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<policies><inbound>&lol3;</inbound></policies>`;
    expect(rejection(bomb)).toBe('2:1 DTDs and entity declarations (<!DOCTYPE>, <!ENTITY>) are not allowed in a policy');
    const xxe = '<!DOCTYPE policies [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><policies>&xxe;</policies>';
    expect(rejection(xxe)).toMatch(/^1:1 DTDs/);
    expect(rejection('<policies><!ENTITY x "y"></policies>')).toMatch(/^1:11 DTDs/);
  });

  it('bounds nesting depth with a finding and handles 3000-deep input without overflowing', () => {
    const deep = '<policies>' + '<a>'.repeat(3000) + '</a>'.repeat(3000) + '</policies>';
    // The 256th nested <a> (root is level 1) is the first one refused: column of its '<'.
    expect(rejection(deep)).toBe(`1:${11 + 3 * 255} elements are nested deeper than 256 levels`);
    const deepExpression = '<policies><value>@(' + '('.repeat(3000) + ')'.repeat(3000) + ')</value></policies>';
    expect(parsePolicy(deepExpression, 'p.xml').findings).toEqual([]);
    const deepest = '<policies>' + '<a>'.repeat(254) + '<b/>' + '</a>'.repeat(254) + '</policies>';
    expect(parsePolicy(deepest, 'p.xml').findings).toEqual([]);
    const tooDeep = '<policies>' + '<a>'.repeat(255) + '<b/>' + '</a>'.repeat(255) + '</policies>';
    expect(rejection(tooDeep)).toBe(`1:${11 + 3 * 255} elements are nested deeper than 256 levels`);
  });

  it('never throws, whatever the input', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pieces = ['<policies>', '</policies>', '<a', '>', '/>', '</a>', '"', "'", '=', ' b', '@(', '@{', ')', '}', '&amp;', '&', '<!--', '-->', '<![CDATA[', ']]>', '\n', 'x', '$"', '{', '@"'];
    const unexpected: string[] = [];
    for (let run = 0; run < 2000; run++) {
      let text = '';
      const length = Math.floor(random() * 30);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      for (const form of ['rawxml', 'xml'] as const) {
        const result = parsePolicy(text, 'fuzz.xml', { form });
        const [finding] = result.findings;
        const wellFormed = result.document !== undefined && result.findings.length === 0;
        const rejected = result.document === undefined && result.findings.length === 1 && finding.line >= 1 && finding.column >= 1;
        if (!wellFormed && !rejected) unexpected.push(`${form}: ${text}`);
      }
    }
    expect(unexpected).toEqual([]);
  });
});
