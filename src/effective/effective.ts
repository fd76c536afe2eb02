/**
 * Effective policy, computed offline: what the gateway runs for a call, global → product → API → operation, each
 * `<base />` replaced by the enclosing scope's section and each `include-fragment` replaced by the fragment's
 * statements. Nodes are the parsed nodes themselves (not copies), so every element still carries the position of the
 * file that defines it.
 *
 * Cost: sections are computed lazily and cached per level — once for global, once per product, once per (product, API),
 * and per operation only for operations with their own policy (the others run exactly the API-level policy). A
 * repository of 400 APIs × 20 operations in two products therefore never builds 16,000 documents unless it has
 * 8,000 operation policies.
 */
import type { PolicyElement, PolicyNode } from '../policy/ast';
import { attributeValue, childElements } from '../policy/query';
import type { ApiModel, RepoModel } from '../repo/model';
import type { PolicyFile } from './policy-files';
import type { Section } from '../policy/knowledge/types';

export interface PolicyChain {
  global?: PolicyFile;
  product?: PolicyFile;
  api?: PolicyFile;
  operation?: PolicyFile;
}

/** One way of calling an API: through a product, or (productId undefined) without one. */
export interface EffectiveUnit {
  apiId: string;
  productId?: string;
  /** Undefined: the API level, which every operation without its own policy runs. */
  operationId?: string;
  chain: PolicyChain;
  section(section: Section): readonly PolicyNode[];
}

/** Identifies a policy file by level and ids: `global|`, `api|orders`, `operation|orders|get-order`. */
export function policyKey(level: PolicyFile['level'], ids: readonly string[]): string {
  return `${level}|${ids.join('|')}`;
}

/** The `<inbound>`/`<backend>`/… element of a policy document, if the document has one. */
export function sectionElement(file: PolicyFile, section: Section): PolicyElement | undefined {
  return childElements(file.document.root, section)[0];
}

/** "media-orders/get-order via fabrikam-developer", "media-orders without a product". */
export function describeUnit(unit: Pick<EffectiveUnit, 'apiId' | 'operationId' | 'productId'>): string {
  const subject = unit.operationId ? `${unit.apiId}/${unit.operationId}` : unit.apiId;
  return `${subject} ${describePaths([unit.productId])}`;
}

/** "via fabrikam-developer, fabrikam-production", "without a product", "via p1 and without a product". */
export function describePaths(productIds: ReadonlyArray<string | undefined>): string {
  const products = productIds.filter((p): p is string => p !== undefined);
  const parts: string[] = [];
  if (products.length) parts.push(`via ${products.join(', ')}`);
  if (products.length < productIds.length) parts.push('without a product');
  return parts.join(' and ');
}

export class EffectivePolicies {
  private readonly byKey = new Map<string, PolicyFile>();
  private readonly sectionCache = new Map<string, readonly PolicyNode[]>();
  private readonly fragmentCache = new Map<string, readonly PolicyNode[]>();
  private readonly productsOfApi = new Map<string, string[]>();

  /**
   * @param unparsed keys (`level|id|…`) of policy files that exist but did not render or parse: their xml-syntax or
   *   template finding is already reported, and what they would contribute is unknown, so checks skip them.
   */
  constructor(
    readonly model: RepoModel,
    policies: readonly PolicyFile[],
    private readonly fragments: ReadonlyMap<string, PolicyFile>,
    private readonly unparsed: ReadonlySet<string> = new Set(),
  ) {
    for (const file of policies) this.byKey.set(policyKey(file.level, file.ref.ids), file);
    for (const product of model.products) {
      for (const apiId of product.definition.data?.apis ?? []) {
        const list = this.productsOfApi.get(apiId) ?? [];
        list.push(product.id);
        this.productsOfApi.set(apiId, list);
      }
    }
  }

  /** Products through which the API is called, plus `undefined` when it can also be called without one. */
  paths(api: ApiModel): Array<string | undefined> {
    const products = this.productsOfApi.get(api.id) ?? [];
    const open = api.definition.data?.subscriptionRequired === false || products.length === 0;
    return open ? [...products, undefined] : [...products];
  }

  /** Product ids that contain the API. */
  productsOf(apiId: string): readonly string[] {
    return this.productsOfApi.get(apiId) ?? [];
  }

  policyFile(level: PolicyFile['level'], ...ids: string[]): PolicyFile | undefined {
    return this.byKey.get(policyKey(level, ids));
  }

  /** False when a policy file on the way (global, product, API, operation) exists but could not be parsed. */
  isKnown(on: { apiId?: string; productId?: string; operationId?: string }): boolean {
    return this.unparsedOnTheWay(on).length === 0;
  }

  /** The keys of the policy files on the way (global, product, API, operation) that exist but could not be parsed. */
  unparsedOnTheWay(on: { apiId?: string; productId?: string; operationId?: string }): string[] {
    const keys = [policyKey('global', [])];
    if (on.productId !== undefined) keys.push(policyKey('product', [on.productId]));
    if (on.apiId !== undefined) keys.push(policyKey('api', [on.apiId]));
    if (on.operationId !== undefined) keys.push(policyKey('operation', [on.apiId ?? '', on.operationId]));
    return keys.filter((key) => this.unparsed.has(key));
  }

  /** An include-fragment of a fragment that exists but could not be parsed: what it runs is unknown. */
  isUnparsedInclude(element: PolicyElement): boolean {
    return element.name === 'include-fragment' && this.unparsed.has(policyKey('fragment', [attributeValue(element, 'fragment-id') ?? '']));
  }

  /** The API level of every path of the API, then each operation with its own policy on each path. */
  unitsOf(api: ApiModel): EffectiveUnit[] {
    const units: EffectiveUnit[] = [];
    const operationIds = Object.keys(api.operationPolicies).filter((id) => this.policyFile('operation', api.id, id));
    for (const productId of this.paths(api)) {
      units.push(this.unit(api.id, productId));
      for (const operationId of operationIds) units.push(this.unit(api.id, productId, operationId));
    }
    return units;
  }

  unit(apiId: string, productId?: string, operationId?: string): EffectiveUnit {
    const chain: PolicyChain = {
      global: this.policyFile('global'),
      product: productId === undefined ? undefined : this.policyFile('product', productId),
      api: this.policyFile('api', apiId),
      operation: operationId === undefined ? undefined : this.policyFile('operation', apiId, operationId),
    };
    return {
      apiId,
      productId,
      operationId,
      chain,
      section: (section) =>
        operationId === undefined ? this.apiSection(apiId, productId, section) : this.operationSection(apiId, productId, operationId, section),
    };
  }

  globalSection(section: Section): readonly PolicyNode[] {
    return this.cached(`g|${section}`, () => this.expand(this.policyFile('global'), section, []));
  }

  /** global → product: what a product contributes to every API in it. */
  productSection(productId: string, section: Section): readonly PolicyNode[] {
    return this.cached(`p|${productId}|${section}`, () =>
      this.expand(this.policyFile('product', productId), section, this.globalSection(section)),
    );
  }

  apiSection(apiId: string, productId: string | undefined, section: Section): readonly PolicyNode[] {
    return this.cached(`a|${productId ?? ''}|${apiId}|${section}`, () => {
      const enclosing = productId === undefined ? this.globalSection(section) : this.productSection(productId, section);
      return this.expand(this.policyFile('api', apiId), section, enclosing);
    });
  }

  operationSection(apiId: string, productId: string | undefined, operationId: string, section: Section): readonly PolicyNode[] {
    // Not cached: each is used once per rule pass and holding them all would cost memory on large repositories.
    return this.expand(this.policyFile('operation', apiId, operationId), section, this.apiSection(apiId, productId, section));
  }

  /** A fragment's statements with nested include-fragment expanded (a cycle or a missing fragment stays unexpanded). */
  fragmentStatements(fragmentId: string): readonly PolicyNode[] {
    return this.expandedFragment(fragmentId, []);
  }

  private cached(key: string, compute: () => readonly PolicyNode[]): readonly PolicyNode[] {
    let nodes = this.sectionCache.get(key);
    if (!nodes) {
      nodes = compute();
      this.sectionCache.set(key, nodes);
    }
    return nodes;
  }

  /** A document's section with `<base />` replaced by the enclosing nodes; no document means "just <base />". */
  private expand(file: PolicyFile | undefined, section: Section, enclosing: readonly PolicyNode[]): readonly PolicyNode[] {
    if (!file) return enclosing;
    const element = sectionElement(file, section);
    if (!element) return [];
    const nodes: PolicyNode[] = [];
    for (const child of element.children) {
      if (child.type === 'element' && child.name === 'base') nodes.push(...enclosing);
      else if (child.type === 'element') nodes.push(...this.expandIncludes(child, []));
    }
    return nodes;
  }

  private expandIncludes(element: PolicyElement, including: readonly string[]): readonly PolicyNode[] {
    if (element.name === 'include-fragment') {
      const id = attributeValue(element, 'fragment-id');
      if (id === undefined || !this.fragments.has(id) || including.includes(id)) return [element];
      return this.expandedFragment(id, including);
    }
    if (!element.children.some((c) => c.type === 'element')) return [element];
    let changed = false;
    const children: PolicyNode[] = [];
    for (const child of element.children) {
      if (child.type !== 'element') {
        children.push(child);
        continue;
      }
      const expanded = this.expandIncludes(child, including);
      if (expanded.length !== 1 || expanded[0] !== child) changed = true;
      children.push(...expanded);
    }
    return [changed ? { ...element, children } : element];
  }

  private expandedFragment(id: string, including: readonly string[]): readonly PolicyNode[] {
    const cached = including.length === 0 ? this.fragmentCache.get(id) : undefined;
    if (cached) return cached;
    const fragment = this.fragments.get(id);
    const nodes: PolicyNode[] = [];
    for (const child of fragment ? childElements(fragment.document.root) : []) {
      nodes.push(...this.expandIncludes(child, [...including, id]));
    }
    if (including.length === 0) this.fragmentCache.set(id, nodes);
    return nodes;
  }
}
