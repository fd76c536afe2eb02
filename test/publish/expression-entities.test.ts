import * as fs from 'fs';
import * as path from 'path';
import { connect } from '../../src/azure/client';
import { parsePolicy } from '../../src/policy';
import { CI_SCOPE, emulatorWithRepositories, runCli, runJson, writes } from './helpers';

/**
 * A policy file in the escaped XML form (`@(… &quot;x&quot; …)`, as the portal and format=xml reads give it) reaches
 * APIM as the same expression. APIM's rawxml takes an entity inside an expression literally, and so does the emulator,
 * so what is checked here is what the instance holds, read back with format=rawxml.
 */

const CI = ['--env', 'ci'];
const RG = CI_SCOPE.resourceGroup;
const ESCAPED_IN_ATTRIBUTE = 'condition="@(context.Request.Headers.GetValueOrDefault(&quot;X-Mode&quot;, &quot;&quot;) == &quot;a)b&quot; &amp;&amp; context.Request.Url.Query.Count &lt; 3)"';
const DECODED_IN_ATTRIBUTE = '@(context.Request.Headers.GetValueOrDefault("X-Mode", "") == "a)b" && context.Request.Url.Query.Count < 3)';
const ESCAPED_IN_TEXT = '<value>@(context.Variables.GetValueOrDefault&lt;string&gt;(&quot;mode&quot;, &quot;none&quot;))</value>';
const DECODED_IN_TEXT = '@(context.Variables.GetValueOrDefault<string>("mode", "none"))';

const ESCAPED_POLICY = `<policies>
    <inbound>
        <base />
        <include-fragment fragment-id="call-functions-with-managed-identity" />
        <choose>
            <when ${ESCAPED_IN_ATTRIBUTE}>
                <set-header name="X-Mode" exists-action="override">
                    ${ESCAPED_IN_TEXT}
                </set-header>
            </when>
        </choose>
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
`;

const setup = emulatorWithRepositories();

const LITERAL_SCOPE = { ...CI_SCOPE, serviceName: 'apim-literal' };

async function livePolicy(apiId: string, format: 'rawxml' | 'xml', scope = CI_SCOPE): Promise<string> {
  const connection = connect(scope, { endpoint: setup.emulator().url });
  let value = '';
  await connection.client.apiPolicy.get(RG, scope.serviceName, apiId, 'policy', { format, onResponse: (r) => (value = JSON.parse(r.bodyAsText ?? '{}').properties.value) });
  return value;
}

describe('the emulator reads an entity inside an expression as APIM does', () => {
  it('rawxml keeps it literally (an xml read shows it as &amp;quot;); xml decodes it', async () => {
    const connection = connect(LITERAL_SCOPE, { endpoint: setup.emulator().url });
    const svc = LITERAL_SCOPE.serviceName;
    await connection.client.api.beginCreateOrUpdateAndWait(RG, svc, 'literal', { displayName: 'L', path: 'literal', protocols: ['https'] }, { updateIntervalInMs: 1 });
    const policy = (value: string) => `<policies><inbound><set-header name="a" exists-action="override"><value>${value}</value></set-header></inbound><backend><base /></backend><outbound /><on-error /></policies>`;

    await connection.client.apiPolicy.createOrUpdate(RG, svc, 'literal', 'policy', { format: 'rawxml', value: policy('@(&quot;x&quot;)') });
    expect(await livePolicy('literal', 'rawxml', LITERAL_SCOPE)).toContain('<value>@(&quot;x&quot;)</value>');
    expect(await livePolicy('literal', 'xml', LITERAL_SCOPE)).toContain('<value>@(&amp;quot;x&amp;quot;)</value>');

    await connection.client.apiPolicy.createOrUpdate(RG, svc, 'literal', 'policy', { format: 'xml', value: policy('@(&quot;x&quot;)') });
    expect(await livePolicy('literal', 'rawxml', LITERAL_SCOPE)).toContain('<value>@("x")</value>');
    expect(await livePolicy('literal', 'xml', LITERAL_SCOPE)).toContain('<value>@("x")</value>');
  });
});

describe('a policy file in the escaped form', () => {
  let root: string;

  it('publishes as the decoded expression', async () => {
    root = setup.repository('entities', { apis: 1, operationsPerApi: 1 });
    fs.writeFileSync(path.join(root, 'apis/api-0000/policy.xml'), ESCAPED_POLICY);
    expect((await runCli(root, ['validate', ...CI])).code).toBe(0);

    const published = await runCli(root, ['publish', ...CI]);
    expect(published.code).toBe(0);
    const live = await livePolicy('api-0000', 'rawxml');
    expect(live).toContain(`condition="${DECODED_IN_ATTRIBUTE}"`);
    expect(live).toContain(`<value>${DECODED_IN_TEXT}</value>`);
    expect(live).not.toContain('&quot;');
    // Read as APIM's xml form, the document escapes the expression once, as the portal shows it.
    expect(await livePolicy('api-0000', 'xml')).toContain('GetValueOrDefault(&quot;X-Mode&quot;');
  });

  it('diffs clean right after: the escaped file and the decoded live form are the same policy', async () => {
    const diff = await runJson(root, ['diff', ...CI, '--exit-code']);
    expect(diff.json.changes).toEqual([]);
    expect(diff.code).toBe(0);
    const again = await runJson(root, ['publish', ...CI]);
    expect(writes(again.json.requests)).toBe(0);
  });

  it('is kept as it is by extract (it already says what the instance has), and a fresh extract round-trips', async () => {
    const extracted = await runCli(root, ['extract', ...CI]);
    expect(extracted.code).toBe(0);
    expect(fs.readFileSync(path.join(root, 'apis/api-0000/policy.xml'), 'utf8')).toBe(ESCAPED_POLICY);

    const out = setup.tempDir('entities-out');
    expect((await runCli(root, ['extract', ...CI, '--out', out])).code).toBe(0);
    const written = fs.readFileSync(path.join(out, 'apis/api-0000/policy.xml'), 'utf8');
    expect(written).toContain(DECODED_IN_ATTRIBUTE);
    fs.copyFileSync(path.join(root, 'apiops.config.yaml'), path.join(out, 'apiops.config.yaml'));
    const diff = await runJson(out, ['diff', ...CI, '--exit-code']);
    expect(diff.json.changes).toEqual([]);
  });

  it('a mixed file (raw expressions elsewhere) has the entities inside its expressions decoded too', () => {
    const mixed = `<policies><inbound><set-variable name="a" value="@(context.Request.Method == "GET" && true)" /><set-header name="b" exists-action="override"><value>@(&quot;x&quot; + "y")</value></set-header></inbound></policies>`;
    const decoded = parsePolicy(mixed, 'policy.xml', { expressionEntities: 'decoded' });
    expect(decoded.decodedExpressions).toBe(true);
    const header = decoded.document!.root.children[0];
    expect(JSON.stringify(header)).toContain('@(\\"x\\" + \\"y\\")');
    // APIM's own reading (the default) keeps them.
    expect(JSON.stringify(parsePolicy(mixed, 'policy.xml').document)).toContain('@(&quot;x&quot; + \\"y\\")');
  });
});
