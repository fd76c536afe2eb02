import { yamlPos } from '../checks';
import { ruleDocsPath, type LintContext, type Rule } from '../context';
import type { PolicyNode } from '../../policy/ast';
import type { ApiModel, DiagnosticDefinition, DiagnosticMessage, YamlResource } from '../../repo/model';

/** Headers that carry credentials: a diagnostic logging them writes keys, tokens and sessions into the logs. */
const SENSITIVE_HEADERS = ['authorization', 'ocp-apim-subscription-key', 'cookie', 'set-cookie', 'proxy-authorization'];
const TOKEN_VALIDATIONS = new Set(['validate-jwt', 'validate-azure-ad-token']);

type Direction = 'frontend' | 'backend';
type Side = 'request' | 'response';

function containsTokenValidation(nodes: readonly PolicyNode[]): boolean {
  return nodes.some((node) => node.type === 'element' && (TOKEN_VALIDATIONS.has(node.name) || containsTokenValidation(node.children)));
}

/** Whether any way of calling the API (any product, any operation) validates a token in its effective inbound policy. */
function validatesTokens(ctx: LintContext, api: ApiModel): boolean {
  return ctx.effective.unitsOf(api).some((unit) => containsTokenValidation(unit.section('inbound')));
}

function checkDiagnostic(ctx: LintContext, diagnostic: YamlResource<DiagnosticDefinition>, scope: string, apisWithTokens: string[]): void {
  const data = diagnostic.definition.data ?? ({} as DiagnosticDefinition);
  for (const direction of ['frontend', 'backend'] as Direction[]) {
    for (const side of ['request', 'response'] as Side[]) {
      const message: DiagnosticMessage | undefined = data[direction]?.[side];
      if (!message) continue;
      const masked = new Set((message.dataMasking?.headers ?? []).map((mask) => mask.value.toLowerCase()));
      (message.headers ?? []).forEach((header, index) => {
        if (!SENSITIVE_HEADERS.includes(header.toLowerCase()) || masked.has(header.toLowerCase())) return;
        ctx.report({
          pos: yamlPos(diagnostic.definition, direction, side, 'headers', index),
          message: `diagnostic ${scope} logs the ${header} header of ${direction} ${side}s unmasked: credentials end up in the logs; drop it or mask it (dataMasking.headers: [{ value: ${header}, mode: Hide }])`,
        });
      });
      if (side === 'request' && (message.body?.bytes ?? 0) > 0 && apisWithTokens.length) {
        ctx.report({
          pos: yamlPos(diagnostic.definition, direction, side, 'body', 'bytes'),
          message: `diagnostic ${scope} logs ${direction} request bodies of ${apisWithTokens.join(', ')}, which validate${apisWithTokens.length === 1 ? 's' : ''} JWTs: bodies of authenticated calls (tokens, personal data) end up in the logs, and APIM cannot mask bodies; log no request body bytes`,
        });
      }
    }
  }
}

export const diagnosticSensitiveData: Rule = {
  id: 'diagnostic-sensitive-data',
  defaultSeverity: 'error',
  description: 'A diagnostic that logs Authorization, Ocp-Apim-Subscription-Key or cookie headers unmasked, or the request bodies of an API that validates JWTs: credentials and personal data end up in the logs.',
  docsUrl: ruleDocsPath('diagnostic-sensitive-data'),
  check(ctx) {
    const { model } = ctx.rendered;
    const withTokens = model.apis.filter((api) => validatesTokens(ctx, api)).map((api) => api.id);
    for (const diagnostic of model.diagnostics) checkDiagnostic(ctx, diagnostic, diagnostic.id, withTokens);
    for (const api of model.apis) {
      for (const diagnostic of api.diagnostics) checkDiagnostic(ctx, diagnostic, `${api.id}/${diagnostic.id}`, withTokens.includes(api.id) ? [api.id] : []);
    }
  },
};
