import type HandlebarsModule from 'handlebars';
import { compareFindings, type Finding } from '../diagnostics';
import type { TemplateSource } from '../repo/model';

/**
 * Policy files are Handlebars templates rendered with `{ env, values }` of one environment.
 *
 * - Strict mode: a misspelt `{{values.x}}` is an error, not an empty string in production.
 * - `noEscape`: the output is XML whose policy expressions are raw C#; HTML-escaping would turn `"` into
 *   `&quot;` and change the expression. A value is inserted exactly as configured.
 * - Only our syntax reaches Handlebars: mustaches rooted at `values`, `env`, `this`, `@index`/`@key`/…,
 *   `{{#if}}`/`{{#each}}`/`{{#unless}}`/`{{else}}`/closers and `{{! comments }}`. Every other `{{` — APIM
 *   named values (`{{my-value}}`, `{{Storage.Name}}`) and Liquid (`{{ body.x }}`, `{{- x }}`) — is hidden
 *   from Handlebars (same-length placeholder, so offsets do not move) and comes out unchanged.
 * - Positions: block tags remove or repeat lines, so every rendered line is tagged with the template offset
 *   it came from (markers woven into the parsed template's content, stripped from the output). `mapPosition`
 *   turns a line/column of the output into the template's line/column; inside an inserted value it points at
 *   the mustache that produced it.
 * - Block parameters (`{{#if values.x}}`, `{{#unless …}}`, `{{#each …}}`, `{{else if …}}`) are not strict in
 *   Handlebars: an undefined one is silently falsy. That is what a feature flag set in only some environments
 *   needs, but it would also hide a misspelt flag, so one that no environment defines is reported (see
 *   `allEnvironmentValues`), and so is one read from the render context but not rooted at `values` or `env`
 *   (`{{#if enableCache}}`), which is undefined in every environment.
 * - Findings that leave the template renderable are collected, not returned one at a time: a file's template
 *   errors are reported together (Handlebars itself still stops at the first error it throws).
 */

export interface TemplateContext {
  env: string;
  values: Record<string, unknown>;
  /**
   * The values of every environment in apiops.config.yaml. With them, a block parameter rooted at `values` that no
   * environment defines is a finding (a typo); one that only other environments define is falsy here. Without
   * them, every undefined block parameter is falsy, as in Handlebars.
   */
  allEnvironmentValues?: ReadonlyArray<Record<string, unknown>>;
}

export interface RenderedTemplate {
  text?: string;
  findings: Finding[];
  mapPosition: (line: number, column: number) => { line: number; column: number };
}

export function renderTemplate(source: TemplateSource, context: TemplateContext): RenderedTemplate {
  const text = source.text.charCodeAt(0) === 0xfeff ? source.text.slice(1) : source.text;
  const finding = (message: string, offset: number): Finding => ({
    rule: 'template',
    severity: 'error',
    file: source.file,
    ...lineColumnAt(lineStarts(text), offset),
    message,
  });
  const fail = (message: string, offset: number, alongside: Finding[] = []): RenderedTemplate => failWith([...alongside, finding(message, offset)]);

  const reserved = RESERVED_CHARS.exec(text);
  if (reserved) return fail('the Unicode noncharacters U+FDD0–U+FDD2 are not allowed in a policy template', reserved.index);
  const { mustaches, tooDeep } = findOurMustaches(text);
  if (tooDeep !== undefined) return fail(`template blocks are nested deeper than ${MAX_BLOCK_DEPTH} levels`, tooDeep);
  if (mustaches.length === 0) return { text, findings: [], mapPosition: identity };
  const structured = structuredValueFindings(text, mustaches, context, finding);
  if (mustaches.every((mustache) => mustache.path !== undefined)) {
    const rendered = substitutePaths(text, mustaches as SimpleMustache[], context, finding);
    return structured.length > 0 ? failWith([...structured, ...rendered.findings]) : rendered;
  }

  let compiled: CompiledTemplate;
  try {
    compiled = compileTemplate(text, mustaches);
  } catch (error) {
    const unbalanced = unbalancedBlock(text, mustaches, endsInsideBlock(error));
    if (unbalanced) return fail(`template syntax error: ${unbalanced.message}`, unbalanced.start, structured);
    return fail(`template syntax error: ${parseErrorSummary(error)}`, parseErrorOffset(error, text), structured);
  }
  const found = [
    ...structured,
    ...compiled.unrootedParameters.map(({ offset, message }) => finding(message, offset)),
    ...undefinedBlockParameterFindings(compiled.blockParameters, context, finding),
  ];
  let output: string;
  try {
    // Reported parameters were rewritten to read as undefined (see `rewriteRootContextParameters`), so rendering is
    // safe and can still report an error elsewhere in the file.
    output = compiled.template({ env: context.env, values: context.values }, RUNTIME_OPTIONS);
  } catch (error) {
    const { message, offset } = runtimeError(error, text, context);
    return fail(message, offset, found);
  }
  if (found.length > 0) return failWith(found);
  return decodeOutput(output, compiled.runs, text) ?? fail('a template value contains the Unicode noncharacters U+FDD0–U+FDD2', 0);
}

const identity = (line: number, column: number) => ({ line, column });

/** A template that did not render, with its findings in report order. */
function failWith(findings: Finding[]): RenderedTemplate {
  return { findings: findings.sort(compareFindings), mapPosition: identity };
}

/**
 * The helper that environment-rooted block parameters are rewritten to call (see `rewriteRootContextParameters`).
 * Its name starts with a reserved character, which templates cannot contain, so no template can call it itself.
 */
const ENVIRONMENT_VALUE_HELPER = '\uFDD0environment-value';

let handlebarsEnvironment: typeof HandlebarsModule | undefined;

/**
 * An isolated Handlebars environment: no helpers or partials registered by anyone else leak in. Loaded at the first
 * template with a block: plain `{{values.x}}` templates never need it, and loading it is a large part of validate's
 * start-up.
 */
function handlebars(): typeof HandlebarsModule {
  if (handlebarsEnvironment) return handlebarsEnvironment;
  const created = (require('handlebars') as typeof HandlebarsModule).create();
  created.registerHelper(ENVIRONMENT_VALUE_HELPER, (...segmentsAndOptions: unknown[]) => {
    const options = segmentsAndOptions.pop() as HandlebarsModule.HelperOptions;
    return ownValueAt(options.data.root, segmentsAndOptions as string[]);
  });
  handlebarsEnvironment = created;
  return created;
}
const COMPILE_OPTIONS: CompileOptions = {
  strict: true,
  noEscape: true,
  // Handlebars' other built-ins (with, lookup, log) are switched off: templates offer what the contract documents.
  knownHelpers: { if: true, each: true, unless: true, with: false, lookup: false, log: false, [ENVIRONMENT_VALUE_HELPER]: true },
  knownHelpersOnly: true,
};
// Inherited properties print as '' — said explicitly, so Handlebars does not log a warning on stderr for each.
const RUNTIME_OPTIONS: RuntimeOptions = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };

const MARK_START = '\uFDD0';
const MARK_END = '\uFDD1';
const HIDDEN_BRACE = '\uFDD2';
const RESERVED_CHARS = /[\uFDD0-\uFDD2]/;
const BACKSLASH = 0x5c;

/**
 * A mustache that is ours: see the module comment. Anything else starting with `{{` is APIM's or Liquid's.
 * (So a named value called `env`, `values.x` or `this` cannot be referenced from a template — by design.)
 */
// Any `{{#name`, `{{^name` or `{{/name}}` is a Handlebars block (no named value or Liquid output starts so): one with
// a helper we do not offer (`{{#with}}`) is reported, not passed to APIM as text.
const OUR_MUSTACHE =
  /\{\{\{?~?\s*(?:[#^]\s*[A-Za-z_]|\/\s*[A-Za-z_][\w.-]*\s*~?\}\}|else(?![\w-])|!|(?:\.\.\/)*(?:values|env|this|@index|@key|@first|@last|@root)(?![\w-]))/y;

interface OurMustache {
  start: number;
  end: number;
  /** Set for a plain `{{values.a.b}}` / `{{env}}`: its path segments. */
  path?: string[];
  /** Inside a `{{#if}}`/`{{#each}}`/`{{#unless}}` block (where `{{#each}}` changes what a path is relative to). */
  inBlock: boolean;
}
type SimpleMustache = Required<OurMustache>;

/** A plain value mustache, which needs no Handlebars: `{{values.a.b}}`, `{{ env }}`. */
const SIMPLE_PATH = /\{\{\s*((?:values|env)(?:\.[A-Za-z_$][\w$-]*)*)\s*\}\}/y;

/** Deeper block nesting is refused before Handlebars, whose compiler recurses (and is slow) on it. */
const MAX_BLOCK_DEPTH = 64;
const BLOCK_TAG = /\{\{~?\s*([#/])/y;

/**
 * Our mustaches in document order (see OUR_MUSTACHE); foreign ones are not listed. `tooDeep` is the
 * offset of the first block opened deeper than MAX_BLOCK_DEPTH.
 */
function findOurMustaches(text: string): { mustaches: OurMustache[]; tooDeep?: number } {
  const found: OurMustache[] = [];
  let depth = 0;
  for (let at = text.indexOf('{{'); at >= 0; ) {
    OUR_MUSTACHE.lastIndex = at;
    if (!OUR_MUSTACHE.test(text)) {
      at = text.indexOf('{{', at + 2);
      continue;
    }
    BLOCK_TAG.lastIndex = at;
    const block = BLOCK_TAG.exec(text)?.[1];
    if (block === '#' && ++depth > MAX_BLOCK_DEPTH) return { mustaches: found, tooDeep: at };
    if (block === '/') depth--;
    SIMPLE_PATH.lastIndex = at;
    // `\{{…}}` is Handlebars' escape for a literal mustache: leave that to Handlebars.
    const simple = text.charCodeAt(at - 1) === BACKSLASH ? null : SIMPLE_PATH.exec(text);
    const close = text.indexOf('}}', at + 2);
    const end = simple ? at + simple[0].length : close < 0 ? text.length : close + 2;
    found.push({ start: at, end, path: simple?.[1].split('.'), inBlock: depth > 0 });
    at = text.indexOf('{{', end);
  }
  return { mustaches: found };
}

/**
 * The common case — only plain value mustaches — rendered without compiling a Handlebars template
 * (compiling costs ~0.1 ms per file, which dominates validating thousands of policies). It follows
 * Handlebars' strict-mode semantics exactly (a differential test checks it): a missing field is an
 * error, a present null/undefined prints as '', inherited properties print as ''. Unlike Handlebars,
 * it reports every undefined value, not only the first.
 */
function substitutePaths(
  text: string,
  mustaches: SimpleMustache[],
  context: TemplateContext,
  finding: (message: string, offset: number) => Finding,
): RenderedTemplate {
  const output = new MappedOutput();
  const findings: Finding[] = [];
  let copied = 0;
  for (const mustache of mustaches) {
    output.appendSource(text.slice(copied, mustache.start), copied);
    copied = mustache.end;
    const lookup = strictLookup(context, mustache.path);
    if ('value' in lookup) {
      output.appendValue(lookup.value === undefined || lookup.value === null ? '' : String(lookup.value));
    } else {
      const pathStart = text.indexOf(mustache.path[0], mustache.start + 2);
      findings.push(finding(undefinedValueMessage(mustache.path.join('.'), context, lookup.primitiveOwner), pathStart));
    }
  }
  output.appendSource(text.slice(copied), copied);
  if (findings.length > 0) return { findings, mapPosition: identity };
  return { text: output.text, findings, mapPosition: output.positionMap(text) };
}

/**
 * A map or list inserted as a value would reach APIM as "[object Object]" or "a,b" (what Handlebars prints): always a
 * mistake, so each plain path outside blocks that names one is an error.
 */
function structuredValueFindings(
  text: string,
  mustaches: OurMustache[],
  context: TemplateContext,
  finding: (message: string, offset: number) => Finding,
): Finding[] {
  const findings: Finding[] = [];
  for (const mustache of mustaches) {
    if (!mustache.path || mustache.inBlock) continue;
    const lookup = strictLookup(context, mustache.path);
    if (!('value' in lookup) || lookup.value === null || typeof lookup.value !== 'object') continue;
    const what = Array.isArray(lookup.value) ? 'a list' : 'a map';
    const path = mustache.path.join('.');
    const advice = Array.isArray(lookup.value) ? `loop over it with {{#each ${path}}}…{{this}}…{{/each}}` : `name one of its fields (${path}.<field>)`;
    findings.push(finding(`'${path}' is ${what} in environment '${context.env}', not a single value; ${advice}`, text.indexOf(mustache.path[0], mustache.start + 2)));
  }
  return findings;
}

function strictLookup(context: TemplateContext, path: string[]): { value: unknown } | { primitiveOwner?: unknown } {
  let current: unknown = context;
  for (const segment of path) {
    if (current === null || current === undefined) return {};
    if (typeof current !== 'object' && typeof current !== 'function') return { primitiveOwner: current };
    if (!(segment in current)) return {};
    // Handlebars hides inherited properties (prototype-access protection) and prints them as ''.
    current = Object.prototype.hasOwnProperty.call(current, segment) ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return { value: current };
}

function undefinedValueMessage(path: string, context: TemplateContext, primitiveOwner?: unknown): string {
  const prefix = `'${path}' is not defined for environment '${context.env}'`;
  if (primitiveOwner !== undefined) return `${prefix}: '${String(primitiveOwner)}' has no fields`;
  if (!path.startsWith('values')) return prefix;
  return `${prefix} (defined values: ${Object.keys(context.values).sort().join(', ') || 'none'})`;
}

interface CompiledTemplate {
  template: HandlebarsTemplateDelegate<TemplateContext>;
  runs: Run[];
  blockParameters: EnvironmentBlockParameter[];
  /** Block parameters that read the render context outside `values` and `env`: mistakes in every environment. */
  unrootedParameters: UnrootedBlockParameter[];
}

// Compiled templates by text: several environments (and generated repositories) render the same file.
const compiledTemplates = new Map<string, CompiledTemplate>();
const COMPILED_TEMPLATES_KEPT = 500;

function compileTemplate(text: string, mustaches: OurMustache[]): CompiledTemplate {
  const cached = compiledTemplates.get(text);
  if (cached) return cached;
  // Foreign `{{` become a same-length placeholder, so offsets in Handlebars' AST are offsets in `text`.
  let hidden = '';
  let copied = 0;
  let next = 0;
  for (let at = text.indexOf('{{'); at >= 0; at = text.indexOf('{{', at + 2)) {
    while (next < mustaches.length && mustaches[next].end <= at) next++;
    if (next < mustaches.length && mustaches[next].start <= at) continue;
    hidden += text.slice(copied, at) + HIDDEN_BRACE + HIDDEN_BRACE;
    copied = at + 2;
  }
  hidden += text.slice(copied);
  const program = handlebars().parse(hidden);
  const starts = lineStarts(hidden);
  const runs = weaveMarkers(program, starts);
  const { blockParameters, unrootedParameters } = rewriteRootContextParameters(program, starts);
  const compiled = { template: handlebars().compile<TemplateContext>(program, COMPILE_OPTIONS), runs, blockParameters, unrootedParameters };
  if (compiledTemplates.size >= COMPILED_TEMPLATES_KEPT) compiledTemplates.delete(compiledTemplates.keys().next().value!);
  compiledTemplates.set(text, compiled);
  return compiled;
}

/** Where a stretch of rendered content came from: `length` characters starting at template offset `source`. */
interface Run {
  source: number;
  length: number;
}

/**
 * Prefixes every content piece, and every line inside one, with a marker naming its run. Handlebars has
 * already applied standalone-line and `~` whitespace control to `value`; a second pass at compile time
 * leaves it alone because each value now starts with a marker.
 */
function weaveMarkers(program: hbs.AST.Program, starts: number[]): Run[] {
  const runs: Run[] = [];
  visitStatements(program, (statement) => {
    if (statement.type !== 'ContentStatement') return;
    const content = statement as hbs.AST.ContentStatement;
    const original = content.original as unknown as string;
    if (content.value === '') return;
    const start = offsetOf(content.loc.start, starts) + strippedPrefixLength(original, content.value);
    let woven = '';
    let from = 0;
    while (from < content.value.length) {
      const newline = content.value.indexOf('\n', from);
      const to = newline < 0 ? content.value.length : newline + 1;
      woven += MARK_START + runs.length.toString(36) + MARK_END + content.value.slice(from, to);
      runs.push({ source: start + from, length: to - from });
      from = to;
    }
    content.value = woven;
  });
  return runs;
}

/** What a path inside a block is relative to. */
interface Scope {
  /** How many enclosing blocks changed the context (what `../` climbs; `{{#if}}` does not change it). */
  contextDepth: number;
  /** Names declared with `{{#each … as |name|}}`, which a path then starts from instead of the context. */
  blockParams: readonly string[];
}

/**
 * The block helpers whose body sees another context (`{{#with}}` is refused as an unknown helper, but its body must not
 * also be reported as reading the render context).
 */
const CONTEXT_CHANGING_HELPERS = new Set(['each', 'with']);

/** Every statement of the template, nested blocks included, with its scope. */
function visitStatements(program: hbs.AST.Program, visit: (statement: hbs.AST.Statement, scope: Scope) => void): void {
  const pending: Array<{ program: hbs.AST.Program; scope: Scope }> = [{ program, scope: { contextDepth: 0, blockParams: [] } }];
  while (pending.length > 0) {
    const { program: current, scope } = pending.pop()!;
    for (const statement of current.body) {
      visit(statement, scope);
      if (statement.type !== 'BlockStatement') continue;
      const block = statement as hbs.AST.BlockStatement;
      if (block.program) {
        const contextDepth = scope.contextDepth + (CONTEXT_CHANGING_HELPERS.has(block.path.original) ? 1 : 0);
        pending.push({ program: block.program, scope: { contextDepth, blockParams: [...scope.blockParams, ...(block.program.blockParams ?? [])] } });
      }
      // An inverse (`{{else}}`, `{{else if …}}`, `{{^…}}`) runs in the block's own context.
      if (block.inverse) pending.push({ program: block.inverse, scope });
    }
  }
}

/** A block parameter naming an environment value: `values.a.b`, `@root.values.a.b`, `../values.a.b` inside `{{#each}}`. */
interface EnvironmentBlockParameter {
  /** From `values` on. */
  path: string[];
  /** Template offset of the parameter. */
  offset: number;
}

/** A block parameter that reads the render context `{ env, values }` but names neither: `{{#if enableCache}}`. */
interface UnrootedBlockParameter {
  message: string;
  /** Template offset of the parameter. */
  offset: number;
}

/**
 * Lists every block parameter that reads the render context, and makes it safe to evaluate: Handlebars' strict mode
 * reads `values.a.b` without checking `values.a` (a TypeError when `a` is undefined), so each becomes a call of
 * ENVIRONMENT_VALUE_HELPER, which yields undefined (falsy) for a value the chosen environment lacks. Whether some
 * environment defines a `values` path is checked per render (`undefinedBlockParameterFindings`); any other path but
 * `env` is undefined in every environment, so it is listed with its finding's message.
 */
function rewriteRootContextParameters(
  program: hbs.AST.Program,
  starts: number[],
): { blockParameters: EnvironmentBlockParameter[]; unrootedParameters: UnrootedBlockParameter[] } {
  const blockParameters: EnvironmentBlockParameter[] = [];
  const unrootedParameters: UnrootedBlockParameter[] = [];
  visitStatements(program, (statement, scope) => {
    if (statement.type !== 'BlockStatement') return;
    const block = statement as hbs.AST.BlockStatement;
    block.params = block.params.map((parameter) => {
      if (parameter.type !== 'PathExpression') return parameter;
      const written = parameter as hbs.AST.PathExpression;
      const path = rootContextPath(written, scope);
      if (!path || path.length === 0 || path[0] === 'env') return parameter;
      const offset = offsetOf(parameter.loc.start, starts);
      if (path[0] === 'values') blockParameters.push({ path, offset });
      else unrootedParameters.push({ message: unrootedParameterMessage(written, path), offset });
      return environmentValueCall(path, parameter.loc);
    });
  });
  // Blocks are visited depth-first, inverses after bodies: findings read best in document order.
  const byOffset = (a: { offset: number }, b: { offset: number }) => a.offset - b.offset;
  return { blockParameters: blockParameters.sort(byOffset), unrootedParameters: unrootedParameters.sort(byOffset) };
}

/**
 * The segments `path` reads from the render context `{ env, values }` where it stands, or undefined when it reads
 * something else: a data variable (`@index`), a name declared with `as |name|`, or the current `{{#each}}` item.
 */
function rootContextPath(path: hbs.AST.PathExpression, scope: Scope): string[] | undefined {
  if (path.data) return path.parts[0] === 'root' ? path.parts.slice(1) : undefined;
  if (path.depth === 0 && scope.blockParams.includes(path.parts[0])) return undefined;
  return path.depth === scope.contextDepth ? path.parts : undefined;
}

/** Suggests the same path below `values`, keeping how it reached the render context (`../`, `@root.`). */
function unrootedParameterMessage(written: hbs.AST.PathExpression, path: string[]): string {
  const name = path.join('.');
  const reach = written.data ? '@root.' : '../'.repeat(written.depth);
  return `'${written.original}' is undefined in every environment: templates see only env and values; did you mean ${reach}values.${name}?`;
}

function environmentValueCall(path: string[], loc: hbs.AST.SourceLocation): hbs.AST.SubExpression {
  return {
    type: 'SubExpression',
    path: { type: 'PathExpression', data: false, depth: 0, parts: [ENVIRONMENT_VALUE_HELPER], original: ENVIRONMENT_VALUE_HELPER, loc },
    params: path.map((segment): hbs.AST.StringLiteral => ({ type: 'StringLiteral', value: segment, original: segment, loc })),
    hash: undefined as unknown as hbs.AST.Hash,
    loc,
  };
}

/** A value read as Handlebars reads it: own properties only (inherited ones are undefined), undefined past a missing one. */
function ownValueAt(root: unknown, path: string[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || current === undefined) return undefined;
    current = Object.prototype.hasOwnProperty.call(current, segment) ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return current;
}

/** A finding for each environment block parameter no environment defines; none without `allEnvironmentValues`. */
function undefinedBlockParameterFindings(
  parameters: EnvironmentBlockParameter[],
  context: TemplateContext,
  finding: (message: string, offset: number) => Finding,
): Finding[] {
  if (!context.allEnvironmentValues || parameters.length === 0) return [];
  const environments = [context.values, ...context.allEnvironmentValues];
  const definedSomewhere = (path: string[]) => environments.some((values) => 'value' in strictLookup({ env: context.env, values }, path));
  return parameters
    .filter((parameter) => !definedSomewhere(parameter.path))
    .map((parameter) => {
      const path = parameter.path.join('.');
      return finding(`'${path}' is not defined in any environment of apiops.config.yaml (a typo?); ${fieldsDefinedNear(parameter.path, environments)}`, parameter.offset);
    });
}

/** The fields, across environments, of the longest prefix of `path` that some environment defines as a map. */
function fieldsDefinedNear(path: string[], environments: ReadonlyArray<Record<string, unknown>>): string {
  for (let length = path.length - 1; length > 1; length--) {
    const fields = new Set<string>();
    let isMap = false;
    for (const values of environments) {
      const lookup = strictLookup({ env: '', values }, path.slice(0, length));
      if (!('value' in lookup) || lookup.value === null || typeof lookup.value !== 'object') continue;
      isMap = true;
      for (const field of Object.keys(lookup.value)) fields.add(field);
    }
    if (isMap) return `'${path.slice(0, length).join('.')}' has: ${[...fields].sort().join(', ') || 'no fields'}`;
  }
  const topLevel = new Set(environments.flatMap((values) => Object.keys(values)));
  return `defined values: ${[...topLevel].sort().join(', ') || 'none'}`;
}

/** How many leading characters whitespace control removed from `original` to leave `value`. */
function strippedPrefixLength(original: string, value: string): number {
  for (let removed = 0; removed + value.length <= original.length; removed++) {
    if (original.startsWith(value, removed)) return removed;
  }
  return 0;
}

/** The output without markers, and its position map; undefined when a marker did not come from weaveMarkers. */
function decodeOutput(output: string, runs: Run[], template: string): RenderedTemplate | undefined {
  const decoded = new MappedOutput();
  let copied = output.indexOf(MARK_START);
  decoded.appendValue(output.slice(0, copied < 0 ? output.length : copied));
  while (copied >= 0) {
    const end = output.indexOf(MARK_END, copied);
    const run = end < 0 ? undefined : runs[parseInt(output.slice(copied + 1, end), 36)];
    if (run === undefined) return undefined;
    const next = output.indexOf(MARK_START, end);
    decoded.appendSource(output.slice(end + 1, next < 0 ? output.length : next), run.source, run.length);
    copied = next;
  }
  const text = decoded.text.split(HIDDEN_BRACE + HIDDEN_BRACE).join('{{');
  return { text, findings: [], mapPosition: decoded.positionMap(template) };
}

/**
 * Rendered text built from pieces of the template (whose origin is known) and inserted values.
 * A position inside a value maps to the end of the template piece before it, i.e. to its mustache.
 */
class MappedOutput {
  text = '';
  private readonly pieceStarts: number[] = [];
  private readonly pieces: Run[] = [];

  /** `piece` begins with `length` characters copied from template offset `source` (default: all of it). */
  appendSource(piece: string, source: number, length = piece.length): void {
    this.pieceStarts.push(this.text.length);
    this.pieces.push({ source, length });
    this.text += piece;
  }

  appendValue(value: string): void {
    this.text += value;
  }

  positionMap(template: string): RenderedTemplate['mapPosition'] {
    const outputStarts = lineStarts(this.text);
    const templateStarts = lineStarts(template);
    return (line, column) => {
      const offset = (outputStarts[line - 1] ?? this.text.length) + column - 1;
      const index = lastAtOrBefore(this.pieceStarts, offset);
      if (index < 0) return { line, column };
      const piece = this.pieces[index];
      return lineColumnAt(templateStarts, piece.source + Math.min(offset - this.pieceStarts[index], piece.length));
    };
  }
}

function runtimeError(error: unknown, template: string, context: TemplateContext): { message: string; offset: number } {
  const located = error as { lineNumber?: number; column?: number; endLineNumber?: number; endColumn?: number; message?: string };
  const message = String(located.message ?? error);
  if (typeof located.lineNumber !== 'number' || typeof located.column !== 'number') {
    // Strict lookups of a field on a string or number fail inside Handlebars with a bare TypeError: `in` on the
    // primitive, or (for a path like values.x inside {{#each}}, whose items have no `values`) a read of undefined.
    const onPrimitive = /^Cannot use 'in' operator to search for '(.*)' in (.*)$/s.exec(message);
    const onMissing = /^Cannot read properties of (?:undefined|null) \(reading '(.*)'\)$/s.exec(message);
    if (!onPrimitive && !onMissing) return { message: `template error: ${message}`, offset: 0 };
    const [field, owner] = onPrimitive ? [onPrimitive[1], onPrimitive[2]] : [onMissing![1], undefined];
    const use = new RegExp(`\\{\\{[{~#\\s]*(?:(?:if|each|unless)\\s+)?([\\w.@/-]*\\.${escapeRegExp(field)})(?![\\w-])`).exec(template);
    const path = use?.[1] ?? field;
    const offset = use ? use.index + use[0].length - path.length : 0;
    return { message: onPrimitive ? undefinedValueMessage(path, context, owner) : relativePathMessage(path), offset };
  }
  const starts = lineStarts(template);
  const offset = starts[located.lineNumber - 1] + located.column;
  const unknownHelper = /^You specified knownHelpersOnly, but used the unknown helper (\S+)/.exec(message);
  if (unknownHelper) {
    return {
      message: `'${unknownHelper[1]}' is not a template helper: only {{#if}}, {{#each}} and {{#unless}} are, and a value is written alone ({{values.<name>}}, nothing after it)`,
      offset,
    };
  }
  const notDefined = /^"(.*)" not defined in /.exec(message);
  if (!notDefined) return { message: `template error: ${message.replace(/ - \d+:\d+$/, '')}`, offset };
  const end = located.endLineNumber === located.lineNumber ? starts[located.lineNumber - 1] + (located.endColumn ?? 0) : offset;
  const path = template.slice(offset, end).trim() || notDefined[1];
  if ('value' in strictLookup(context, path.split('.'))) return { message: relativePathMessage(path), offset };
  return { message: undefinedValueMessage(path, context), offset };
}

/** A path the environment defines, looked up inside {{#each}}, where it is relative to the current item. */
function relativePathMessage(path: string): string {
  return `'${path}' is not defined here: inside {{#each}} a path is relative to the item; write @root.${path} for the environment's value`;
}

/**
 * Handlebars' own message for a block problem is a parser token list ("Expecting 'EOF', …") or "got EOF" at the last
 * line; this names the tag instead: a closer or `{{else}}` outside any block, or (when the template ends inside one)
 * the innermost block left open.
 */
function unbalancedBlock(text: string, mustaches: OurMustache[], endsInside: boolean): { message: string; start: number } | undefined {
  const open: Array<{ helper: string; start: number }> = [];
  for (const mustache of mustaches) {
    const tag = BLOCK_TAG_PARTS.exec(text.slice(mustache.start, mustache.end));
    if (!tag) continue;
    const [, kind, helper] = tag;
    if (kind === '#') open.push({ helper, start: mustache.start });
    else if (open.length === 0) return { message: `{{${kind ? kind + helper : 'else'}}} is outside any {{#if}}, {{#each}} or {{#unless}} block`, start: mustache.start };
    else if (kind === '/') open.pop();
  }
  const innermost = open.pop();
  return endsInside && innermost ? { message: `{{#${innermost.helper}}} is never closed (add {{/${innermost.helper}}})`, start: innermost.start } : undefined;
}

const BLOCK_TAG_PARTS = /^\{\{~?\s*(?:([#/])\s*([A-Za-z_][\w-]*)|(else)\b)/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function lastMessageLine(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n');
  return lines[lines.length - 1];
}

function endsInsideBlock(error: unknown): boolean {
  return /got 'EOF'/.test(lastMessageLine(error));
}

function parseErrorSummary(error: unknown): string {
  const last = lastMessageLine(error);
  if (endsInsideBlock(error)) return 'the template ends inside a {{#…}} block or mustache (missing {{/…}} or }})';
  if (/^Expecting /.test(last)) return `malformed {{…}} mustache (${last})`;
  return last.replace(/ - \d+:\d+$/, '');
}

function parseErrorOffset(error: unknown, template: string): number {
  const starts = lineStarts(template);
  const located = error as { lineNumber?: number; column?: number };
  if (typeof located.lineNumber === 'number' && typeof located.column === 'number') {
    return starts[located.lineNumber - 1] + located.column;
  }
  // Jison parse errors carry no location; Handlebars' parser keeps the failing token's place on its lexer.
  const lexer = (handlebars() as unknown as { Parser?: { lexer?: { yylloc?: { first_line: number; first_column: number } } } }).Parser
    ?.lexer;
  const where = lexer?.yylloc;
  if (where && where.first_line >= 1 && where.first_line <= starts.length) {
    return Math.min(starts[where.first_line - 1] + where.first_column, template.length);
  }
  const line = /line (\d+)/.exec(error instanceof Error ? error.message : '');
  return line ? (starts[Number(line[1]) - 1] ?? 0) : 0;
}

/** The template offset of a Handlebars AST position (1-based line, 0-based column). */
function offsetOf(position: hbs.AST.Position, starts: number[]): number {
  return starts[position.line - 1] + position.column;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

function lineColumnAt(starts: number[], offset: number): { line: number; column: number } {
  const line = lastAtOrBefore(starts, offset);
  return { line: line + 1, column: offset - starts[line] + 1 };
}

/** Index of the last element ≤ value in an ascending array, or -1. */
function lastAtOrBefore(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] <= value) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}
