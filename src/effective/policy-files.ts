/** The parsed policy files of a rendered repository, each with the level it applies at. */
import type { PolicyDocument } from '../policy/ast';
import type { RenderedRepository } from '../render/desired';
import type { TemplateSource } from '../repo/model';
import type { ResourceKind, ResourceRef } from '../resources/types';

/** Where a policy document applies: a scope, or `fragment` (it takes the scope of whatever includes it). */
export type PolicyLevel = 'global' | 'product' | 'api' | 'operation' | 'fragment';

const LEVEL_OF_KIND: Partial<Record<ResourceKind, PolicyLevel>> = {
  globalPolicy: 'global',
  productPolicy: 'product',
  apiPolicy: 'api',
  operationPolicy: 'operation',
  policyFragment: 'fragment',
};

export function policyLevel(kind: ResourceKind): PolicyLevel | undefined {
  return LEVEL_OF_KIND[kind];
}

/** A rendered policy file that parsed. */
export interface PolicyFile {
  ref: ResourceRef;
  level: PolicyLevel;
  source: TemplateSource;
  document: PolicyDocument;
}

/** The parsed policy files of a rendered repository, each with its level. */
export function policyFiles(rendered: RenderedRepository): PolicyFile[] {
  const files: PolicyFile[] = [];
  for (const policy of rendered.policies) {
    const level = policyLevel(policy.ref.kind);
    if (level && policy.document) files.push({ ref: policy.ref, level, source: policy.source, document: policy.document });
  }
  return files;
}

export function fragmentsById(files: readonly PolicyFile[]): Map<string, PolicyFile> {
  return new Map(files.filter((f) => f.level === 'fragment').map((f) => [f.ref.ids[0], f]));
}
