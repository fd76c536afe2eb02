/** Builds the effective policies of a rendered repository. */
import type { RenderedRepository } from '../render/desired';
import type { RepoModel, TemplateSource } from '../repo/model';
import { EffectivePolicies, policyKey } from './effective';
import { fragmentsById, policyFiles } from './policy-files';

/**
 * Every policy template of the repository with its level and ids, whether or not it rendered: a template with a
 * `template` error never reaches `rendered.policies`, yet it exists and would contribute to the effective policy.
 */
export function policyTemplates(model: RepoModel): Array<{ key: string; source: TemplateSource }> {
  const templates: Array<{ key: string; source: TemplateSource | undefined }> = [
    { key: policyKey('global', []), source: model.globalPolicy },
    ...Object.entries(model.fragments).map(([id, source]) => ({ key: policyKey('fragment', [id]), source })),
    ...model.products.map((p) => ({ key: policyKey('product', [p.id]), source: p.policy })),
    ...model.apis.flatMap((a) => [
      { key: policyKey('api', [a.id]), source: a.policy },
      ...Object.entries(a.operationPolicies).map(([id, source]) => ({ key: policyKey('operation', [a.id, id]), source })),
    ]),
  ];
  return templates.filter((t): t is { key: string; source: TemplateSource } => t.source !== undefined);
}

export function buildEffective(rendered: RenderedRepository, files = policyFiles(rendered)): EffectivePolicies {
  const parsed = new Set(files.map((file) => policyKey(file.level, file.ref.ids)));
  // Templates that did not render or parse: their template / xml-syntax finding is already reported.
  const unparsed = new Set(policyTemplates(rendered.model).map((t) => t.key).filter((key) => !parsed.has(key)));
  return new EffectivePolicies(rendered.model, files, fragmentsById(files), unparsed);
}

