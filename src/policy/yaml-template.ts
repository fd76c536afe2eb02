import type { Finding } from '../diagnostics';
import type { YamlPath } from '../repo/model';
import { offsetOfPosition } from '../repo/files';
import { renderTemplate, type TemplateContext } from './template';

/**
 * Resource YAML files are templated value by value, with the policies' rules (see template.ts): every string value
 * may use `{{values.x}}`, `{{env}}` and the block helpers; every other `{{…}}` (a named value) stays as written. A
 * string that is exactly one value reference (`"{{values.limit}}"`) becomes that value, with its type — a number, a
 * boolean, a list or a map — so a product's subscriptionsLimit can differ per environment and still be a number.
 * Keys are never templated.
 */

/** A template finding inside one string value: `offset` counts characters into the value as parsed. */
export interface YamlTemplateFinding {
  path: YamlPath;
  offset: number;
  finding: Finding;
}

export interface RenderedYamlData {
  data: unknown;
  findings: YamlTemplateFinding[];
  /** Whether any value held one of our templates (a file without any need not be rendered again). */
  templated: boolean;
}

const EXACT_REFERENCE = /^\{\{\s*(values(?:\.[A-Za-z_$][\w$-]*)+|env)\s*\}\}$/;
/** Our mustaches begin so (see template.ts, OUR_MUSTACHE); a string without any is returned as it is, unrendered. */
const MAYBE_OURS = /\{\{\{?~?\s*(?:[#^/!]|else(?![\w-])|(?:\.\.\/)*(?:values|env|this|@)(?![\w-]))/;

/** `data` with every templated string value rendered for `context`; `file` names the findings. */
export function renderYamlData(data: unknown, context: TemplateContext, file: string): RenderedYamlData {
  const findings: YamlTemplateFinding[] = [];
  let templated = false;
  const visit = (value: unknown, path: Array<string | number>): unknown => {
    if (typeof value === 'string') {
      if (!MAYBE_OURS.test(value)) return value;
      templated = true;
      return renderString(value, path);
    }
    if (Array.isArray(value)) return value.map((item, i) => visit(item, [...path, i]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, visit(item, [...path, key])]));
    }
    return value;
  };
  const renderString = (text: string, path: YamlPath): unknown => {
    const exact = EXACT_REFERENCE.exec(text);
    if (exact) {
      const segments = exact[1].split('.');
      const found = lookup(context, segments);
      if (found.defined) return found.value;
    }
    // Also the undefined exact reference: the policies' renderer words the finding (defined values, a typo's fields).
    const rendered = renderTemplate({ file, text }, context);
    for (const finding of rendered.findings) findings.push({ path, offset: offsetOfPosition(text, finding.line, finding.column), finding });
    return rendered.text ?? text;
  };
  const rendered = visit(data, []);
  return { data: rendered, findings, templated };
}

/** Whether a string value holds one of our templates (else it is read as written). */
export function isTemplated(value: unknown): boolean {
  return typeof value === 'string' && MAYBE_OURS.test(value);
}

function lookup(context: TemplateContext, segments: string[]): { defined: boolean; value?: unknown } {
  let current: unknown = { env: context.env, values: context.values };
  for (const segment of segments) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, segment)) return { defined: false };
    current = (current as Record<string, unknown>)[segment];
  }
  return { defined: true, value: current };
}
