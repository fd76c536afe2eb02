import type { PolicyDocument, PolicyNode } from '../../src/policy/ast';
import { parsePolicy } from '../../src/policy/parser';
import { SECTIONS_WITH_BASE } from '../fixtures/generate';

/** Parses a policy that must be well-formed (failing the test with its findings otherwise). */
export function parseOk(text: string, form: 'rawxml' | 'xml' = 'rawxml'): PolicyDocument {
  const result = parsePolicy(text, 'apis/orders/policy.xml', { form });
  expect(result.findings).toEqual([]);
  return result.document!;
}

/** The sections of an API policy that only inherit, and the end of the document. */
const INHERITED_SECTIONS = `${SECTIONS_WITH_BASE}
</policies>
`;

/** Real-world policy shapes (as written in a repository: rawxml, LF, 4 spaces). */
export const POLICY_SHAPES: Record<string, string> = {
  global: `<!-- Service-wide policy: applies to every API -->
<policies>
    <inbound>
        <cors allow-credentials="true">
            <allowed-origins>
                <origin>https://portal.fabrikam.com</origin>
            </allowed-origins>
            <allowed-methods preflight-result-max-age="300">
                <method>GET</method>
                <method>POST</method>
            </allowed-methods>
        </cors>
        <set-header name="X-Correlation-Id" exists-action="skip">
            <value>@(context.RequestId.ToString())</value>
        </set-header>
    </inbound>
    <backend>
        <forward-request timeout="60" />
    </backend>
    <outbound>
        <set-header name="X-Powered-By" exists-action="delete" />
    </outbound>
    <on-error>
        <!-- never leak stack traces -->
        <set-body>@{
            return new JObject(
                new JProperty("error", context.LastError.Reason),
                new JProperty("requestId", context.RequestId)
            ).ToString();
        }</set-body>
    </on-error>
</policies>
`,
  api: `<policies>
    <inbound>
        <base />
        <include-fragment fragment-id="validate-entra-jwt" />
        <validate-jwt header-name="Authorization" failed-validation-httpcode="401" require-scheme="Bearer">
            <openid-config url="https://login.microsoftonline.com/{{TenantId}}/v2.0/.well-known/openid-configuration" />
            <audiences>
                <audience>api://contoso-orders</audience>
            </audiences>
            <issuers>
                <issuer>https://login.microsoftonline.com/{{TenantId}}/v2.0</issuer>
            </issuers>
        </validate-jwt>
        <authentication-managed-identity resource="api://contoso-orders-backend" />
        <set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />
        <choose>
            <when condition="@(context.Request.Headers.GetValueOrDefault("X-Tier","") == "gold" && context.Variables.GetValueOrDefault<int>("retries") < 3)">
                <set-backend-service backend-id="orders-gold" />
            </when>
            <when condition="@((string)context.Variables["region"] != "eu")">
                <rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription?.Key ?? "anonymous")" />
            </when>
            <otherwise>
                <return-response>
                    <set-status code="403" reason="Forbidden &amp; logged" />
                    <set-header name="Content-Type" exists-action="override">
                        <value>application/json</value>
                    </set-header>
                    <set-body>{"message": "tier &lt;gold&gt; required"}</set-body>
                </return-response>
            </otherwise>
        </choose>
    </inbound>
${INHERITED_SECTIONS}`,
  liquid: `<policies>
    <inbound>
        <base />
        <set-body template="liquid">
{
    "orderId": "{{body.id}}",
    {% if body.items %}"count": {{ body.items.size }},{% endif %}
    "customer": "{{- context.Request.Headers["X-Customer"] }}"
}
        </set-body>
    </inbound>
${INHERITED_SECTIONS}`,
  fragment: `<fragment>
    <authentication-managed-identity resource="{{orders-backend-app-id}}" output-token-variable-name="msi-token" ignore-error="false" />
    <set-header name="Authorization" exists-action="override">
        <value>@("Bearer " + (string)context.Variables["msi-token"])</value>
    </set-header>
</fragment>
`,
  cdataAndMixed: `<policies>
    <inbound>
        <set-body><![CDATA[<order id="1">&raw;</order>]]></set-body>
        <set-body>prefix <b>bold</b> suffix</set-body>
        <set-variable name="tab" value="a&#x9;b&#xA;c" />
        <set-variable name="quotes" value='He said "hi"' />
    </inbound>
</policies>
<!-- end -->
`,
};

/** The tree without positions, for comparing parses of differently printed documents. */
export function shape(doc: PolicyDocument): unknown {
  return {
    prolog: doc.prolog.map(nodeShape),
    root: nodeShape(doc.root),
    epilog: (doc.epilog ?? []).map(nodeShape),
  };
}

function nodeShape(node: PolicyNode): unknown {
  if (node.type !== 'element') return { type: node.type, value: node.value };
  return {
    name: node.name,
    attributes: node.attributes.map((attribute) => [attribute.name, attribute.value]),
    children: node.children.map(nodeShape),
  };
}
