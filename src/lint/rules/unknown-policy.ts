import { ruleDocsPath, type Rule } from '../context';
import { POLICY_NAMES } from '../../policy/knowledge/policies';
import { didYouMean } from '../../suggest';
import { SECTIONS } from '../../policy/knowledge/types';
import { walkStructure } from '../walk';

export const unknownPolicy: Rule = {
  id: 'unknown-policy',
  defaultSeverity: 'error',
  description: 'An element that is not an API Management policy, section or child element where it appears (usually a typo that APIM rejects on publish).',
  docsUrl: ruleDocsPath('unknown-policy'),
  check(ctx) {
    const statementNames = [...POLICY_NAMES, 'base'];
    for (const file of ctx.policies) {
      walkStructure(file.document, {
        section(element, known) {
          if (!known) ctx.report({ pos: element.pos, message: `<${element.name}> is not a policy section${didYouMean(element.name, SECTIONS)}; sections are ${SECTIONS.join(', ')}` });
        },
        statement({ element, spec }) {
          if (!spec && element.name !== 'base') {
            ctx.report({ pos: element.pos, message: `<${element.name}> is not an API Management policy${didYouMean(element.name, statementNames)}` });
          }
        },
        child({ element, parent, allowed, spec }) {
          if (spec) return;
          const names = allowed.map((s) => s.name);
          const hint = names.length ? didYouMean(element.name, names) || `; allowed: ${names.join(', ')}` : `; <${parent.name}> takes no child elements`;
          ctx.report({ pos: element.pos, message: `<${element.name}> is not allowed inside <${parent.name}>${hint}` });
        },
      });
    }
  },
};
