import { attributeValue, isLiquidBody, parsePolicy, serializePolicy, walkElements, type PolicyDocument, type PolicyElement } from '../policy';
import { POLICY_NAMES } from '../policy/knowledge/policies';
import { SECTIONS } from '../policy/knowledge/types';
import type { ArmRequest, Behaviour, EntityInput, WriteInput } from './engine';
import { conflict, invalidField, validationError } from './errors';
import { displayPath } from './ids';
import type { Entity, ServiceState } from './store';

/**
 * Policy documents as APIM stores them: parsed in the submitted format (`xml` must be well-formed XML,
 * `rawxml` keeps expressions as written), re-serialised the .NET way (tabs, CRLF, `<x />`), kept in both
 * forms, and checked against the named values, fragments and backends they reference.
 */

const POLICY_FORMATS = ['xml', 'rawxml', 'xml-link', 'rawxml-link'];
const FRAGMENT_FORMATS = ['xml', 'rawxml'];

/** Collections that hold policy documents (including fragments and GraphQL resolver policies). */
const POLICY_COLLECTIONS = ['policies', 'apis/*/policies', 'apis/*/operations/*/policies', 'products/*/policies', 'policyFragments', 'apis/*/resolvers/*/policies'];

/** The root element of a policy document: a scope's `<policies>`, a `<fragment>`, a GraphQL resolver's `<http-data-source>`. */
export type PolicyRoot = 'policies' | 'fragment' | 'http-data-source';
/** Every root parses; which one a document needs is checked after, with a message naming it. */
const POLICY_ROOTS: PolicyRoot[] = ['policies', 'fragment', 'http-data-source'];

/** Sections of a resolver's `<http-data-source>`. */
const RESOLVER_SECTIONS = new Set(['http-request', 'backend', 'http-response']);

function rootOfCollection(collection: string): PolicyRoot {
  if (collection.toLowerCase() === 'policyfragments') return 'fragment';
  return collection.toLowerCase().includes('/resolvers/') ? 'http-data-source' : 'policies';
}

/** What a stored policy references, by the names APIM resolves them with. */
interface PolicyReferences {
  namedValues: string[];
  fragments: string[];
  backends: string[];
}

interface StoredPolicy {
  xml: string;
  raw: string;
  references: PolicyReferences;
}

const NAMED_VALUE_REFERENCE = /\{\{([A-Za-z0-9._-]+)\}\}/g;

interface Located {
  name: string;
  /** APIM reports a reference at the position of the element holding it. */
  element: PolicyElement;
}

function collectReferences(doc: PolicyDocument): { namedValues: Located[]; fragments: Located[]; backends: Located[] } {
  const found = { namedValues: [] as Located[], fragments: [] as Located[], backends: [] as Located[] };
  const scan = (element: PolicyElement, value: string) => {
    if (!value.includes('{{')) return;
    for (const m of value.matchAll(NAMED_VALUE_REFERENCE)) found.namedValues.push({ name: m[1], element });
  };
  walkElements(doc.root, (element) => {
    for (const attribute of element.attributes) scan(element, attribute.value);
    if (element.name === 'include-fragment') {
      const id = attributeValue(element, 'fragment-id');
      if (id) found.fragments.push({ name: id, element });
    }
    if (element.name === 'set-backend-service') {
      const id = attributeValue(element, 'backend-id');
      if (id && !id.startsWith('@') && !id.includes('{{')) found.backends.push({ name: id, element });
    }
    if (isLiquidBody(element)) return false;
    for (const child of element.children) if (child.type === 'text' || child.type === 'cdata') scan(element, child.value);
    return true;
  });
  return found;
}

const SECTION_NAMES = new Set<string>(SECTIONS);
const STATEMENT_NAMES = new Set([...POLICY_NAMES, 'base']);

/**
 * Elements APIM does not know where policy statements or sections belong: a section of `<policies>` that is
 * not inbound/backend/outbound/on-error, or a statement directly in a section or fragment that is no policy
 * (a typo such as `<rate-limt>`). Nested content (choose branches, policy children) is left to the linter.
 */
interface Unrecognised {
  element: PolicyElement;
  kind: 'policy' | 'policy section';
}

function unrecognisedElements(root: PolicyElement): Unrecognised[] {
  const elements = (parent: PolicyElement) => parent.children.filter((c): c is PolicyElement => c.type === 'element');
  const statements = (parent: PolicyElement): Unrecognised[] => elements(parent).filter((e) => !STATEMENT_NAMES.has(e.name)).map((element) => ({ element, kind: 'policy' }));
  if (root.name === 'fragment') return statements(root);
  // A resolver's sections hold data-source statements (set-url, http-request…) that scope policies do not know.
  if (root.name === 'http-data-source') return elements(root).filter((e) => !RESOLVER_SECTIONS.has(e.name)).map((element) => ({ element, kind: 'policy section' }));
  return elements(root).flatMap((section): Unrecognised[] => (SECTION_NAMES.has(section.name) ? statements(section) : [{ element: section, kind: 'policy section' }]));
}

function elementError(ref: Located, message: string): { code: string; target: string; message: string } {
  return { code: 'ValidationError', target: ref.element.name, message: `Error in element '${ref.element.name}' on line ${ref.element.pos.line}, column ${ref.element.pos.column}: ${message}` };
}

function namedValueNames(service: ServiceState): Set<string> {
  return new Set(service.list('namedValues').map((e) => String(e.properties.displayName).toLowerCase()));
}

/**
 * .NET XmlReader's wording for the mistakes raw expressions make in an `xml` document (a bare `&&`, a `<` in an
 * attribute or in text, a `"` closing an attribute early), so that what apiops shows for them reads like Azure's.
 */
function xmlReaderMessage(text: string, message: string, line: number, column: number): string {
  const at = text.replace(/\r\n?/g, '\n').split('\n')[line - 1]?.charAt(column - 1) ?? '';
  const hex = `0x${at.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  let reason = `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
  if (message.includes("'&'")) reason = 'An error occurred while parsing EntityName.';
  else if (message.startsWith("'<' is not allowed in the value of attribute")) reason = "'<', hexadecimal value 0x3C, is an invalid attribute character.";
  else if (message.startsWith('expected whitespace') && at) reason = `'${at}' is an unexpected token. Expecting white space.`;
  else if (message === 'invalid element name' && at) reason = `Name cannot begin with the '${at}' character, hexadecimal value ${hex}.`;
  return `${reason} Line ${line}, position ${column}.`;
}

/**
 * Parses, validates and stores a policy document. Throws APIM's ValidationError for malformed XML, a wrong root,
 * or a reference to something the service lacks.
 */
export function storePolicy(service: ServiceState, text: string, form: 'xml' | 'rawxml', root: PolicyRoot): StoredPolicy {
  const isFragment = root === 'fragment';
  const { document, findings } = parsePolicy(text, 'policy', { form, roots: POLICY_ROOTS });
  if (!document) {
    const finding = findings[0];
    const message = xmlReaderMessage(text, finding.message, finding.line, finding.column);
    throw validationError([{ code: 'ValidationError', target: 'representation', message: isFragment ? `The policy fragment is not a valid XML: ${message}` : message }]);
  }
  if (document.root.name !== root) {
    throw invalidField('representation', `The root element of a ${isFragment ? 'policy fragment' : 'policy'} must be <${root}>, not <${document.root.name}>.`);
  }
  const unrecognised = unrecognisedElements(document.root).map(({ element, kind }) => elementError({ name: element.name, element }, `'${element.name}' is not a recognised ${kind}.`));
  if (unrecognised.length) throw validationError(unrecognised);
  const found = collectReferences(document);
  const known = namedValueNames(service);
  const errors = [
    ...found.namedValues.filter((r) => !known.has(r.name.toLowerCase())).map((r) => elementError(r, `Cannot find a property '${r.name}'`)),
    ...found.fragments.filter((r) => !service.get('policyFragments', r.name)).map((r) => elementError(r, `Policy fragment with id '${r.name}' could not be found.`)),
    ...found.backends.filter((r) => !service.get('backends', r.name)).map((r) => elementError(r, `Backend with id '${r.name}' could not be found.`)),
  ];
  if (errors.length) throw validationError(errors);
  const unique = (refs: Located[]) => [...new Set(refs.map((r) => r.name.toLowerCase()))];
  return {
    xml: serializePolicy(document, { form: 'xml', style: 'apim' }),
    raw: serializePolicy(document, { form: 'rawxml', style: 'apim' }),
    references: { namedValues: unique(found.namedValues), fragments: unique(found.fragments), backends: unique(found.backends) },
  };
}

function storedPolicyOf(entity: Entity): StoredPolicy {
  return entity.hidden?.policy as StoredPolicy;
}

function formatOf(properties: Record<string, unknown>, formats: string[]): string {
  const format = String(properties.format ?? 'xml').toLowerCase();
  if (!formats.includes(format)) throw invalidField('format', `'${String(properties.format)}' is not a valid format; expected one of ${formats.join(', ')}.`);
  if (typeof properties.value !== 'string') throw invalidField('value', "'value' must be a string.");
  return format;
}

export function policyBehaviour(root: PolicyRoot): Behaviour {
  const isFragment = root === 'fragment';
  const formats = isFragment ? FRAGMENT_FORMATS : POLICY_FORMATS;
  return {
    async download(properties, env) {
      const format = formatOf(properties, formats);
      if (!format.endsWith('-link')) return properties;
      return { ...properties, format: format.replace(/-link$/, ''), value: await env.download(String(properties.value)) };
    },
    prepare({ request, properties }: WriteInput) {
      const form = formatOf(properties, formats) === 'rawxml' ? 'rawxml' : 'xml';
      const policy = storePolicy(request.service, properties.value as string, form, root);
      const stored: Record<string, unknown> = { ...properties, value: policy.xml };
      delete stored.format;
      return { properties: stored, hidden: { policy } };
    },
    // A policy names its format only when rawxml was asked for; a fragment always does.
    present(entity: Entity, request: ArmRequest) {
      if (request.query.get('format')?.toLowerCase() === 'rawxml') return { ...entity.properties, format: 'rawxml', value: storedPolicyOf(entity).raw };
      return isFragment ? { ...entity.properties, format: 'xml' } : entity.properties;
    },
    beforeDelete: isFragment ? (input) => refuseDeleteWhileUsed(input, 'Policy Fragment', (refs) => refs.fragments.includes(input.entity.name.toLowerCase())) : undefined,
    actions: isFragment
      ? {
          listReferences: ({ request, entity }: EntityInput) => {
            const users = policiesReferencing(request.service, (refs) => refs.fragments.includes(entity.name.toLowerCase()));
            const value = users.map((path) => ({ id: `${request.servicePath}${path}`, type: armTypeOfPolicyPath(path), name: path.split('/').pop() }));
            return { status: 200, body: { value, count: value.length, nextLink: '' } };
          },
        }
      : undefined,
  };
}

function armTypeOfPolicyPath(path: string): string {
  const collections = path.split('/').slice(1).filter((_, i) => i % 2 === 0);
  return `Microsoft.ApiManagement/service/${collections.join('/')}`;
}

/** Service-relative paths of every policy (and fragment) whose references satisfy `uses`. */
export function policiesReferencing(service: ServiceState, uses: (refs: PolicyReferences) => boolean): string[] {
  const paths: string[] = [];
  for (const pattern of POLICY_COLLECTIONS) {
    for (const { collection, entities } of service.collectionsMatching(pattern)) {
      for (const entity of entities) if (uses(storedPolicyOf(entity).references)) paths.push(displayPath(service, collection, entity));
    }
  }
  return paths;
}

/** APIM refuses to delete a fragment or named value that a policy still uses (409). */
export function refuseDeleteWhileUsed({ request, entity }: EntityInput, label: string, uses: (refs: PolicyReferences) => boolean): void {
  const users = policiesReferencing(request.service, uses);
  if (users.length) throw conflict(`The ${label} '${entity.name}' is used by the following entities: ${users.join(', ')}`);
}

/**
 * A named value's displayName changed: APIM rewrites `{{old}}` to `{{new}}` in every policy that uses it
 * (and re-validates them), so references keep working.
 */
export function renameNamedValueReferences(service: ServiceState, oldName: string, newName: string): void {
  const pattern = new RegExp(`\\{\\{${oldName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\}\\}`, 'gi');
  for (const collection of POLICY_COLLECTIONS) {
    for (const { collection: key, entities } of service.collectionsMatching(collection)) {
      for (const entity of entities) {
        const policy = storedPolicyOf(entity);
        if (!policy.references.namedValues.includes(oldName.toLowerCase())) continue;
        const renamed = storePolicy(service, policy.raw.replace(pattern, `{{${newName}}}`), 'rawxml', rootOfCollection(key));
        service.put(key, entity.name, { ...entity.properties, value: renamed.xml }, { ...entity.hidden, policy: renamed });
      }
    }
  }
}

/** The policy every new APIM instance starts with at the service (All APIs) scope. */
const DEFAULT_GLOBAL_POLICY = `<!--
    IMPORTANT:
    - Policy elements can appear only within the <inbound>, <outbound>, <backend> section elements.
    - To apply a policy to the incoming request (before it is forwarded to the backend service), place a corresponding policy element within the <inbound> section element.
    - To apply a policy to the outgoing response (before it is sent back to the caller), place a corresponding policy element within the <outbound> section element.
    - To add a policy, place the cursor at the desired insertion point and select a policy from the sidebar.
    - To remove a policy, delete the corresponding policy statement from the policy document.
    - Policies are applied in the order of their appearance, from the top down.
    - Comments within policy elements are not supported and may disappear. Place your comments between policy elements or at a higher level scope.
-->
<policies>
  <inbound></inbound>
  <backend>
    <forward-request />
  </backend>
  <outbound></outbound>
  <on-error></on-error>
</policies>`;

export function provisionGlobalPolicy(service: ServiceState): void {
  const policy = storePolicy(service, DEFAULT_GLOBAL_POLICY, 'rawxml', 'policies');
  service.put('policies', 'policy', { value: policy.xml }, { policy });
}

export type { PolicyReferences };
