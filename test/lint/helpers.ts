import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Finding } from '../../src/diagnostics';
import { lintRepository } from '../../src/lint';
import { loadAndRender, type RenderedRepository } from '../../src/render';

export type Files = Record<string, string>;

const CONFIG = `environments:
  local:
    target: { emulator: .apiops/local }
    values: { tenantId: 4c1b6e2a-9d3f-4e7a-b5c8-2f0a6d9e1b37, audience: api://partner-api, functionsAppId: api://func-app }
`;

export const OPENAPI = `openapi: 3.0.1
info: { title: Orders, version: '1.0' }
paths:
  /orders/{id}:
    get:
      operationId: get-order
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: OK } }
  /orders:
    post:
      operationId: create-order
      responses: { '201': { description: Created } }
`;

/** A policy document with the four sections, each starting with <base /> unless `withBase` is false. */
export function policy(sections: { inbound?: string; backend?: string; outbound?: string; onError?: string }, withBase = true): string {
  const base = withBase ? '<base />' : '';
  return `<policies>
  <inbound>${base}
${sections.inbound ?? ''}
  </inbound>
  <backend>${base}${sections.backend ?? ''}</backend>
  <outbound>${base}${sections.outbound ?? ''}</outbound>
  <on-error>${base}${sections.onError ?? ''}</on-error>
</policies>
`;
}

export const GLOBAL_BACKEND = '<forward-request />';

export const MANAGED_IDENTITY = '<authentication-managed-identity resource="{{values.functionsAppId}}" />';
export const STRIP_KEY = '<set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />';
export const VALIDATE_JWT = `<validate-jwt header-name="Authorization">
      <openid-config url="https://login.microsoftonline.com/{{values.tenantId}}/v2.0/.well-known/openid-configuration" />
      <issuers><issuer>https://login.microsoftonline.com/{{values.tenantId}}/v2.0</issuer></issuers>
      <audiences><audience>{{values.audience}}</audience></audiences>
    </validate-jwt>`;

/**
 * A compliant repository: one API (two operations) in a throttled developer product and a production product,
 * global policy validating the JWT and stripping the key, the API calling its backend with the managed identity.
 */
export function compliantRepository(): Files {
  return {
    'apiops.config.yaml': CONFIG,
    'policies/global.xml': `<policies>
  <inbound>
    <include-fragment fragment-id="validate-caller" />
    ${STRIP_KEY}
  </inbound>
  <backend>${GLOBAL_BACKEND}</backend>
  <outbound />
  <on-error />
</policies>
`,
    'policies/fragments/validate-caller.xml': `<fragment>\n    ${VALIDATE_JWT}\n</fragment>\n`,
    'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nprotocols: [https]\nserviceUrl: https://func-orders.azurewebsites.net/api\nspecification: openapi.yaml\n',
    'apis/orders/openapi.yaml': OPENAPI,
    'apis/orders/policy.xml': policy({ inbound: `    ${MANAGED_IDENTITY}` }),
    'apis/orders/operations/get-order.xml': policy({ inbound: '    <rewrite-uri template="/orders/{id}" />' }),
    'products/partner-developer/product.yaml':
      'displayName: Partner developer\nsubscriptionRequired: true\ntier: developer\napis: [orders]\n',
    'products/partner-developer/policy.xml': policy({ inbound: '    <rate-limit calls="60" renewal-period="60" />\n    <quota calls="10000" renewal-period="604800" />' }),
    'products/partner-production/product.yaml':
      'displayName: Partner production\nsubscriptionRequired: true\napprovalRequired: true\ntier: production\napis: [orders]\n',
    'named-values/backend-key.yaml': 'displayName: backend-key\nsecret: true\nvalueFromEnv: BACKEND_KEY\n',
    'backends/orders.yaml': 'url: https://func-orders.azurewebsites.net/api\nprotocol: http\n',
  };
}

export function writeRepository(files: Files): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-lint-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** Writes the files to a temporary repository, loads and renders it for real, and hands the result to `use`. */
export function withRendered<T>(files: Files, use: (rendered: RenderedRepository) => T, env?: string, processEnv: NodeJS.ProcessEnv = {}): T {
  const root = writeRepository(files);
  try {
    return use(loadAndRender(root, env, processEnv));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** `processEnv`: the environment the secrets' valueFromEnv variables are read from (none set by default). */
export function lintFiles(files: Files, env?: string, processEnv: NodeJS.ProcessEnv = {}): Finding[] {
  return withRendered(files, lintRepository, env, processEnv);
}

/** Findings as `rule file:line` strings, easy to compare. */
export function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.file}:${f.line}`);
}

export function ofRule(findings: Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}
