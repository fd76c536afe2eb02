import { livePolicy, policyFileText } from '../../src/extract/policies';
import { SECTIONS_WITH_BASE } from '../fixtures/generate';

const CONTEXT = { env: 'dev', values: { backendApp: 'api://func-dev' } };

/** What APIM stores and returns for format=rawxml: tabs, CRLF, no trailing newline. */
const LIVE =
  '<policies>\r\n\t<inbound>\r\n\t\t<base />\r\n\t\t<authentication-managed-identity resource="api://func-dev" />\r\n' +
  '\t\t<set-header name="X-Caller" exists-action="override">\r\n\t\t\t<value>@(context.User?.Email ?? "anonymous")</value>\r\n\t\t</set-header>\r\n' +
  '\t</inbound>\r\n\t<backend>\r\n\t\t<base />\r\n\t</backend>\r\n\t<outbound>\r\n\t\t<base />\r\n\t</outbound>\r\n\t<on-error>\r\n\t\t<base />\r\n\t</on-error>\r\n</policies>';

const PRETTY = `<policies>
    <inbound>
        <base />
        <authentication-managed-identity resource="api://func-dev" />
        <set-header name="X-Caller" exists-action="override">
            <value>@(context.User?.Email ?? "anonymous")</value>
        </set-header>
    </inbound>
${SECTIONS_WITH_BASE}
</policies>
`;

describe('policy files', () => {
  it('pretty-prints the live policy in its raw form, with LF and a final newline', () => {
    expect(policyFileText('apis/a/policy.xml', { value: LIVE, form: 'rawxml' }, 'scope', undefined, CONTEXT)).toEqual({ text: PRETTY });
  });

  it('keeps an existing template that renders to the same policy, byte for byte', () => {
    const template = PRETTY.replace('resource="api://func-dev"', "resource='{{values.backendApp}}'").replace(/\n/g, '\r\n').replace(/ {4}/g, '\t');
    expect(policyFileText('apis/a/policy.xml', { value: LIVE, form: 'rawxml' }, 'scope', template, CONTEXT)).toEqual({ text: template });
  });

  it('replaces a template whose policy changed on the instance, and says it was a template', () => {
    const template = PRETTY.replace('resource="api://func-dev"', 'resource="{{values.backendApp}}"').replace('anonymous', 'nobody');
    expect(policyFileText('apis/a/policy.xml', { value: LIVE, form: 'rawxml' }, 'scope', template, CONTEXT)).toEqual({
      text: PRETTY,
      warning: "apis/a/policy.xml: was a template; replaced by the instance's policy for environment 'dev' (put its {{values…}} back)",
    });
  });

  it('keeps the <fragment> root of fragments, wrapping a bare one', () => {
    expect(policyFileText('policies/fragments/f.xml', { value: '<set-header name="A" exists-action="delete" />', form: 'xml' }, 'fragment', undefined, CONTEXT).text).toBe(
      '<fragment>\n    <set-header name="A" exists-action="delete" />\n</fragment>\n',
    );
  });

  it('reads a policy in the form the instance returned it: the escaped xml form is decoded', () => {
    const escaped = '<fragment>\r\n\t<set-variable name="a" value="@(1 &lt; 2 &amp;&amp; &quot;x&quot; != null)" />\r\n</fragment>';
    expect(policyFileText('policies/fragments/f.xml', livePolicy({ value: escaped, format: 'xml' })!, 'fragment', undefined, CONTEXT).text).toBe(
      '<fragment>\n    <set-variable name="a" value="@(1 < 2 && "x" != null)" />\n</fragment>\n',
    );
    // APIM names the format only when rawxml was asked for: without it the text is the xml form.
    expect(livePolicy({ value: escaped })).toEqual({ value: escaped, form: 'xml' });
    expect(livePolicy({ value: LIVE, format: 'rawxml' })).toEqual({ value: LIVE, form: 'rawxml' });
  });

  it('writes a policy it cannot parse as received, with LF line endings', () => {
    expect(policyFileText('policies/global.xml', { value: '<policies>\r\n<inbound>', form: 'rawxml' }, 'scope', undefined, CONTEXT)).toEqual({
      text: '<policies>\n<inbound>\n',
      warning: "policies/global.xml: the instance's policy does not parse; written as received",
    });
  });
});
