import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidField } from '../errors';
import type { Json } from './types';

/**
 * The XML documents APIM imports (WSDL, WADL, OData CSDL), read namespace-agnostically: elements are found by local
 * name whatever their prefix (`wsdl:operation`, `soap12:address`), attributes are `@name`.
 */

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false, trimValues: true });

export function parseXml(text: string, what: string): Json {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw invalidField('value', `The ${what} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col}).`);
  return parser.parse(text) as Json;
}

export function localName(key: string): string {
  return key.slice(key.indexOf(':') + 1);
}

/** The child elements of `node` with this local name (none, one or many in the parse, always a list here). */
export function children(node: unknown, name: string): Json[] {
  if (!node || typeof node !== 'object') return [];
  const found: Json[] = [];
  for (const [key, value] of Object.entries(node as Json)) {
    if (key.startsWith('@') || localName(key) !== name) continue;
    for (const item of Array.isArray(value) ? value : [value]) found.push(item && typeof item === 'object' ? (item as Json) : { '#text': item });
  }
  return found;
}

export function child(node: unknown, name: string): Json | undefined {
  return children(node, name)[0];
}

export function attribute(node: Json | undefined, name: string): string | undefined {
  const value = node?.[`@${name}`];
  return value === undefined ? undefined : String(value);
}

export function text(node: Json | undefined): string | undefined {
  const value = node?.['#text'];
  return value === undefined ? undefined : String(value).trim();
}

/** The root element (the one key of the parse that is not the XML declaration). */
export function rootElement(doc: Json, name: string, what: string): Json {
  const root = child(doc, name);
  if (!root) throw invalidField('value', `The document is not ${what}: its root element is not <${name}>.`);
  return root;
}

/** `tns:Name` → `Name`. */
export function unprefixed(qualified: string | undefined): string | undefined {
  return qualified === undefined ? undefined : localName(qualified);
}
