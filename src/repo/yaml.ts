import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair } from 'yaml';
import { lazyPos, type Finding, type SourcePos } from '../diagnostics';
import type { YamlDocument, YamlPath } from './model';
import { schemaFinding } from './files';
import { shared } from './sharing';

/** Aliases a document may expand; far above any hand-written file, far below a "billion laughs" bomb. */
const MAX_ALIAS_COUNT = 100;

export interface YamlParseResult<T> {
  document?: YamlDocument<T>;
  findings: Finding[];
}

/**
 * Parses one YAML (or JSON) file so that every later finding can point at the value it is about. Duplicate keys and
 * alias bombs are findings, not crashes. A `.json` file is read with JSON.parse, many times faster than the YAML
 * parser; text JSON.parse refuses goes through the YAML parser, which names the line and column (and reads YAML
 * written in a .json file, as APIM's import does). Positions are worked out only when a finding asks for one: the
 * file is then parsed again, once, keeping node positions (JSON is YAML), so no document tree is kept meanwhile.
 */
export function parseYaml<T>(file: string, text: string): YamlParseResult<T> {
  if (/\.json$/i.test(file)) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return parseYamlText(file, text);
    }
    return { document: { file, data: data as T, ...locators(file, text), text }, findings: [] };
  }
  // Only YAML is shared (see ./sharing): JSON.parse is quicker than the copy.
  return shared('yaml', file, text, () => parseYamlText<T>(file, text), ({ document, findings }) => ({
    document: document && { ...document, data: structuredClone(document.data) },
    findings: [...findings],
  }));
}

// `merge`: YAML 1.1 merge keys (`<<: *defaults`), the usual way to share environment values, are honoured.
const PARSE_OPTIONS = { merge: true, prettyErrors: false, keepSourceTokens: false } as const;

function parseYamlText<T>(file: string, text: string): YamlParseResult<T> {
  // The library's uniqueKeys compares each key with every earlier key of its map. A set of each map's keys finds the
  // same repeats (and suspects a few more: NaN), so only a file with one, or with another error, is parsed again
  // with the library's check, for its findings.
  let lineCounter = new LineCounter();
  let doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter, uniqueKeys: false });
  if (doc.errors.length || hasRepeatedKey(doc.contents)) {
    lineCounter = new LineCounter();
    doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter, uniqueKeys: true });
  }
  const at = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (doc.errors.length) {
    return {
      findings: doc.errors.map((error) => ({
        ...schemaFinding(file, yamlErrorMessage(doc, error.code, error.message, error.pos[0], (offset) => at(offset).line)),
        ...at(error.pos[0]),
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    const explained = /Excessive alias count/.test(message)
      ? `its aliases (*name) would expand more than ${MAX_ALIAS_COUNT} times, which apiops refuses as a possible "billion laughs" attack; repeat the content or use fewer aliases (a specification can use $ref)`
      : message;
    return { findings: [schemaFinding(file, `YAML cannot be expanded: ${explained}`)] };
  }
  return { document: { file, data: data as T, ...locators(file, text), text }, findings: [] };
}

/** Whether a mapping at or below `node` has two keys of one value. */
function hasRepeatedKey(node: unknown): boolean {
  if (isMap(node)) {
    const keys = new Set<unknown>();
    for (const { key, value } of node.items) {
      if (isScalar(key)) {
        if (keys.has(key.value)) return true;
        keys.add(key.value);
      }
      if (hasRepeatedKey(key) || hasRepeatedKey(value)) return true;
    }
    return false;
  }
  if (isSeq(node)) return node.items.some(hasRepeatedKey);
  return isPair(node) && (hasRepeatedKey(node.key) || hasRepeatedKey(node.value));
}

/** locate and locateKey of a document that parsed: lazy positions, from one positioned parse made at the first ask. */
function locators(file: string, text: string): Pick<YamlDocument<unknown>, 'locate' | 'locateKey'> {
  let positioned: { doc: Document; lineCounter: LineCounter } | undefined;
  const offsetOf = (path: YamlPath, wantKey: boolean): { line: number; column: number } => {
    if (!positioned) {
      const lineCounter = new LineCounter();
      // Not uniqueKeys: a JSON file's duplicate keys, which JSON.parse accepts, must not cost it its positions.
      positioned = { doc: parseDocument(text, { ...PARSE_OPTIONS, lineCounter, uniqueKeys: false }), lineCounter };
    }
    const { line, col } = positioned.lineCounter.linePos(nodeAt(positioned.doc, path, wantKey)?.range?.[0] ?? 0);
    return { line, column: col };
  };
  return {
    locate: (path) => lazyPos(file, () => offsetOf(path, false)),
    locateKey: (path) => lazyPos(file, () => offsetOf(path, true)),
  };
}

/** The yaml library's message, in the words of a repository file (its advice is for programmers calling it). */
function yamlErrorMessage(doc: Document, code: string, message: string, offset: number, lineOf: (offset: number) => number): string {
  if (code === 'DUPLICATE_KEY') {
    const keys = duplicatedKeys(doc, offset);
    return keys ? `duplicate key '${keys.name}' (first on line ${lineOf(keys.firstOffset)})` : 'duplicate key';
  }
  if (code === 'MULTIPLE_DOCS') return 'more than one YAML document (a `---` separator): each file holds one; move the rest to its own file';
  return `YAML syntax error: ${message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** The key repeated at `offset` and where the same map first defines it. */
function duplicatedKeys(doc: Document, offset: number): { name: string; firstOffset: number } | undefined {
  let found: { name: string; firstOffset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const keys = map.items.map((pair) => pair.key).filter(isScalar);
      const repeated = keys.find((key) => key.range?.[0] === offset);
      if (!repeated) return undefined;
      const first = keys.find((key) => key.value === repeated.value);
      found = { name: String(repeated.value), firstOffset: first?.range?.[0] ?? offset };
      return visit.BREAK;
    },
  });
  return found;
}

/** The node at `path` (its key's node with `wantKey`), or the deepest existing ancestor's node. */
function nodeAt(doc: Document, path: YamlPath, wantKey = false): Node | undefined {
  let node: Node | undefined = (doc.contents as Node | null) ?? undefined;
  if (!node) return undefined;
  for (const [i, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc) ?? node;
    if (isMap(node)) {
      const pair: Pair<unknown, unknown> | undefined = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      const next: Node = (pair.value as Node | null) ?? (pair.key as Node);
      if (!next.range || (wantKey && i === path.length - 1)) return pair.key as Node;
      node = next;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment] as Node;
    } else {
      break;
    }
  }
  return node;
}
