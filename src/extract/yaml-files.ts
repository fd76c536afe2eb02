import * as path from 'path';
import { Document, isMap, parseDocument, type Node, type Pair, type Scalar, type ToStringOptions } from 'yaml';
import type { DefinitionShape } from './definitions';

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

/**
 * Updates an existing file's text to hold `definition`, returning the same string when every field already
 * matches. Only the lines of fields that change are rewritten (spliced into the original text at the ranges the
 * yaml Document gives them), so comments, quoting, folded text and fields the instance does not know (`tier`)
 * stay byte for byte. A file that is not a block mapping is replaced by a fresh one.
 */
export function mergeYaml(file: string, existingText: string, definition: object, shape: DefinitionShape): string {
  // New field text ends with a line break and is spliced in after whole lines: a last line without its own line
  // break gets one first, or the text appended after it would join it.
  const source = existingText.endsWith('\n') ? existingText : `${existingText}\n`;
  const document = parseDocument(source);
  const map = document.contents;
  if (document.errors.length || !isMap(map) || map.flow) return freshYaml(file, definition, shape);
  const existing = (document.toJS() ?? {}) as Record<string, unknown>;
  const fresh = definition as Record<string, unknown>;
  const pairs = new Map(map.items.map((pair) => [String((pair.key as Scalar | null)?.value), pair as Pair]));
  const splices: Splice[] = [];
  let insertAt = pairs.size ? ((map.items[0].key as Node).range?.[0] ?? 0) : source.length;
  for (const key of shape.fields) {
    const pair = pairs.get(key);
    const changed = !(shape.repositoryOnly.includes(key) && fresh[key] === undefined) && !sameValue(withDefault(shape, key, fresh[key]), withDefault(shape, key, existing[key]));
    if (changed && pair) {
      const start = (pair.key as Node).range?.[0] ?? 0;
      splices.push({ start, end: pairEnd(source, pair), text: fresh[key] === undefined ? '' : keepLineComment(pairText(key, fresh[key]), pair) });
    } else if (changed && fresh[key] !== undefined) {
      splices.push({ start: insertAt, end: insertAt, text: pairText(key, fresh[key]) });
    }
    if (pair) insertAt = pairEnd(source, pair);
  }
  if (!splices.length) return existingText;
  // A file checked out with CRLF keeps them: rewritten fields follow the file's line breaks, not only the new lines.
  const lineBreaks = (fieldText: string): string => (source.includes('\r\n') ? fieldText.replace(/\r?\n/g, '\r\n') : fieldText);
  let text = source;
  // From the end backwards so earlier offsets stay valid; at one offset, the replaced field before the insertion in front of it.
  for (const splice of splices.sort((a, b) => b.start - a.start || b.end - a.end)) text = text.slice(0, splice.start) + lineBreaks(splice.text) + text.slice(splice.end);
  // The line break added above stays only when something was written after the last line.
  const lastLineKept = source !== existingText && !splices.some((splice) => splice.end >= source.length);
  return lastLineKept ? text.slice(0, -1) : text;
}

/** A one-line field keeps the comment written after it. */
function keepLineComment(newText: string, pair: Pair): string {
  const comment = (pair.value as Node | null)?.comment;
  if (!comment || newText.indexOf('\n') !== newText.length - 1 || comment.includes('\n')) return newText;
  return `${newText.slice(0, -1)} #${comment}\n`;
}
