/**
 * Reads behavioural test files: finds them, parses the YAML keeping positions, renders every string as a template of
 * the environment (the repository's rules: only {{values.x}} and {{env}} are ours, a string that is exactly one
 * {{values.x}} takes that value's type), validates against schemas/test.schema.json and checks that what the cases
 * name (products, APIs, subscriptions, operations) exists. Every problem is a finding at file:line:column.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Finding, SourcePos } from '../diagnostics';
import { gatewayApis } from '../gateway/repository';
import { RequestMatcher } from '../gateway/matching';
import { parseQuery } from '../gateway/url';
import { NameValues } from '../gateway/expressions/context';
import { renderTemplate } from '../policy/template';
import type { RenderedRepository } from '../render/desired';
import { readTextFile, schemaFinding } from '../repo/files';
import type { YamlDocument, YamlPath } from '../repo/model';
import { validateAgainstSchema } from '../repo/schemas';
import { parseYaml } from '../repo/yaml';
import type { CallerSpec, Expectations, Json, RequestSpec, TestCase, TestFile, TokenSpec } from './model';
import { parseDuration } from './duration';
import { jsonPathSegments } from './expectations';

export const TESTS_DIR = 'tests';
const TEST_FILE = /\.test\.ya?ml$/;

export interface LoadedTests {
  files: TestFile[];
  findings: Finding[];
}

/**
 * The test files under `paths` (files or folders, relative to `cwd`), or under the repository's tests/ when none are
 * given, relative to the repository root and sorted. A path that does not exist is a finding.
 */
export function findTestFiles(root: string, cwd: string, paths: readonly string[]): { files: string[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const found = new Set<string>();
  const relative = (absolute: string) => path.relative(root, absolute).split(path.sep).join('/');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (TEST_FILE.test(entry.name)) found.add(relative(full));
    }
  };
  const targets = paths.length ? paths.map((p) => path.resolve(cwd, p)) : [path.join(root, TESTS_DIR)];
  for (const target of targets) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(target);
    } catch {
      if (paths.length) findings.push(schemaFinding(relative(target), 'no such test file or folder'));
      continue;
    }
    if (stat.isDirectory()) walk(target);
    else found.add(relative(target));
  }
  return { files: [...found].sort(), findings };
}

/** Loads and checks the test files for the rendered repository's environment. */
export function loadTestFiles(root: string, files: readonly string[], rendered: RenderedRepository): LoadedTests {
  const checker = new ReferenceChecker(rendered);
  const result: LoadedTests = { files: [], findings: [] };
  for (const file of files) {
    const loaded = loadTestFile(root, file, rendered, checker);
    result.findings.push(...loaded.findings);
    if (loaded.file) result.files.push(loaded.file);
  }
  return result;
}

/** The test files of the repository's tests/ folder, checked: what `apiops validate` reports about them. */
export function testFileFindings(root: string, rendered: RenderedRepository): Finding[] {
  const { files, findings } = findTestFiles(root, root, []);
  return [...findings, ...loadTestFiles(root, files, rendered).findings];
}

/** A value that starts with `{{` unquoted is a YAML flow mapping, not a template: the file says what it means. */
const UNQUOTED_TEMPLATE = /^(\s*(?:-\s+)*(?:[^\s#'"][^#'"]*?:\s+)?)\{\{/;

function loadTestFile(root: string, file: string, rendered: RenderedRepository, checker: ReferenceChecker): { file?: TestFile; findings: Finding[] } {
  const read = readTextFile(root, file);
  if (read.finding) return { findings: [read.finding] };
  const unquoted = read.text.split('\n').flatMap((line, i) => {
    const match = UNQUOTED_TEMPLATE.exec(line);
    return match ? [schemaFinding(file, `quote a value that starts with a template ('{{…}}'): unquoted, YAML reads it as a mapping`, i + 1, match[1].length + 1)] : [];
  });
  if (unquoted.length) return { findings: unquoted };
  const parsed = parseYaml<unknown>(file, read.text);
  if (!parsed.document) return { findings: parsed.findings };
  const document = parsed.document;
  const templateFindings: Finding[] = [];
  const data = renderStrings(document.data, [], document, rendered, templateFindings);
  if (templateFindings.length) return { findings: templateFindings };
  const renderedDocument: YamlDocument<unknown> = { ...document, data };
  const problems = validateAgainstSchema('test', renderedDocument);
  if (problems.length) return { findings: problems.map((p) => p.finding) };
  const testFile = toTestFile(renderedDocument as YamlDocument<RawTestFile>);
  return { file: testFile, findings: checker.check(testFile) };
}

const WHOLE_VALUE = /^\{\{\s*(values(?:\.[A-Za-z_$][\w$-]*)+)\s*\}\}$/;

/** Every string of the document rendered as a template; `{{values.x}}` alone keeps x's type. */
function renderStrings(value: unknown, at: YamlPath, document: YamlDocument<unknown>, rendered: RenderedRepository, findings: Finding[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => renderStrings(item, [...at, i], document, rendered, findings));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderStrings(item, [...at, key], document, rendered, findings)]));
  }
  if (typeof value !== 'string' || !value.includes('{{')) return value;
  const { values, name } = rendered.environment;
  const whole = WHOLE_VALUE.exec(value);
  if (whole) {
    const found = lookup(values, whole[1].split('.').slice(1));
    if (found !== undefined) return found;
  }
  const result = renderTemplate({ file: document.file, text: value }, { env: name, values });
  if (result.text !== undefined) return result.text;
  const pos = document.locate(at);
  findings.push(...result.findings.map((f) => ({ ...f, line: pos.line + f.line - 1, column: f.line === 1 ? pos.column + f.column - 1 : f.column })));
  return value;
}

function lookup(values: Record<string, unknown>, segments: string[]): unknown {
  let current: unknown = values;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

interface RawCase {
  name: string;
  fresh?: boolean;
  after?: number | string;
  caller?: CallerSpec;
  token?: TokenSpec;
  request: string | { method?: string; path: string; headers?: Record<string, string | number | boolean>; body?: Json };
  repeat?: number;
  backendResponse?: TestCase['backendResponse'];
  expect: Expectations;
}

interface RawTestFile {
  defaults?: { caller?: CallerSpec; token?: TokenSpec; headers?: Record<string, string | number | boolean> };
  cases: RawCase[];
}

function stringHeaders(headers: Record<string, string | number | boolean> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

function toTestFile(document: YamlDocument<RawTestFile>): TestFile {
  const { defaults = {}, cases } = document.data;
  return {
    file: document.file,
    cases: cases.map((raw, index) => {
      const request: RequestSpec =
        typeof raw.request === 'string'
          ? { method: raw.request.slice(0, raw.request.indexOf(' ')).toUpperCase(), path: raw.request.slice(raw.request.indexOf(' ') + 1).trim(), headers: stringHeaders(defaults.headers) }
          : { method: (raw.request.method ?? 'GET').toUpperCase(), path: raw.request.path, headers: { ...stringHeaders(defaults.headers), ...stringHeaders(raw.request.headers) }, body: raw.request.body };
      const locate = (at: YamlPath) => document.locate(['cases', index, ...at]);
      return {
        name: raw.name,
        pos: document.locateKey?.(['cases', index, 'name']) ?? locate([]),
        fresh: raw.fresh ?? false,
        afterSeconds: raw.after === undefined ? 0 : parseDuration(raw.after),
        caller: raw.caller ?? defaults.caller ?? 'none',
        token: raw.token ?? defaults.token ?? 'none',
        request,
        repeat: raw.repeat ?? 1,
        backendResponse: raw.backendResponse,
        expect: raw.expect,
        locate,
      };
    }),
  };
}

/** Every `matches:` of the expectations, with its path in the case. */
function patterns(value: unknown, at: YamlPath): Array<{ path: YamlPath; pattern: string }> {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === 'matches' && typeof item === 'string' ? [{ path: [...at, key], pattern: item }] : patterns(item, [...at, Array.isArray(value) ? Number(key) : key]),
  );
}

/** Every JSON path of `body.json` expectations (the response's and the backend's). */
function jsonPaths(expect: Expectations, at: YamlPath): Array<{ path: YamlPath; jsonPath: string }> {
  const of = (json: Record<string, unknown> | undefined, where: YamlPath) => Object.keys(json ?? {}).map((jsonPath) => ({ path: [...where, jsonPath], jsonPath }));
  return [...of(expect.body?.json, [...at, 'body', 'json']), ...of(expect.backend?.body?.json, [...at, 'backend', 'body', 'json'])];
}

/** Whether what a case names exists in the repository: products, APIs, subscriptions, and an operation for its request. */
class ReferenceChecker {
  private matcher?: RequestMatcher;

  constructor(private readonly rendered: RenderedRepository) {}

  check(file: TestFile): Finding[] {
    const { model } = this.rendered;
    const findings: Finding[] = [];
    const at = (pos: SourcePos, message: string) => findings.push({ rule: 'schema', severity: 'error', ...pos, message });
    const ids = (list: Array<{ id: string }>) => list.map((item) => item.id);
    for (const testCase of file.cases) {
      const { caller } = testCase;
      if (caller !== 'none') {
        const refs: Array<[keyof typeof caller, string[], string]> = [
          ['product', ids(model.products), 'products/'],
          ['api', ids(model.apis), 'apis/'],
          ['subscription', ids(model.subscriptions), 'subscriptions/'],
        ];
        for (const [field, known, folder] of refs) {
          const id = caller[field];
          if (typeof id === 'string' && !known.includes(id)) {
            at(testCase.locate(['caller', field]), `no ${String(field)} '${id}' in ${folder} (there are: ${known.join(', ') || 'none'})`);
          }
        }
      }
      for (const { path, pattern } of patterns(testCase.expect, ['expect'])) {
        try {
          new RegExp(pattern);
        } catch (error) {
          at(testCase.locate(path), `not a regular expression: ${(error as Error).message}`);
        }
      }
      for (const { path, jsonPath } of jsonPaths(testCase.expect, ['expect'])) {
        try {
          jsonPathSegments(jsonPath);
        } catch (error) {
          at(testCase.locate(path), (error as Error).message);
        }
      }
      const expectsNotFound = ([] as number[]).concat(testCase.expect.status ?? []).includes(404);
      if (!expectsNotFound && !this.matches(testCase.request)) {
        at(testCase.locate(['request']), `${testCase.request.method} ${testCase.request.path} matches no operation of the repository's APIs (expect status 404 if that is the point)`);
      }
    }
    return findings;
  }

  private matches(request: RequestSpec): boolean {
    this.matcher ??= new RequestMatcher(gatewayApis(this.rendered.model));
    const queryAt = request.path.indexOf('?');
    const pathOnly = queryAt < 0 ? request.path : request.path.slice(0, queryAt);
    return this.matcher.match(request.method, pathOnly, parseQuery(queryAt < 0 ? '' : request.path.slice(queryAt + 1)), new NameValues(request.headers)) !== undefined;
  }
}
