/**
 * `apiops-disable-next-line` comments: `<!-- apiops-disable-next-line rule-id: reason -->` in policy XML and
 * `# apiops-disable-next-line rule-id: reason` in YAML. Several ids may be listed, separated by commas; an XML comment
 * may span several lines (a long reason may wrap). The comment applies to the next line that is neither blank nor
 * another directive, so directives can be stacked, and to everything that starts there: the whole XML element, or the
 * whole YAML entry (a key with its nested block, or a list item).
 *
 * The reason is mandatory: a directive without one does not suppress anything (it is reported instead), so a
 * pipeline failing on errors cannot be silenced without a written justification.
 */
import { isNode, LineCounter, parseDocument, visit } from 'yaml';
import type { Finding, SourcePos } from '../diagnostics';
import { didYouMean } from '../suggest';

export interface Suppression {
  pos: SourcePos;
  rules: string[];
  reason: string;
  /** 1-based line the directive applies to. */
  targetLine: number;
  /**
   * Last line it covers: the directive covers the whole XML element or YAML entry starting on `targetLine` (a finding
   * on `<origin>*</origin>` is suppressed by a directive above a multi-line `<cors>`, one inside a backend's
   * `credentials:` mapping by a directive above `credentials:`); else `targetLine`.
   */
  lastLine?: number;
  used: boolean;
}

/** A directive's text after `apiops-disable-next-line`: in an XML comment (which may span lines) or a YAML comment. */
const DIRECTIVE = {
  xml: /<!--\s*apiops-disable-next-line\b([\s\S]*?)-->/g,
  yaml: /(?:^|\s)(#)\s*apiops-disable-next-line\b(.*)$/gm,
};

interface Directive {
  /** 0-based lines the directive's comment starts and ends on. */
  firstLine: number;
  lastLine: number;
  column: number;
  body: string;
}

function findDirectives(text: string, syntax: 'xml' | 'yaml'): Directive[] {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  const directives: Directive[] = [];
  for (const match of text.matchAll(DIRECTIVE[syntax])) {
    const start = match.index + (syntax === 'yaml' ? match[0].indexOf('#') : 0);
    const firstLine = lineOf(start);
    directives.push({
      firstLine,
      lastLine: lineOf(match.index + match[0].length - 1),
      column: start - lineStarts[firstLine] + 1,
      body: (syntax === 'xml' ? match[1] : match[2]).replace(/\s+/g, ' '),
    });
  }
  return directives;
}

export function scanSuppressions(file: string, text: string, syntax: 'xml' | 'yaml'): Suppression[] {
  if (!text.includes('apiops-disable-next-line')) return [];
  const lines = text.split(/\r?\n/);
  const directives = findDirectives(text, syntax);
  const directiveLines = new Set(directives.flatMap((d) => Array.from({ length: d.lastLine - d.firstLine + 1 }, (_, i) => d.firstLine + i)));
  const yamlEntryEnds = syntax === 'yaml' ? yamlEntryLastLines(text) : undefined;
  return directives.map(({ firstLine, lastLine: commentEnd, column, body }) => {
    const colon = body.indexOf(':');
    const ids = colon < 0 ? body : body.slice(0, colon);
    let target = commentEnd + 1;
    while (target < lines.length && (directiveLines.has(target) || lines[target].trim() === '')) target++;
    const targetLine = target + 1;
    const lastLine = yamlEntryEnds?.get(targetLine);
    return {
      pos: { file, line: firstLine + 1, column },
      rules: ids.split(/[\s,]+/).filter(Boolean),
      reason: colon < 0 ? '' : body.slice(colon + 1).trim(),
      used: false,
      targetLine,
      ...(lastLine !== undefined && lastLine > targetLine ? { lastLine } : {}),
    };
  });
}

/**
 * For each line on which a YAML entry starts (a key, or a list item), the last line of the outermost such entry: a
 * key's nested block or multi-line flow value, a list item's mapping. A file that does not parse has none (its
 * syntax error is reported elsewhere).
 */
function yamlEntryLastLines(text: string): Map<number, number> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const ends = new Map<number, number>();
  if (doc.errors.length) return ends;
  const record = (start: number | undefined, end: number | undefined) => {
    if (start === undefined || end === undefined) return;
    const line = lineCounter.linePos(start).line;
    // A block value's range ends at the start of the line after it.
    if (!ends.has(line)) ends.set(line, lineCounter.linePos(Math.max(start, end - 1)).line);
  };
  visit(doc, {
    Pair(_, pair) {
      const key = isNode(pair.key) ? pair.key : undefined;
      const value = isNode(pair.value) ? pair.value : undefined;
      record(key?.range?.[0], (value ?? key)?.range?.[1]);
    },
    Seq(_, seq) {
      for (const item of seq.items) if (isNode(item)) record(item.range?.[0], item.range?.[1]);
    },
  });
  return ends;
}

/**
 * Removes findings covered by a suppression (same file, the directive's target line, a listed rule) and returns the
 * `suppression` findings: directives without a reason, naming unknown rules, or suppressing nothing.
 */
export function applySuppressions(
  findings: Finding[],
  suppressions: Suppression[],
  knownRules: ReadonlySet<string>,
  /** Rules turned off: a suppression of only those cannot be shown to be unused. */
  inactiveRules: ReadonlySet<string>,
): { kept: Finding[]; problems: Array<{ pos: SourcePos; message: string }> } {
  const byFile = new Map<string, Suppression[]>();
  for (const s of suppressions) {
    if (s.reason) byFile.set(s.pos.file, [...(byFile.get(s.pos.file) ?? []), s]);
  }
  const kept = findings.filter((finding) => {
    const match = byFile
      .get(finding.file)
      ?.find((s) => s.rules.includes(finding.rule) && finding.line >= s.targetLine && finding.line <= (s.lastLine ?? s.targetLine));
    if (match) match.used = true;
    return !match;
  });
  const problems: Array<{ pos: SourcePos; message: string }> = [];
  for (const s of suppressions) {
    const unknown = s.rules.filter((id) => !knownRules.has(id));
    if (!s.rules.length) problems.push({ pos: s.pos, message: 'apiops-disable-next-line names no rule (write `apiops-disable-next-line rule-id: reason`)' });
    else if (unknown.length) {
      const hints = unknown.map((id) => `${id}${didYouMean(id, knownRules)}`);
      problems.push({ pos: s.pos, message: `apiops-disable-next-line names unknown rule ${hints.join(', ')}` });
    }
    else if (!s.reason) problems.push({ pos: s.pos, message: `suppression of ${s.rules.join(', ')} has no reason, so it is not applied (write \`${s.rules.join(', ')}: why this is safe\`)` });
    else if (!s.used && !s.rules.every((id) => inactiveRules.has(id))) {
      const where = s.lastLine && s.lastLine > s.targetLine ? `lines ${s.targetLine}–${s.lastLine}` : `line ${s.targetLine}`;
      problems.push({ pos: s.pos, message: `suppression of ${s.rules.join(', ')} suppresses nothing on ${where}; remove it` });
    }
  }
  return { kept, problems };
}
