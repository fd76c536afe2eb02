import type { SourcePos } from '../../diagnostics';
import { findNamedValueReferences, namedValueNamesIn } from '../../policy/query';
import { yamlStrings } from '../checks';
import { ruleDocsPath, type Rule } from '../context';
import { didYouMean } from '../../suggest';

export const namedValueMissing: Rule = {
  id: 'named-value-missing',
  defaultSeverity: 'error',
  description: 'A {{name}} reference (in a policy or a backend) to a named value the repository does not define (matched by displayName, as APIM does; Liquid bodies are not references). APIM rejects it on publish.',
  docsUrl: ruleDocsPath('named-value-missing'),
  check(ctx) {
    const displayNames = ctx.rendered.model.namedValues.map((n) => n.definition.data?.displayName ?? n.id);
    // APIM resolves references without regard to case (unverified); matching leniently avoids false errors.
    const known = new Set(displayNames.map((n) => n.toLowerCase()));
    const check = (name: string, pos: SourcePos) => {
      if (known.has(name.toLowerCase())) return;
      const hint = isTemplateValue(ctx.rendered.environment.values, name) ? ` (did you mean {{values.${name}}}, the template value?)` : didYouMean(name, displayNames);
      ctx.report({ pos, message: `{{${name}}} names no named value (no named-values/*.yaml has displayName ${name})${hint}` });
    };
    for (const file of ctx.policies) {
      for (const reference of findNamedValueReferences(file.document)) check(reference.name, reference.pos);
    }
    // A backend's credentials take secrets only as named-value references, which APIM resolves like a policy's.
    for (const backend of ctx.rendered.model.backends) {
      for (const { value, path } of yamlStrings(backend.definition.data)) {
        for (const name of namedValueNamesIn(value)) check(name, backend.definition.locate(path));
      }
    }
  },
};

/** `{{tenantId}}` where the environment has `values.tenantId`: a template value written without its `values.` root. */
function isTemplateValue(values: Record<string, unknown>, name: string): boolean {
  let value: unknown = values;
  for (const key of name.split('.')) {
    if (!value || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return false;
    value = (value as Record<string, unknown>)[key];
  }
  return true;
}
