import { ruleDocsPath, type Rule } from '../context';
import { inheritsEnclosing } from '../checks';
import { sectionElement } from '../../effective';
import { SECTIONS } from '../../policy/knowledge/types';

export const baseInherited: Rule = {
  id: 'base-inherited',
  defaultSeverity: 'warn',
  description: 'A section of a product, API or operation policy without <base />: the policies of the enclosing scopes (global throttling, authentication, header removal) silently stop running.',
  docsUrl: ruleDocsPath('base-inherited'),
  check(ctx) {
    for (const file of ctx.policies) {
      if (file.level === 'global' || file.level === 'fragment') continue;
      const missing = SECTIONS.filter((section) => !sectionElement(file, section));
      if (missing.length) {
        const tags = missing.map((section) => `<${section}>`).join(', ');
        ctx.report({ pos: file.document.root.pos, message: `${file.level} policy has no ${tags}, so the enclosing scope's policies there do not run; add each section with <base />` });
      }
      for (const section of SECTIONS) {
        const element = sectionElement(file, section);
        if (element && !inheritsEnclosing(file, section)) {
          ctx.report({ pos: element.pos, message: `<${section}> has no <base />, so the enclosing scope's ${section} policies do not run` });
        }
      }
    }
  },
};
