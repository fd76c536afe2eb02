/**
 * Printing effective policies for review (`apiops render --effective`): one `<policies>` document per way of calling
 * each API (per product, and without a product when that is possible), and per operation with its own policy.
 * A comment names the file and line each run of statements comes from, so a reviewer knows where to change it.
 */
import { formatPos } from '../diagnostics';
import type { PolicyComment, PolicyDocument, PolicyElement, PolicyNode } from '../policy/ast';
import { serializePolicy } from '../policy/serializer';
import type { RenderedRepository } from '../render/desired';
import { buildEffective } from './build';
import { describeUnit, type EffectiveUnit } from './effective';
import { SECTIONS } from '../policy/knowledge/types';

export interface PrintEffectiveOptions {
  /** Only these APIs (all when absent or empty). */
  apis?: readonly string[];
}

export function printEffectivePolicies(rendered: RenderedRepository, options: PrintEffectiveOptions = {}): string {
  const effective = buildEffective(rendered);
  const apis = [...rendered.model.apis]
    .filter((api) => !options.apis?.length || options.apis.includes(api.id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return apis
    .flatMap((api) => effective.unitsOf(api))
    .map((unit) => serializePolicy(effectiveDocument(unit), { form: 'rawxml', style: 'pretty' }))
    .join('\n');
}

/** The effective policy of one unit as a document whose nodes keep their original positions. */
export function effectiveDocument(unit: EffectiveUnit): PolicyDocument {
  const start = { file: unit.chain.operation?.source.file ?? unit.chain.api?.source.file ?? '', line: 1, column: 1 };
  const comment = (value: string, pos = start): PolicyComment => ({ type: 'comment', value: ` ${value} `, pos });
  const sections: PolicyElement[] = SECTIONS.map((section) => ({
    type: 'element',
    name: section,
    attributes: [],
    children: withOrigins(unit.section(section), comment),
    pos: start,
  }));
  return {
    file: start.file,
    prolog: [comment(`effective policy of ${describeUnit(unit)}`)],
    root: { type: 'element', name: 'policies', attributes: [], children: sections, pos: start },
  };
}

function withOrigins(nodes: readonly PolicyNode[], comment: (value: string, pos: PolicyNode['pos']) => PolicyComment): PolicyNode[] {
  const out: PolicyNode[] = [];
  let file: string | undefined;
  for (const node of nodes) {
    if (node.type !== 'element') continue;
    if (node.pos.file !== file) {
      file = node.pos.file;
      out.push(comment(`from ${formatPos(node.pos)}`, node.pos));
    }
    out.push(node);
  }
  return out;
}
