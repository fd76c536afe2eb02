import type { PolicyComment, PolicyDocument, PolicyElement, PolicyNode } from './ast';
import { splitExpressions } from './expression';

export interface SerializePolicyOptions {
  /**
   * `rawxml` (default): policy expressions as written, unescaped — what apiops publishes and stores in the repo.
   * `xml`: fully XML-escaped, as APIM returns a policy for format=xml.
   */
  form?: 'rawxml' | 'xml';
  /**
   * `pretty` (default): repository files — 4 spaces per level, LF, trailing newline.
   * `apim`: what APIM stores — a tab per level, CRLF, no trailing newline.
   */
  style?: 'apim' | 'pretty';
}

/** Printing knobs beyond the public options, used by the canonical form. */
export interface PrintLayout {
  form: 'rawxml' | 'xml';
  indent: string;
  newline: string;
  trailingNewline: boolean;
  /** Print a multi-line text-only body as indented lines (canonical form: its text is already normalised). */
  indentMultilineText: boolean;
}

/**
 * Prints the tree as APIM-equivalent XML. Elements holding only elements and comments are laid out one child
 * per line; an element holding text or CDATA is printed inline exactly as its children are (like .NET's
 * XmlWriter, which stops indenting inside mixed content), so parse → print → parse gives the same tree.
 */
export function serializePolicy(doc: PolicyDocument, options: SerializePolicyOptions = {}): string {
  const apim = options.style === 'apim';
  return printPolicy(doc, {
    form: options.form ?? 'rawxml',
    indent: apim ? '\t' : '    ',
    newline: apim ? '\r\n' : '\n',
    trailingNewline: !apim,
    indentMultilineText: false,
  });
}

export function printPolicy(doc: PolicyDocument, layout: PrintLayout): string {
  const lines: string[] = [];
  for (const comment of doc.prolog) lines.push(printComment(comment, layout));
  printElement(doc.root, layout, lines);
  for (const comment of doc.epilog ?? []) lines.push(printComment(comment, layout));
  const text = lines.join(layout.newline);
  return layout.trailingNewline ? text + layout.newline : text;
}

// Iterative (an explicit stack), as element nesting may be deep.
function printElement(root: PolicyElement, layout: PrintLayout, lines: string[]): void {
  type Step = { node: PolicyNode; level: number } | { close: PolicyElement; level: number };
  const steps: Step[] = [{ node: root, level: 0 }];
  while (steps.length > 0) {
    const step = steps.pop()!;
    const indent = layout.indent.repeat(step.level);
    if ('close' in step) {
      lines.push(`${indent}</${step.close.name}>`);
      continue;
    }
    const node = step.node;
    if (node.type !== 'element') {
      lines.push(indent + printInline(node, layout));
    } else if (node.children.length === 0 || hasCharacterData(node)) {
      const multiline = layout.indentMultilineText ? multilineTextBody(node, layout.form) : undefined;
      if (multiline) {
        lines.push(indent + startTag(node, layout) + '>');
        for (const line of multiline) lines.push(line === '' ? '' : indent + layout.indent + line);
        lines.push(`${indent}</${node.name}>`);
      } else {
        lines.push(indent + printInline(node, layout));
      }
    } else {
      lines.push(indent + startTag(node, layout) + '>');
      steps.push({ close: node, level: step.level });
      for (let i = node.children.length - 1; i >= 0; i--) steps.push({ node: node.children[i], level: step.level + 1 });
    }
  }
}

function hasCharacterData(element: PolicyElement): boolean {
  return element.children.some((child) => child.type === 'text' || child.type === 'cdata');
}

function multilineTextBody(element: PolicyElement, form: 'rawxml' | 'xml'): string[] | undefined {
  const [only] = element.children;
  if (element.children.length !== 1 || only.type !== 'text' || !only.value.includes('\n')) return undefined;
  return printText(only.value, form).split('\n');
}

/** A node and everything inside it on one logical line (text keeps its own line breaks). */
function printInline(node: PolicyNode, layout: PrintLayout): string {
  switch (node.type) {
    case 'text':
      return withNewline(printText(node.value, layout.form), layout);
    case 'cdata':
      return withNewline(`<![CDATA[${node.value.split(']]>').join(']]]]><![CDATA[>')}]]>`, layout);
    case 'comment':
      return printComment(node, layout);
    case 'element': {
      const start = startTag(node, layout);
      if (node.children.length === 0) return `${start} />`;
      return `${start}>${node.children.map((child) => printInline(child, layout)).join('')}</${node.name}>`;
    }
  }
}

function printComment(comment: PolicyComment, layout: PrintLayout): string {
  return withNewline(`<!--${comment.value}-->`, layout);
}

function startTag(element: PolicyElement, layout: PrintLayout): string {
  let tag = `<${element.name}`;
  for (const attribute of element.attributes) {
    tag += ` ${attribute.name}="${withNewline(printAttributeValue(attribute.value, layout.form), layout)}"`;
  }
  return tag;
}

function withNewline(text: string, layout: PrintLayout): string {
  return layout.newline === '\n' || !text.includes('\n') ? text : text.replace(/\n/g, layout.newline);
}

/** Text content: `&`, `<`, `>` escaped (not `"`), except inside policy expressions in the rawxml form. */
export function printText(value: string, form: 'rawxml' | 'xml'): string {
  return mapLiteralParts(value, form, escapeText);
}

/** Attribute value: `"`, `<`, `>`, `&`, newline and tab escaped, except inside policy expressions in rawxml. */
export function printAttributeValue(value: string, form: 'rawxml' | 'xml'): string {
  return mapLiteralParts(value, form, escapeAttribute);
}

function mapLiteralParts(value: string, form: 'rawxml' | 'xml', escape: (literal: string) => string): string {
  if (form === 'xml' || !value.includes('@')) return escape(value);
  return splitExpressions(value)
    .map((segment) => (segment.expression ? segment.text : escapeExpressionStarts(escape(segment.text))))
    .join('');
}

/**
 * A literal `@(`/`@{` (one that never closes, written `&#64;(` in the source) printed as is would make a rawxml
 * reader start an expression there and run past the end of the value; as a character reference it stays literal.
 */
function escapeExpressionStarts(literal: string): string {
  return literal.includes('@') ? literal.replace(/@(?=[({])/g, '&#64;') : literal;
}

function escapeText(text: string): string {
  return SPECIAL_IN_TEXT.test(text) ? text.replace(SPECIAL_IN_TEXT_ALL, (c) => ESCAPES[c]) : text;
}

function escapeAttribute(text: string): string {
  return SPECIAL_IN_ATTRIBUTE.test(text) ? text.replace(SPECIAL_IN_ATTRIBUTE_ALL, (c) => ESCAPES[c]) : text;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#xA;',
  '\t': '&#x9;',
  '\r': '&#xD;',
};
const SPECIAL_IN_TEXT = /[&<>]/;
const SPECIAL_IN_TEXT_ALL = /[&<>]/g;
const SPECIAL_IN_ATTRIBUTE = /[&<>"\n\t\r]/;
const SPECIAL_IN_ATTRIBUTE_ALL = /[&<>"\n\t\r]/g;
