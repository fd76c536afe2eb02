/** Walking parsed policies: statements with their section, child elements with what their parent allows. */
import type { PolicyDocument, PolicyElement, PolicyNode } from '../policy/ast';
import { childElements } from '../policy/query';
import { policySpec } from '../policy/knowledge/policies';
import { SECTIONS, type ElementSpec, type PolicySpec, type Section } from '../policy/knowledge/types';

/** Policies whose enclosed statements run every time the policy itself runs. */
const ALWAYS_RUNS_CHILDREN = new Set(['retry', 'wait', 'limit-concurrency']);

/** Policies that answer the caller themselves: the statements after them, and the backend, never run. */
const ENDS_THE_REQUEST = new Set(['return-response', 'mock-response']);

/**
 * True when every path through the statements runs an element that `matches`, or ends the request before reaching
 * the backend (a `<when>` that answers 403 itself needs no backend credential). A policy under one `<when>` does not
 * count unless every `<when>` and an `<otherwise>` have it too.
 */
export function runsOnEveryPath(nodes: readonly PolicyNode[], matches: (element: PolicyElement) => boolean): boolean {
  for (const element of nodes) {
    if (element.type !== 'element') continue;
    if (matches(element) || ENDS_THE_REQUEST.has(element.name)) return true;
    if (element.name === 'choose') {
      const branches = childElements(element);
      const exhaustive = branches.some((b) => b.name === 'otherwise');
      if (exhaustive && branches.every((b) => runsOnEveryPath(b.children, matches))) return true;
    } else if (ALWAYS_RUNS_CHILDREN.has(element.name) && runsOnEveryPath(element.children, matches)) {
      return true;
    }
  }
  return false;
}

/** Every element at any depth, in document order (explicit stack: documents may be deep). */
export function* descendants(nodes: readonly PolicyNode[]): Generator<PolicyElement> {
  const stack: PolicyNode[] = [...nodes].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type !== 'element') continue;
    yield node;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
}

export interface StatementVisit {
  element: PolicyElement;
  /** Undefined at the top of a fragment: its section is the one of the policy including it. */
  section?: Section;
  /** Undefined for `<base />` and for names that are not APIM policies. */
  spec?: PolicySpec;
  /** The element holding the statement: a section, a fragment root, or a policy such as `<when>` or `<retry>`. */
  parent: PolicyElement;
}

export interface ChildVisit {
  element: PolicyElement;
  parent: PolicyElement;
  allowed: readonly ElementSpec[];
  /** Undefined when the parent does not allow an element of this name. */
  spec?: ElementSpec;
}

export interface StructureVisitor {
  /** A child of `<policies>`: one of the four sections, or not (`known` false). */
  section?(element: PolicyElement, known: boolean): void;
  statement?(visit: StatementVisit): void;
  child?(visit: ChildVisit): void;
}

/** Visits a policy document's sections, policy statements (at any depth) and the policies' own child elements. */
export function walkStructure(document: PolicyDocument, visitor: StructureVisitor): void {
  const root = document.root;
  if (root.name === 'fragment') {
    walkStatements(root, undefined, visitor);
    return;
  }
  for (const element of childElements(root)) {
    const known = (SECTIONS as readonly string[]).includes(element.name);
    visitor.section?.(element, known);
    if (known) walkStatements(element, element.name as Section, visitor);
  }
}

/** Visits the statements held by `parent` (and the statements nested in them). */
export function walkStatements(parent: PolicyElement, section: Section | undefined, visitor: StructureVisitor): void {
  for (const element of childElements(parent)) {
    const spec = element.name === 'base' ? undefined : policySpec(element.name);
    visitor.statement?.({ element, section, spec, parent });
    if (spec) walkChildren(element, spec, section, visitor);
  }
}

function walkChildren(element: PolicyElement, spec: ElementSpec, section: Section | undefined, visitor: StructureVisitor): void {
  if (spec.children === 'policies') {
    walkStatements(element, section, visitor);
    return;
  }
  if (spec.children === 'text' || spec.children === 'any') return;
  const allowed = spec.children === 'none' ? [] : spec.children;
  for (const child of childElements(element)) {
    const childSpec = allowed.find((s) => s.name === child.name);
    visitor.child?.({ element: child, parent: element, allowed, spec: childSpec });
    if (childSpec) walkChildren(child, childSpec, section, visitor);
  }
}
