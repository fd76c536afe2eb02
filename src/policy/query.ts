import type { SourcePos } from '../diagnostics';
import type { PolicyDocument, PolicyElement } from './ast';

/**
 * Visits every element depth-first in document order, with its ancestors (root first).
 * Return `false` from the visitor to skip an element's children. Iterative, so deep trees are safe.
 */
export function walkElements(
  root: PolicyElement,
  visit: (element: PolicyElement, ancestors: readonly PolicyElement[]) => boolean | void,
): void {
  const ancestors: PolicyElement[] = [];
  // Each frame: an element's children still to visit, from `next`.
  const frames: Array<{ element: PolicyElement; next: number }> = [];
  if (visit(root, ancestors) === false) return;
  frames.push({ element: root, next: 0 });
  ancestors.push(root);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    const child = frame.element.children[frame.next++];
    if (child === undefined) {
      frames.pop();
      ancestors.pop();
      continue;
    }
    if (child.type !== 'element' || visit(child, ancestors) === false) continue;
    frames.push({ element: child, next: 0 });
    ancestors.push(child);
  }
}

/** Every element with this name, in document order (the root included). */
export function elementsNamed(root: PolicyElement, name: string): PolicyElement[] {
  const found: PolicyElement[] = [];
  walkElements(root, (element) => {
    if (element.name === name) found.push(element);
  });
  return found;
}

/** The element's direct child elements, optionally only those with a name. */
export function childElements(element: PolicyElement, name?: string): PolicyElement[] {
  return element.children.filter(
    (child): child is PolicyElement => child.type === 'element' && (name === undefined || child.name === name),
  );
}

export function attributeValue(element: PolicyElement, name: string): string | undefined {
  return element.attributes.find((attribute) => attribute.name === name)?.value;
}

/** Text and CDATA directly inside the element, concatenated. */
export function textContent(element: PolicyElement): string {
  let text = '';
  for (const child of element.children) if (child.type === 'text' || child.type === 'cdata') text += child.value;
  return text;
}

export interface NamedValueReference {
  /** The named value's displayName as written between the braces. */
  name: string;
  /** The attribute or text node holding the reference. */
  pos: SourcePos;
}

/** APIM named-value reference: `{{name}}`, a displayName of letters, digits, `.`, `-`, `_` and no spaces. */
const NAMED_VALUE_REFERENCE = /\{\{([A-Za-z0-9._-]+)\}\}/g;

/**
 * Every `{{name}}` APIM would resolve against its named values: in attribute values, text and CDATA,
 * but not in comments, and not inside a Liquid body (see `isLiquidBody`), whose `{{ … }}` are Liquid's own.
 */
export function findNamedValueReferences(doc: PolicyDocument): NamedValueReference[] {
  const references: NamedValueReference[] = [];
  const collect = (value: string, pos: SourcePos) => {
    for (const name of namedValueNamesIn(value)) references.push({ name, pos });
  };
  walkElements(doc.root, (element) => {
    for (const attribute of element.attributes) collect(attribute.value, attribute.pos);
    if (isLiquidBody(element)) return false;
    for (const child of element.children) {
      if (child.type === 'text' || child.type === 'cdata') collect(child.value, child.pos);
    }
    return true;
  });
  return references;
}

/**
 * The displayNames a text references as `{{name}}` (also outside policies: backend credentials in YAML). `{{env}}` and
 * `{{values.…}}` are template values, never named values: one still in a text is a template that did not render
 * (already a `template` finding).
 */
export function namedValueNamesIn(value: string): string[] {
  if (!value.includes('{{')) return [];
  return [...value.matchAll(NAMED_VALUE_REFERENCE)].map((match) => match[1]).filter((name) => name !== 'env' && !name.startsWith('values.'));
}

/**
 * The policies whose content is a template when they say `template="liquid"`, in any letter case: the Dapr policies
 * accept any (the reference writes "Liquid"), and a set-body in another case than "liquid" is policy-attributes'
 * finding, not a reason to read its Liquid as named-value references as well. For `invoke-dapr-binding` the Liquid content is its `<data>`; the whole
 * element counts, so a `{{…}}` in its `<metadata>` is not taken for a named-value reference either.
 */
const LIQUID_TEMPLATE_POLICIES = new Set(['set-body', 'publish-to-dapr', 'invoke-dapr-binding']);

/** An element whose content is a Liquid template, not text with named-value references: its children are Liquid's. */
export function isLiquidBody(element: PolicyElement): boolean {
  return LIQUID_TEMPLATE_POLICIES.has(element.name) && attributeValue(element, 'template')?.toLowerCase() === 'liquid';
}
