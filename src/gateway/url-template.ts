/**
 * Operation URL templates (`/titles/{titleId}/assets`, `/items?type={type}`, `/*`) and how APIM picks one for a
 * request: same method, every path segment matching, every templated query parameter present (any order and case).
 * Among several matches literal segments beat template segments, and `/*` comes last (precedence is not documented;
 * the fact sheet suggests most-literal-first).
 */
import { decodeComponent } from './url';

type Segment = { kind: 'literal'; text: string } | { kind: 'parameter'; name: string } | { kind: 'wildcard' };

export interface UrlTemplate {
  segments: Segment[];
  /** Templated query parameters: query name → template parameter name. */
  query: Array<{ name: string; parameter: string }>;
}

export function parseUrlTemplate(template: string): UrlTemplate {
  const [path, search = ''] = template.split('?', 2);
  const segments: Segment[] = path
    .split('/')
    .filter((s) => s !== '')
    .map((text): Segment => {
      if (text === '*') return { kind: 'wildcard' };
      const parameter = /^\{([^}]+)\}$/.exec(text);
      return parameter ? { kind: 'parameter', name: parameter[1] } : { kind: 'literal', text: text.toLowerCase() };
    });
  const query = search
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const [name, value = ''] = part.split('=', 2);
      const parameter = /^\{([^}]+)\}$/.exec(value);
      return { name: name.toLowerCase(), parameter: parameter ? parameter[1] : name };
    });
  return { segments, query };
}

export interface TemplateMatch {
  /** `context.Request.MatchedParameters`: only the parameters the template names. */
  parameters: Record<string, string>;
  /** Ranks matches: higher is more specific. */
  score: number[];
}

/** Matches `path` (after the API suffix, starting with `/`) and the query against a template. */
export function matchTemplate(template: UrlTemplate, path: string, query: Iterable<[string, string[]]>): TemplateMatch | undefined {
  const parts = path.split('/').filter((s) => s !== '');
  const parameters: Record<string, string> = {};
  const score: number[] = [];
  const { segments } = template;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === 'wildcard') {
      // `/*` takes the rest of the path, however long (also none).
      score.push(0);
      return queryMatches(template, query, parameters) ? { parameters, score: [...score, -1] } : undefined;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (decodeComponent(part).toLowerCase() !== segment.text) return undefined;
      score.push(2);
    } else {
      parameters[segment.name] = decodeComponent(part);
      score.push(1);
    }
  }
  if (parts.length !== segments.length) return undefined;
  if (!queryMatches(template, query, parameters)) return undefined;
  return { parameters, score: [...score, template.query.length] };
}

function queryMatches(template: UrlTemplate, query: Iterable<[string, string[]]>, parameters: Record<string, string>): boolean {
  if (!template.query.length) return true;
  const byName = new Map<string, string[]>();
  for (const [name, values] of query) byName.set(name.toLowerCase(), values);
  for (const { name, parameter } of template.query) {
    const values = byName.get(name);
    if (!values?.length) return false;
    parameters[parameter] = values.join(',');
  }
  return true;
}

/** Orders scores: a literal segment before a template one at the first difference; longer (more query) wins ties. */
export function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -2) - (b[i] ?? -2);
    if (d !== 0) return d;
  }
  return 0;
}
