import type { PolicyComment, PolicyDocument, PolicyElement, PolicyNode } from './ast';
import { printPolicy } from './serializer';
import { unifiedDiff } from './text-diff';

/**
 * Semantic comparison of policies, for the diff: what APIM would run and keep, not how it is laid out.
 *
 * Ignored: indentation and line-break style, `<a/>` vs `<a></a>`, quote style, xml-vs-rawxml escaping,
 * entity vs literal character, CDATA vs escaped text, whitespace between elements, attribute order
 * (APIM keeps it, but it carries no meaning), the spaces just inside a comment, and the indentation and
 * surrounding blank lines of text laid out over several lines (re-indenting a multi-line `@{ }` block
 * is not a change).
 * Significant: element and attribute names and values, expression text, comments, element order.
 * Known blind spot: leading spaces on a line inside a multi-line verbatim string or Liquid body.
 */
export function canonicalPolicy(doc: PolicyDocument): string {
  return printNormalised(doc, { characterData: normaliseText, sortAttributes: true });
}

/**
 * What a policy diff shows: the canonical form, except that attributes stay in the order written (APIM keeps it, so
 * the live side reads as last published) and multi-line text keeps the shape of its code (only the indentation all
 * its lines share is removed). Used only once the canonical forms differ, so layout never makes a change on its own.
 */
function displayPolicy(doc: PolicyDocument): string {
  return printNormalised(doc, { characterData: dedentText, sortAttributes: false });
}

interface Normalisation {
  characterData: (text: string) => string;
  sortAttributes: boolean;
}

function printNormalised(doc: PolicyDocument, normalisation: Normalisation): string {
  const canonical: PolicyDocument = {
    file: doc.file,
    prolog: doc.prolog.map(canonicalComment),
    root: canonicalElement(doc.root, normalisation),
  };
  if (doc.epilog?.length) canonical.epilog = doc.epilog.map(canonicalComment);
  return printPolicy(canonical, {
    form: 'rawxml',
    indent: '    ',
    newline: '\n',
    trailingNewline: true,
    indentMultilineText: true,
  });
}

export function policiesEquivalent(a: PolicyDocument, b: PolicyDocument): boolean {
  return canonicalPolicy(a) === canonicalPolicy(b);
}

/**
 * A unified diff (`@@` hunks of ` `/`-`/`+` lines, 3 lines of context) between the canonical forms;
 * `undefined` stands for "no policy" (creation or deletion). Empty when the policies are equivalent.
 */
export function policyTextDiff(before: PolicyDocument | undefined, after: PolicyDocument | undefined): string {
  return unifiedDiff(before ? canonicalLines(before) : [], after ? canonicalLines(after) : []);
}

function canonicalLines(doc: PolicyDocument): string[] {
  return displayPolicy(doc).replace(/\n$/, '').split('\n');
}

// Recursion depth is bounded by the parser's nesting limit.
function canonicalElement(element: PolicyElement, normalisation: Normalisation): PolicyElement {
  const attributes = normalisation.sortAttributes
    ? [...element.attributes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    : element.attributes;
  const children: PolicyNode[] = [];
  let pendingText: { value: string; pos: PolicyNode['pos'] } | undefined;
  const flushText = () => {
    const value = pendingText && normalisation.characterData(pendingText.value);
    if (pendingText && value) children.push({ type: 'text', value, pos: pendingText.pos });
    pendingText = undefined;
  };
  for (const child of element.children) {
    if (child.type === 'text' || child.type === 'cdata') {
      pendingText = pendingText ? { value: pendingText.value + child.value, pos: pendingText.pos } : { value: child.value, pos: child.pos };
      continue;
    }
    flushText();
    children.push(child.type === 'comment' ? canonicalComment(child) : canonicalElement(child, normalisation));
  }
  flushText();
  return { ...element, attributes, children };
}

function canonicalComment(comment: PolicyComment): PolicyComment {
  return { ...comment, value: ` ${normaliseText(comment.value).trim()} ` };
}

/**
 * Text laid out over several lines loses its indentation and the blank lines around it (layout);
 * single-line text is a value and stays exact (`<value>a </value>` differs from `<value>a</value>`).
 */
function normaliseText(text: string): string {
  if (!text.includes('\n')) return text;
  return text
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .trim();
}

/**
 * Multi-line text for display: trailing spaces and the blank lines around it dropped, the first line (which follows
 * the start tag) trimmed, and the indentation the other lines share removed, so a C# block reads as written.
 */
function dedentText(text: string): string {
  if (!text.includes('\n')) return text;
  const lines = text.split('\n').map((line) => line.trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const startsOnTagLine = lines.length > 0 && lines[0].trim() !== '';
  const first = startsOnTagLine ? [lines[0].trimStart()] : [];
  const rest = lines.slice(startsOnTagLine ? 1 : lines.findIndex((line) => line !== ''));
  const indents = rest.filter((line) => line !== '').map((line) => line.length - line.trimStart().length);
  const margin = indents.length ? Math.min(...indents) : 0;
  return [...first, ...rest.map((line) => line.slice(margin))].join('\n');
}
