import Handlebars from 'handlebars';
import { renderTemplate, type TemplateContext } from '../../src/policy/template';
import { parsePolicy } from '../../src/policy/parser';

const context: TemplateContext = {
  env: 'dev',
  values: { tenantId: 'contoso.onmicrosoft.com', backendAppId: 'api://orders', devCallsPerMinute: 60, origins: ['https://a', 'https://b'], strict: true, quote: 'say "hi" & <bye>' },
};

function render(text: string, values: TemplateContext = context) {
  return renderTemplate({ file: 'apis/orders/policy.xml', text }, values);
}

function renderOk(text: string, values: TemplateContext = context): string {
  const result = render(text, values);
  expect(result.findings).toEqual([]);
  return result.text!;
}

describe('renderTemplate', () => {
  it('substitutes values and env and runs if/unless/each/else blocks', () => {
    const text = `<policies>
    <inbound>
        <rate-limit calls="{{values.devCallsPerMinute}}" renewal-period="60" />
        {{#if values.strict}}
        <set-header name="X-Env" exists-action="override"><value>{{env}}</value></set-header>
        {{else}}
        <base />
        {{/if}}
        {{#unless values.strict}}<skipped />{{/unless}}
        <cors>
            <allowed-origins>
                {{#each values.origins}}
                <origin>{{this}}</origin><!-- {{@index}} -->
                {{/each}}
            </allowed-origins>
        </cors>
    </inbound>
</policies>`;
    expect(renderOk(text)).toBe(`<policies>
    <inbound>
        <rate-limit calls="60" renewal-period="60" />
        <set-header name="X-Env" exists-action="override"><value>dev</value></set-header>
        
        <cors>
            <allowed-origins>
                <origin>https://a</origin><!-- 0 -->
                <origin>https://b</origin><!-- 1 -->
            </allowed-origins>
        </cors>
    </inbound>
</policies>`);
  });

  it('passes APIM named values and Liquid through unchanged', () => {
    const text = `<policies><inbound>
        <set-header name="k"><value>{{orders-api-key}}</value></set-header>
        <set-header name="s"><value>{{StorageAccount.Name}}</value></set-header>
        <set-body template="liquid">{"a": "{{ body.x }}", "b": "{{- header.Key }}", "c": "{{ vars['v'] }}" {% for i in body.items %}{{i}}{% endfor %}}</set-body>
        <set-variable name="t" value="{{values.tenantId}}/{{TenantSuffix}}" />
    </inbound></policies>`;
    expect(renderOk(text)).toBe(text.replace('{{values.tenantId}}', 'contoso.onmicrosoft.com'));
  });

  it('leaves a template without any of our mustaches untouched', () => {
    const text = '<policies><inbound><value>{{named}} {{ liquid }}</value></inbound></policies>';
    const result = render(text);
    expect(result.text).toBe(text);
    expect(result.mapPosition(1, 7)).toEqual({ line: 1, column: 7 });
  });

  it('inserts values verbatim (noEscape): policy expressions must not be HTML-escaped', () => {
    expect(renderOk('<value>@("{{values.quote}}")</value>')).toBe('<value>@("say "hi" & <bye>")</value>');
  });

  it('is deterministic', () => {
    const text = '{{#each values.origins}}{{@index}}={{this}};{{/each}}{{env}}';
    expect(renderOk(text)).toBe(renderOk(text));
    expect(renderOk(text)).toBe('0=https://a;1=https://b;dev');
  });

  it('reports an undefined value as a template finding at the template line:column', () => {
    const result = render('<policies>\n  <inbound>\n    <rate-limit calls="{{values.devCalls}}" />\n  </inbound>\n</policies>');
    expect(result.text).toBeUndefined();
    expect(result.findings).toEqual([
      {
        rule: 'template',
        severity: 'error',
        file: 'apis/orders/policy.xml',
        line: 3,
        column: 26,
        message: "'values.devCalls' is not defined for environment 'dev' (defined values: backendAppId, devCallsPerMinute, origins, quote, strict, tenantId)",
      },
    ]);
  });

  it('reports an undefined field inside an each block, on objects and on plain strings', () => {
    const onObjects = render('{{#each values.hosts}}\n  {{this.port}}\n{{/each}}', { env: 'dev', values: { hosts: [{ name: 'a' }] } });
    expect(onObjects.findings).toEqual([expect.objectContaining({ rule: 'template', line: 2, column: 5 })]);
    expect(onObjects.findings[0].message).toMatch(/^'this.port' is not defined for environment 'dev'/);
    const onStrings = render('<a>\n{{#each values.origins}}\n  {{this.host}}\n{{/each}}</a>');
    expect(onStrings.findings).toEqual([expect.objectContaining({ rule: 'template', line: 3, column: 5 })]);
    expect(onStrings.findings[0].message).toBe("'this.host' is not defined for environment 'dev': 'https://a' has no fields");
  });

  it.each([
    ['an unclosed block, at its opening tag', '<policies>\n  {{#each values.origins}}{{#if values.strict}}{{/if}}\n  <inbound />\n</policies>', /^template syntax error: \{\{#each\}\} is never closed \(add \{\{\/each\}\}\)$/, 2],
    ['a closer without its block', '<policies>\n  <a/>\n  {{/if}}\n</policies>', /^template syntax error: \{\{\/if\}\} is outside any \{\{#if\}\}, \{\{#each\}\} or \{\{#unless\}\} block$/, 3],
    ['an else without a block', '<policies>\n  {{#if values.strict}}{{/if}}\n  {{else}}\n</policies>', /^template syntax error: \{\{else\}\} is outside any/, 3],
    ['a mismatched closer', '<policies>\n  {{#if values.strict}}<a/>{{/each}}\n</policies>', /^template syntax error: if doesn't match each/, 2],
    ['an unterminated mustache', '<policies>\n  <a v="{{values.tenantId" />\n</policies>', /^template syntax error: /, 2],
    ['a block helper the templates do not offer, not passed to APIM as text', '<policies>\n  {{#with values.tenantId}}<a/>{{/with}}\n</policies>', /^'with' is not a template helper: only \{\{#if\}\}, \{\{#each\}\} and \{\{#unless\}\} are/, 2],
    ['an unclosed block of an unknown helper', '<policies>\n  {{#unlesss values.strict}}\n</policies>', /^template syntax error: \{\{#unlesss\}\} is never closed/, 2],
    ['a helper in a subexpression', '<policies>\n{{#if (eq env "prod")}}<a/>{{/if}}\n</policies>', /^'eq' is not a template helper/, 2],
    ['a value mustache with arguments', '<policies>\n  <a v="{{values.tenantId extra}}" />\n</policies>', /^'values' is not a template helper: .*a value is written alone/, 2],
  ])('reports %s as a template syntax finding with its line', (_name, text, message, line) => {
    const result = render(text);
    expect(result.text).toBeUndefined();
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ rule: 'template', severity: 'error', file: 'apis/orders/policy.xml', line });
    expect(result.findings[0].message).toMatch(message);
  });

  it('maps rendered positions back to template lines, also after removed and repeated blocks', () => {
    const text = [
      '<policies>', //                              1
      '    <inbound>', //                           2
      '        {{#if values.missingFlag}}', //      3  (a missing field is falsy for #if, even in strict mode)
      '        <removed />', //                     4
      '        <removed />', //                     5
      '        {{/if}}', //                         6
      '        {{#each values.origins}}', //        7
      '        <origin>{{this}}</origin>', //       8
      '        {{/each}}', //                       9
      '        <set-header name="{{values.tenantId}}" x="1" />', // 10
      '    </inbound', //                           11 (broken on purpose)
      '</policies>', //                             12
    ].join('\n');
    const result = render(text);
    expect(result.findings).toEqual([]);
    const rendered = result.text!.split('\n');
    expect(rendered).toEqual([
      '<policies>',
      '    <inbound>',
      '        <origin>https://a</origin>',
      '        <origin>https://b</origin>',
      '        <set-header name="contoso.onmicrosoft.com" x="1" />',
      '    </inbound',
      '</policies>',
    ]);
    expect(result.mapPosition(3, 9)).toEqual({ line: 8, column: 9 });
    expect(result.mapPosition(4, 9)).toEqual({ line: 8, column: 9 });
    // Inside the inserted value: the mustache that produced it.
    expect(result.mapPosition(5, 30)).toEqual({ line: 10, column: 27 });
    // After the inserted value, on the same line: the column is no longer exact, the line is.
    expect(result.mapPosition(5, 50).line).toBe(10);
    expect(result.mapPosition(6, 5)).toEqual({ line: 11, column: 5 });

    // The parser reports the broken end tag at the template's line.
    const parsed = parsePolicy(result.text!, 'apis/orders/policy.xml', { mapPosition: result.mapPosition });
    expect(parsed.findings).toEqual([expect.objectContaining({ rule: 'xml-syntax', line: 12, column: 1 })]);
  });

  it('keeps positions exact for text after a standalone {{else}} and with CRLF line breaks', () => {
    const text = '<policies>\r\n{{#if values.strict}}\r\n  <a />\r\n{{else}}\r\n  <b />\r\n{{/if}}\r\n  <c x="1" x="2" />\r\n</policies>';
    const result = render(text);
    expect(result.text).toBe('<policies>\r\n  <a />\r\n  <c x="1" x="2" />\r\n</policies>');
    const parsed = parsePolicy(result.text!, 'p.xml', { mapPosition: result.mapPosition });
    expect(parsed.findings).toEqual([expect.objectContaining({ line: 7, column: 12, message: "duplicate attribute 'x' on <c>" })]);
  });

  it('explains an environment path used inside {{#each}}, where paths are relative to the item', () => {
    const values: TemplateContext = { env: 'dev', values: { origins: ['https://a'], tenantId: 't', apis: [{ id: 'x' }] } };
    const onItem = render('<a>\n{{#each values.apis}}\n  {{values.tenantId}}\n{{/each}}</a>', values);
    expect(onItem.findings).toEqual([expect.objectContaining({ rule: 'template', line: 3, column: 5 })]);
    expect(onItem.findings[0].message).toBe("'values.tenantId' is not defined here: inside {{#each}} a path is relative to the item; write @root.values.tenantId for the environment's value");
    const onString = render('<a>\n{{#each values.origins}}\n  {{#each values.origins}}{{this}}{{/each}}\n{{/each}}</a>', values);
    expect(onString.findings).toEqual([expect.objectContaining({ rule: 'template', message: expect.stringMatching(/^'values\.origins' is not defined here: .*@root\.values\.origins/) })]);
    expect(renderOk('{{#each values.apis}}{{@root.values.tenantId}}-{{this.id}}{{/each}}', values)).toBe('t-x');
  });

  it('refuses a map or a list inserted as a value, which would reach APIM as [object Object] or "a,b"', () => {
    const values: TemplateContext = { env: 'dev', values: { backend: { url: 'https://x' }, origins: ['https://a', 'https://b'] } };
    for (const suffix of ['', '{{#if env}}{{/if}}']) {
      const result = render(`<policies>\n  <inbound>\n    <set-header name="a"><value>{{values.backend}}</value></set-header>\n    <x v="{{ values.origins }}" />${suffix}`, values);
      expect(result.text).toBeUndefined();
      expect(result.findings).toEqual([
        expect.objectContaining({ rule: 'template', line: 3, column: 35, message: expect.stringMatching(/^'values\.backend' is a map .*values\.backend\.<field>/) }),
        expect.objectContaining({ rule: 'template', line: 4, column: 14, message: expect.stringMatching(/^'values\.origins' is a list .*\{\{#each values\.origins\}\}/) }),
      ]);
    }
    expect(renderOk('{{values.backend.url}}{{#each values.origins}}[{{this}}]{{/each}}', values)).toBe('https://x[https://a][https://b]');
  });

  it('bounds block nesting with a finding instead of overflowing Handlebars', () => {
    const deep = '<policies>\n' + '{{#if values.strict}}'.repeat(3000) + 'x' + '{{/if}}'.repeat(3000) + '</policies>';
    expect(render(deep).findings).toEqual([
      expect.objectContaining({ rule: 'template', line: 2, column: 1 + 21 * 64, message: 'template blocks are nested deeper than 64 levels' }),
    ]);
    const fine = '{{#if values.strict}}'.repeat(64) + 'x' + '{{/if}}'.repeat(64);
    expect(renderOk(fine)).toBe('x');
  });

  it('refuses the private marker characters instead of producing a wrong map', () => {
    const result = render('<policies>\uFDD0{{env}}</policies>');
    expect(result.findings).toEqual([expect.objectContaining({ rule: 'template', line: 1, column: 11 })]);
  });
});

describe('renderTemplate: block parameters that no environment defines', () => {
  const dev = { tenantId: 't', cache: { ttl: 60 }, origins: ['https://a'] };
  const prod = { tenantId: 't', enableCache: true, cache: { ttl: 600, shared: { region: 'eu' } }, origins: ['https://a'] };
  const inDev: TemplateContext = { env: 'dev', values: dev, allEnvironmentValues: [dev, prod] };

  it('reports a misspelt flag at its line:column instead of rendering it as false', () => {
    const result = render('<policies>\n  <inbound>\n    {{#if values.enableCahce}}<cache-lookup />{{/if}}\n  </inbound>\n</policies>', inDev);
    expect(result.text).toBeUndefined();
    expect(result.findings).toEqual([
      {
        rule: 'template',
        severity: 'error',
        file: 'apis/orders/policy.xml',
        line: 3,
        column: 11,
        message: "'values.enableCahce' is not defined in any environment of apiops.config.yaml (a typo?); defined values: cache, enableCache, origins, tenantId",
      },
    ]);
  });

  it('reports every misspelt parameter of #unless, #each, {{else if}} and @root/../ paths inside #each, and nested paths', () => {
    const text = [
      '{{#unless values.enableCahce}}a{{/unless}}',
      '{{#each values.orgins}}b{{/each}}',
      '{{#if values.tenantId}}c{{else if values.cache.tll}}d{{/if}}',
      '{{#each values.origins}}{{#if @root.values.cache.shared.regoin}}e{{/if}}{{#if ../values.flag}}f{{/if}}{{/each}}',
    ].join('\n');
    const result = render(text, inDev);
    expect(result.findings.map((finding) => [finding.line, finding.column, finding.message])).toEqual([
      [1, 11, expect.stringMatching(/^'values\.enableCahce' is not defined in any environment/)],
      [2, 9, expect.stringMatching(/^'values\.orgins' is not defined/)],
      [3, 35, "'values.cache.tll' is not defined in any environment of apiops.config.yaml (a typo?); 'values.cache' has: shared, ttl"],
      [4, 31, "'values.cache.shared.regoin' is not defined in any environment of apiops.config.yaml (a typo?); 'values.cache.shared' has: region"],
      [4, 79, expect.stringMatching(/^'values\.flag' is not defined in any environment/)],
    ]);
  });

  it('renders a value only another environment defines as false, also below a map the chosen environment lacks', () => {
    const text = '{{#if values.enableCache}}on{{else}}off{{/if}} {{#if values.cache.shared.region}}{{else}}local{{/if}} {{#unless values.enableCache}}plain{{/unless}}';
    expect(renderOk(text, inDev)).toBe('off local plain');
    expect(renderOk(text, { env: 'prod', values: prod, allEnvironmentValues: [dev, prod] })).toBe('on  ');
    expect(renderOk('{{#each values.cache.shared}}[{{this}}]{{/each}}', inDev)).toBe('');
  });

  it('leaves paths relative to an #each item, and names declared with as |…|, to Handlebars', () => {
    const values: TemplateContext = { env: 'dev', values: { apis: [{ values: { on: true } }] }, allEnvironmentValues: [] };
    expect(renderOk('{{#each values.apis}}{{#if values.on}}item{{/if}}{{/each}}', values)).toBe('item');
    expect(renderOk('{{#each values.apis as |values|}}{{#if values.values.on}}named{{/if}}{{/each}}', values)).toBe('named');
  });

  it('reports a block parameter that forgot values. at its line:column, in every environment, with the path to write', () => {
    const text = [
      '<policies>',
      '  {{#if enableCache}}<cache-lookup />{{/if}}',
      '  {{#unless cache.ttl}}a{{else if this.strict}}b{{/unless}}',
      '  {{#each values.origins}}{{#if ../enableCache}}c{{/if}}{{#if @root.enableCache}}d{{/if}}{{/each}}',
      '</policies>',
    ].join('\n');
    for (const environment of [inDev, { env: 'dev', values: dev }]) {
      const result = render(text, environment);
      expect(result.text).toBeUndefined();
      expect(result.findings.map((finding) => [finding.rule, finding.line, finding.column, finding.message])).toEqual([
        ['template', 2, 9, "'enableCache' is undefined in every environment: templates see only env and values; did you mean values.enableCache?"],
        ['template', 3, 13, expect.stringMatching(/^'cache\.ttl' is undefined in every environment: .*did you mean values\.cache\.ttl\?$/)],
        ['template', 3, 35, expect.stringMatching(/^'this\.strict' is undefined .*did you mean values\.strict\?$/)],
        ['template', 4, 33, expect.stringMatching(/^'\.\.\/enableCache' is undefined .*did you mean \.\.\/values\.enableCache\?$/)],
        ['template', 4, 63, expect.stringMatching(/^'@root\.enableCache' is undefined .*did you mean @root\.values\.enableCache\?$/)],
      ]);
    }
  });

  it('leaves item-relative, as |…|, data and env parameters alone, also inside a refused {{#with}}', () => {
    const values: TemplateContext = { env: 'dev', values: { apis: [{ on: true }] }, allEnvironmentValues: [] };
    expect(renderOk('{{#each values.apis as |api|}}{{#if on}}a{{/if}}{{#if this.on}}b{{/if}}{{#if api.on}}c{{/if}}{{#if @first}}d{{/if}}{{/each}}{{#if env}}e{{/if}}', values)).toBe('abcde');
    const withBlock = render('{{#with values.apis}}{{#if on}}a{{/if}}{{/with}}', values);
    expect(withBlock.findings).toEqual([expect.objectContaining({ message: expect.stringMatching(/^'with' is not a template helper/) })]);
  });

  it('reports a file\'s template findings together, not only the first kind found', () => {
    const text = [
      '{{#if enableCache}}a{{/if}}',
      '{{#if values.enableCahce}}b{{/if}}',
      '<x v="{{values.cache}}" />',
      '<y v="{{values.tennantId}}" />',
    ].join('\n');
    const result = render(text, inDev);
    expect(result.text).toBeUndefined();
    expect(result.findings.map((finding) => [finding.line, finding.message])).toEqual([
      [1, expect.stringMatching(/^'enableCache' is undefined in every environment/)],
      [2, expect.stringMatching(/^'values\.enableCahce' is not defined in any environment/)],
      [3, expect.stringMatching(/^'values\.cache' is a map/)],
      [4, expect.stringMatching(/^'values\.tennantId' is not defined for environment 'dev'/)],
    ]);
    const unclosed = render('<x v="{{values.cache}}" />\n{{#if values.tenantId}}', inDev);
    expect(unclosed.findings.map((finding) => [finding.line, finding.message])).toEqual([
      [1, expect.stringMatching(/^'values\.cache' is a map/)],
      [2, expect.stringMatching(/^template syntax error: \{\{#if\}\} is never closed/)],
    ]);
  });

  it('without the other environments, stays silent: every undefined block parameter is false', () => {
    expect(renderOk('{{#if values.enableCahce}}on{{else}}off{{/if}}{{#if values.nope.deeper}}on{{else}}off{{/if}}', { env: 'dev', values: dev })).toBe('offoff');
  });
});

describe('renderTemplate: plain value mustaches render exactly as Handlebars renders them', () => {
  // A block forces the Handlebars path; without one, plain `{{values.x}}` mustaches take the fast path.
  const FORCE_HANDLEBARS = '{{#if env}}{{/if}}';
  const values = {
    text: 'a "b" <c> & d',
    number: 0,
    flag: false,
    empty: null,
    list: [1, 'two'],
    nested: { deeper: { leaf: 'x' }, 'with-dash': 'dash' },
    word: 'plain',
  };
  const paths = ['env', 'values.text', 'values.number', 'values.flag', 'values.empty', 'values.list', 'values.nested.deeper.leaf', 'values.nested.with-dash', 'values.missing', 'values.nested.nope', 'values.word.length', 'values.constructor', 'values.toString', 'values.list.map', 'values.nested.deeper'];

  it('on seeded random templates, output and undefined-value findings agree', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const fillers = ['<a>', '\n', '  ', '{{named-value}}', '{{ liquid.x }}', '@("q")', 'text'];
    for (let run = 0; run < 120; run++) {
      let text = '';
      for (let i = 0; i < 6; i++) {
        text += fillers[random(fillers.length)];
        text += random(2) ? `{{${paths[random(paths.length)]}}}` : `{{ ${paths[random(paths.length)]} }}`;
      }
      const fast = render(text, { env: 'prod', values });
      const handlebars = render(text + FORCE_HANDLEBARS, { env: 'prod', values });
      expect({ text, output: fast.text, failed: fast.findings.length > 0 }).toEqual({
        text,
        output: handlebars.text,
        failed: handlebars.findings.length > 0,
      });
      if (fast.findings.length > 0) {
        // Handlebars stops at the first undefined value; the fast path reports that one first.
        expect(fast.findings[0]).toEqual(handlebars.findings[0]);
      }
    }
  });

  it('leaves an escaped \\{{values.x}} to Handlebars, which prints it literally', () => {
    expect(renderOk('a \\{{values.word}} {{values.word}}', { env: 'prod', values })).toBe('a {{values.word}} plain');
  });
});

describe('renderTemplate: position markers do not change what Handlebars renders', () => {
  it.each([
    ['standalone blocks', '<a>\n  {{#if values.strict}}\n  <b/>\n  {{else}}\n  <c/>\n  {{/if}}\n</a>\n'],
    ['tilde whitespace control', 'a  \n  {{~#if values.strict~}}  \n  b  {{~/if}}\n {{~#each values.origins~}} [{{this}}] {{~/each~}} \n end'],
    ['inline blocks and each with @index', '<o>{{#each values.origins}}{{#if @index}},{{/if}}{{this}}{{/each}}</o>\n{{#unless values.strict}}no{{/unless}}'],
    ['comments and an indented standalone each', '{{! a comment }}\n    {{#each values.origins}}\n    <origin>{{this}}</origin>\n    {{/each}}\n'],
  ])('%s', (_name, text) => {
    const expected = Handlebars.create().compile(text, { strict: true, noEscape: true })(context);
    expect(renderOk(text)).toBe(expected);
  });
});
