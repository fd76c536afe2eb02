import { elementsNamed } from '../checks';
import type { SourcePos } from '../../diagnostics';
import { ruleDocsPath, type LintContext, type Rule } from '../context';
import { attributeValue, childElements } from '../../policy/query';
import { didYouMean } from '../../suggest';
import { descendants } from '../walk';

export const fragmentMissing: Rule = {
  id: 'fragment-missing',
  defaultSeverity: 'error',
  description: 'An include-fragment naming a fragment the repository does not define, or fragments that include each other in a cycle.',
  docsUrl: ruleDocsPath('fragment-missing'),
  check(ctx) {
    const defined = Object.keys(ctx.rendered.model.fragments);
    for (const { element } of elementsNamed(ctx, 'include-fragment')) {
      const id = attributeValue(element, 'fragment-id');
      if (id === undefined || id.trim() === '' || defined.includes(id)) continue;
      ctx.report({ pos: element.pos, message: `policy fragment ${id} is not defined in policies/fragments/${didYouMean(id, defined)}` });
    }
    reportCycles(ctx);
  },
};

/** Reports each include-fragment that closes a cycle of fragments including each other. */
function reportCycles(ctx: LintContext): void {
  const includes = new Map<string, Array<{ target: string; pos: SourcePos }>>();
  for (const [id, file] of ctx.fragments) {
    const targets = [...descendants(childElements(file.document.root))]
      .filter((e) => e.name === 'include-fragment')
      .map((e) => ({ target: attributeValue(e, 'fragment-id') ?? '', pos: e.pos }))
      .filter((edge) => ctx.fragments.has(edge.target));
    includes.set(id, targets);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    state.set(id, 'visiting');
    for (const edge of includes.get(id) ?? []) {
      const targetState = state.get(edge.target);
      if (targetState === 'visiting') {
        const path = [...trail, id];
        const cycle = [...path.slice(path.indexOf(edge.target)), edge.target];
        ctx.report({ pos: edge.pos, message: `policy fragments include each other in a cycle: ${cycle.join(' → ')}` });
      } else if (!targetState) {
        visit(edge.target, [...trail, id]);
      }
    }
    state.set(id, 'done');
  };
  for (const id of [...includes.keys()].sort()) if (!state.has(id)) visit(id, []);
}
