import * as path from 'path';
import { Document, isAlias, isMap, isNode, parseDocument, visit, type Node, type Pair, type Scalar, type ToStringOptions, type YAMLMap } from 'yaml';
import type { DefinitionShape } from './definitions';
import { isTemplated, renderYamlData, type TemplateContext } from '../policy';

/**
 * Writing and updating the repository's YAML files. A new file is printed in the shape's field order under the
 * `yaml-language-server` schema header; an existing file is edited in place (see mergeYaml).
 */

export const YAML_OUTPUT: ToStringOptions = { lineWidth: 0, indent: 2, indentSeq: true };

/** `apis/x/api.yaml` + `api.schema.json` → `# yaml-language-server: $schema=../../schemas/api.schema.json`. */
export function schemaHeader(file: string, schema: string): string {
  const relative = path.posix.relative(path.posix.dirname(file), `schemas/${schema}`);
  return `# yaml-language-server: $schema=${relative}\n`;
}

function ordered(definition: object, shape: DefinitionShape): Record<string, unknown> {
  const entries = Object.entries(definition).filter(([, value]) => value !== undefined);
  const rank = (key: string): number => {
    const index = shape.fields.indexOf(key);
    return index < 0 ? shape.fields.length : index;
  };
  return Object.fromEntries(entries.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)));
}

export function freshYaml(file: string, definition: object, shape: DefinitionShape): string {
  const document = new Document(ordered(definition, shape), { aliasDuplicateObjects: false });
  return schemaHeader(file, shape.schema) + document.toString(YAML_OUTPUT);
}

/** Deep equality where lists of scalars compare as sets (protocols, apis, groups and tags are unordered). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    if (a.every((item) => typeof item !== 'object') && b.every((item) => typeof item !== 'object')) {
      const sortedA = a.map(String).sort();
      const sortedB = b.map(String).sort();
      return sortedA.every((item, i) => item === sortedB[i]);
    }
    return a.every((item, i) => sameValue(item, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
    const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
    return keysA.length === keysB.length && keysA.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  return a === b;
}

function withDefault(shape: DefinitionShape, key: string, value: unknown): unknown {
  return value === undefined ? shape.defaults[key] : value;
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

/** `key: value` as its own YAML lines, the way a new file would print it. */
function pairText(key: string, value: unknown): string {
  return new Document({ [key]: value }, { aliasDuplicateObjects: false }).toString(YAML_OUTPUT);
}

/** Where a top-level pair's text ends: after its value, its trailing comment and its line break. */
function pairEnd(text: string, pair: Pair): number {
  const key = pair.key as Node;
  const value = pair.value as Node | null;
  const end = Math.max(key.range?.[2] ?? 0, value?.range?.[2] ?? 0);
  const lineBreak = text.indexOf('\n', end - 1 < 0 ? 0 : end - 1);
  return text[end - 1] === '\n' || lineBreak < 0 ? end : lineBreak + 1;
}

/** The shape's fields on which a file's data and what it must say disagree. */
function differingFields(data: Record<string, unknown>, intended: Record<string, unknown>, shape: DefinitionShape): string[] {
  return shape.fields.filter((key) => !sameValue(withDefault(shape, key, intended[key]), withDefault(shape, key, data[key])));
}

/** The anchors (`&name`) a top-level pair defines and those its aliases (`*name`) name. */
function anchorsOf(pair: Pair): { defined: string[]; named: string[] } {
  const anchors = { defined: [] as string[], named: [] as string[] };
  for (const node of [pair.key, pair.value]) {
    if (!isNode(node)) continue;
    visit(node, {
      Node(_, inner) {
        if (isAlias(inner)) anchors.named.push(inner.source);
        else if (inner.anchor) anchors.defined.push(inner.anchor);
      },
    });
  }
  return anchors;
}

/**
 * The top-level fields to rewrite, by key text, with their new values (undefined: removed). Besides the fields that
 * change, a field whose alias names an anchor defined in a rewritten field is written out as what it expands to:
 * a rewritten field is printed without its anchors, and an alias left without its anchor breaks the file.
 */
function fieldsToRewrite(document: Document, map: YAMLMap, changed: Map<string, unknown>, keyText: (pair: Pair) => string): Map<string, unknown> {
  const rewritten = new Map(changed);
  for (let grew = true; grew; ) {
    grew = false;
    const dropped = new Set(map.items.filter((pair) => rewritten.has(keyText(pair))).flatMap((pair) => anchorsOf(pair).defined));
    for (const pair of map.items) {
      if (rewritten.has(keyText(pair)) || !anchorsOf(pair).named.some((anchor) => dropped.has(anchor))) continue;
      rewritten.set(keyText(pair), isNode(pair.value) ? pair.value.toJS(document) : pair.value);
      grew = true;
    }
  }
  return rewritten;
}

/**
 * Updates an existing file's text to hold `definition`, returning the same string when every field already
 * matches. Only the lines of fields that change are rewritten (spliced into the original text at the ranges the
 * yaml Document gives them), so comments, quoting, folded text, anchors and merge keys (`<<: *defaults`, read as the
 * repository loader reads them) and fields the instance does not know (`tier`) stay byte for byte. A file that is
 * not a block mapping, or whose merge keys give a field the instance no longer has, is replaced by a fresh one.
 */
export function mergeYaml(file: string, existingText: string, definition: object, shape: DefinitionShape, context?: TemplateContext): MergedYaml {
  // New field text ends with a line break and is spliced in after whole lines: a last line without its own line
  // break gets one first, or the text appended after it would join it.
  const source = existingText.endsWith('\n') ? existingText : `${existingText}\n`;
  const document = parseDocument(source, { merge: true });
  const map = document.contents;
  if (document.errors.length || !isMap(map) || map.flow) return { text: freshYaml(file, definition, shape), warnings: [] };
  const existing = (document.toJS() ?? {}) as Record<string, unknown>;
  const fresh = definition as Record<string, unknown>;
  // The definition, and the repository-only fields (`tier`, an `environments:` scope) it leaves to the file.
  const kept = [...shape.repositoryOnly, 'environments'];
  const intended: Record<string, unknown> = { ...Object.fromEntries(kept.map((key) => [key, existing[key]])), ...fresh };
  // A templated field that renders to what the instance has stays as written (see renderedAs).
  const says = (data: Record<string, unknown>) => renderedAs(data, context, file);
  const changed = differingFields(says(existing), intended, shape);
  if (!changed.length) return { text: existingText, warnings: [] };
  const warnings = changed
    .filter((key) => containsTemplate(existing[key]))
    .map((key) => `${file}: ${key} was a template; replaced by the instance's value for environment '${context?.env}' (put its {{values…}} back)`);
  // A merge key's value is a symbol: it is named as written (`<<`).
  const keyText = (pair: Pair): string => {
    const key = pair.key as Scalar | null;
    return typeof key?.value === 'string' || !key?.range ? String(key?.value) : source.slice(key.range[0], key.range[1]);
  };
  const rewritten = fieldsToRewrite(document, map, new Map(changed.map((key) => [key, intended[key]])), keyText);
  const pairs = new Map(map.items.map((pair) => [keyText(pair), pair as Pair]));
  const splices: Splice[] = [];
  const replace = (key: string, pair: Pair): void => {
    const value = rewritten.get(key);
    splices.push({ start: (pair.key as Node).range?.[0] ?? 0, end: pairEnd(source, pair), text: value === undefined ? '' : keepLineComment(pairText(key, value), pair) });
  };
  let insertAt = pairs.size ? ((map.items[0].key as Node).range?.[0] ?? 0) : source.length;
  for (const key of shape.fields) {
    const pair = pairs.get(key);
    if (rewritten.has(key) && pair) replace(key, pair);
    else if (rewritten.get(key) !== undefined) splices.push({ start: insertAt, end: insertAt, text: pairText(key, rewritten.get(key)) });
    if (pair) insertAt = pairEnd(source, pair);
  }
  for (const [key, pair] of pairs) if (rewritten.has(key) && !shape.fields.includes(key)) replace(key, pair);
  // A file checked out with CRLF keeps them: rewritten fields follow the file's line breaks, not only the new lines.
  const lineBreaks = (fieldText: string): string => (source.includes('\r\n') ? fieldText.replace(/\r?\n/g, '\r\n') : fieldText);
  let text = source;
  // From the end backwards so earlier offsets stay valid; at one offset, the replaced field before the insertion in front of it.
  for (const splice of splices.sort((a, b) => b.start - a.start || b.end - a.end)) text = text.slice(0, splice.start) + lineBreaks(splice.text) + text.slice(splice.end);
  // The line break added above stays only when something was written after the last line.
  const lastLineKept = source !== existingText && !splices.some((splice) => splice.end >= source.length);
  const merged = lastLineKept ? text.slice(0, -1) : text;
  // A field that only a merge key gives cannot be removed by rewriting lines: the file must still say exactly what the instance has.
  const reread = parseDocument(merged, { merge: true });
  const rereadData = reread.errors.length ? undefined : ((reread.toJS() ?? {}) as Record<string, unknown>);
  return { text: rereadData && !differingFields(says(rereadData), intended, shape).length ? merged : freshYaml(file, intended, shape), warnings };
}

export interface MergedYaml {
  text: string;
  /** Templated fields replaced by the instance's value. */
  warnings: string[];
}

/**
 * What a file's data says in the extracted environment: its templated values rendered (see policy/yaml-template.ts).
 * A value whose template does not render stays as written, so it differs from the instance's and is rewritten.
 */
function renderedAs(data: Record<string, unknown>, context: TemplateContext | undefined, file: string): Record<string, unknown> {
  if (!context) return data;
  return renderYamlData(data, context, file).data as Record<string, unknown>;
}

function containsTemplate(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsTemplate);
  return isTemplated(value);
}

/** A one-line field keeps the comment written after it. */
function keepLineComment(newText: string, pair: Pair): string {
  const comment = (pair.value as Node | null)?.comment;
  if (!comment || newText.indexOf('\n') !== newText.length - 1 || comment.includes('\n')) return newText;
  return `${newText.slice(0, -1)} #${comment}\n`;
}
