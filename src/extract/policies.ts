import type { PolicyDocument } from '../policy/ast';
import { parsePolicy, policiesEquivalent, renderTemplate, serializePolicy, type TemplateContext } from '../policy';

/**
 * Policy files. A live policy is written pretty-printed in its APIM-equivalent form. An existing policy file is
 * a template: it is rendered for the environment and kept byte for byte when it means the same policy as the
 * instance's, so extracting into a repository never flattens its templates or reformats what did not change.
 */

export interface PolicyFileResult {
  text: string;
  /** Why the live text was written as received rather than pretty-printed. */
  warning?: string;
}

function toLf(text: string): string {
  const lf = text.replace(/\r\n?/g, '\n');
  return lf.endsWith('\n') ? lf : `${lf}\n`;
}

/** Policy fragments are read wrapped in `<fragment>`; the repository keeps that root, as authored. */
function asFragment(value: string): string {
  return /^\s*(<!--[\s\S]*?-->\s*)*<fragment[\s>/]/.test(value) ? value : `<fragment>${value}</fragment>`;
}

/**
 * A live policy's text and the form it came in. APIM names the format only when `rawxml` was asked for, and
 * lists (fragments are read by listing) return the escaped `xml` form: read as rawxml, its `&amp;&amp;` and
 * `&quot;` would stay literal inside expressions and break them.
 */
export interface LivePolicy {
  value: string;
  form: 'xml' | 'rawxml';
}

export function livePolicy(properties: Record<string, unknown>): LivePolicy | undefined {
  const { value, format } = properties;
  return typeof value === 'string' ? { value, form: format === 'rawxml' ? 'rawxml' : 'xml' } : undefined;
}

/** What a policy document is: a scope's policy, a fragment, or a GraphQL resolver's data source. */
export type PolicyKind = 'scope' | 'fragment' | 'resolver';

/** A resolver policy's root element (its data source). */
const RESOLVER_ROOTS = ['http-data-source'];

function rootsOf(kind: PolicyKind): { roots?: string[] } {
  return kind === 'resolver' ? { roots: RESOLVER_ROOTS } : {};
}

export function parseLivePolicy(live: LivePolicy, file: string, kind: PolicyKind): PolicyDocument | undefined {
  return parsePolicy(kind === 'fragment' ? asFragment(live.value) : live.value, file, { form: live.form, ...rootsOf(kind) }).document;
}

/** The file text for a live policy: the existing file when equivalent, else the pretty form. */
export function policyFileText(file: string, livePolicy: LivePolicy, kind: PolicyKind, existingText: string | undefined, context: TemplateContext): PolicyFileResult {
  const live = parseLivePolicy(livePolicy, file, kind);
  if (!live) {
    return { text: toLf(livePolicy.value), warning: `${file}: the instance's policy does not parse; written as received` };
  }
  if (existingText !== undefined && renderedExisting(file, existingText, context, live, kind)) return { text: existingText };
  const text = literalTemplate(file, serializePolicy(live, { form: 'rawxml', style: 'pretty' }), context);
  if (existingText !== undefined && TEMPLATE_SYNTAX.test(existingText)) {
    return { text, warning: `${file}: was a template; replaced by the instance's policy for environment '${context.env}' (put its {{values…}} back)` };
  }
  return { text };
}

/** Handlebars that is ours (values/env and block helpers), as opposed to named-value references and Liquid. */
const TEMPLATE_SYNTAX = /\{\{\s*(#|\/|else\b|values\.|env\b)/;

const rendered = (file: string, text: string, context: TemplateContext): string | undefined => renderTemplate({ file, text }, context).text;

/**
 * A policy file is a template: live text that reads as our Handlebars (a named value called `env` or `this`, a
 * `{{!…}}` or `{{#if …}}` in a Liquid body) would be rendered rather than published as it is. Each such mustache is
 * escaped as `\{{`, which the template renders back to `{{`; every other `{{` (named values, Liquid) stays as it is.
 */
function literalTemplate(file: string, text: string, context: TemplateContext): string {
  if (!text.includes('{{') || rendered(file, text, context) === text) return text;
  let escaped = '';
  let copied = 0;
  for (const match of text.matchAll(/\{\{[^]*?\}\}/g)) {
    if (rendered(file, match[0], context) === match[0]) continue;
    escaped += `${text.slice(copied, match.index)}\\`;
    copied = match.index;
  }
  escaped += text.slice(copied);
  return rendered(file, escaped, context) === text ? escaped : text;
}

function renderedExisting(file: string, text: string, context: TemplateContext, live: PolicyDocument, kind: PolicyKind): boolean {
  const rendered = renderTemplate({ file, text }, context);
  if (rendered.text === undefined) return false;
  const existing = parsePolicy(rendered.text, file, { expressionEntities: 'decoded', ...rootsOf(kind) }).document;
  return existing !== undefined && policiesEquivalent(existing, live);
}
