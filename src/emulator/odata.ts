import { badRequest } from './errors';
import type { Entity } from './store';

/**
 * The `$filter` subset APIM list operations are called with: comparisons (`eq ne gt ge lt le`) and the
 * functions `contains`, `startswith`, `endswith`, joined by `and` / `or`. Fields are `name` or
 * `properties/<field>` (or a bare property name).
 */

type Predicate = (entity: Entity) => boolean;

const CLAUSE = /^\s*(?:(contains|startswith|endswith)\(\s*([\w/]+)\s*,\s*'((?:[^']|'')*)'\s*\)|([\w/]+)\s+(eq|ne|gt|ge|lt|le)\s+('(?:[^']|'')*'|true|false|null|-?\d+(?:\.\d+)?))\s*$/i;

function fieldValue(entity: Entity, field: string): unknown {
  const path = field.replace(/^properties\//i, '').split('/');
  if (path.length === 1 && path[0].toLowerCase() === 'name') return entity.name;
  return path.reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), entity.properties);
}

function literal(text: string): unknown {
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  return Number(text);
}

function normalise(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function clause(text: string): Predicate {
  const m = CLAUSE.exec(text);
  if (!m) throw badRequest('InvalidFilter', `Invalid filter clause: ${text.trim()}`);
  if (m[1]) {
    const [fn, field, needle] = [m[1].toLowerCase(), m[2], m[3].replace(/''/g, "'").toLowerCase()];
    return (entity) => {
      const value = fieldValue(entity, field);
      if (typeof value !== 'string') return false;
      const haystack = value.toLowerCase();
      return fn === 'contains' ? haystack.includes(needle) : fn === 'startswith' ? haystack.startsWith(needle) : haystack.endsWith(needle);
    };
  }
  const [field, op, expected] = [m[4], m[5].toLowerCase(), normalise(literal(m[6]))];
  return (entity) => {
    const actual = normalise(fieldValue(entity, field) ?? null);
    switch (op) {
      case 'eq': return actual === expected;
      case 'ne': return actual !== expected;
      case 'gt': return (actual as number) > (expected as number);
      case 'ge': return (actual as number) >= (expected as number);
      case 'lt': return (actual as number) < (expected as number);
      default: return (actual as number) <= (expected as number);
    }
  };
}

/** Splits on a keyword outside quotes. */
function splitOutsideQuotes(text: string, keyword: RegExp): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === "'") quoted = !quoted;
    if (quoted) continue;
    const m = keyword.exec(text.slice(i));
    if (m && m.index === 0) {
      parts.push(text.slice(start, i));
      i += m[0].length - 1;
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export function parseFilter(filter: string | null): Predicate {
  if (!filter || !filter.trim()) return () => true;
  const alternatives = splitOutsideQuotes(filter, /^\s+or\s+/i).map((alternative) =>
    splitOutsideQuotes(alternative, /^\s+and\s+/i).map(clause),
  );
  return (entity) => alternatives.some((all) => all.every((p) => p(entity)));
}
