import { findNamedValueReferences } from '../../policy/query';
import { ruleDocsPath, type Rule } from '../context';
import { didYouMean } from '../knowledge/suggest';

export const namedValueMissing: Rule = {
  id: 'named-value-missing',
  defaultSeverity: 'error',
  description: 'A {{name}} reference to a named value the repository does not define (matched by displayName, as APIM does; Liquid bodies are not references). APIM rejects the policy on publish.',
  docsUrl: ruleDocsPath('named-value-missing'),
  check(ctx) {
    const displayNames = ctx.rendered.model.namedValues.map((n) => n.definition.data?.displayName ?? n.id);
    // APIM resolves references without regard to case (unverified); matching leniently avoids false errors.
    const known = new Set(displayNames.map((n) => n.toLowerCase()));
    for (const file of ctx.policies) {
      for (const reference of findNamedValueReferences(file.document)) {
        if (known.has(reference.name.toLowerCase())) continue;
        ctx.report({
          pos: reference.pos,
          message: `{{${reference.name}}} names no named value (no named-values/*.yaml has displayName ${reference.name})${didYouMean(reference.name, displayNames)}`,
        });
      }
    }
  },
};
