import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { matchRoute } from '../../src/emulator/routes';

/**
 * Fidelity check: replays Microsoft's ARM examples for api-version 2024-05-01 against the emulator. Each
 * example runs in a service of its own; what it needs (parents, referenced entities, the entity itself for
 * reads and deletes) is created first. The emulator must answer with one of the example's status codes, an id
 * of the same shape ending in the name as written, the same resource type, and every property the example both
 * sends and gets back, with the value the example gets back when that is the value it sent.
 */

/** Vendored copies (see test/fixtures/arm-examples/NOTICE.md for their provenance and licence). */
const EXAMPLES = path.resolve(__dirname, '..', 'fixtures', 'arm-examples', '2024-05-01');
const INDEX: Array<{ operationId: string; method: string; pathTemplate: string; example: string }> = JSON.parse(
  fs.readFileSync(path.join(EXAMPLES, 'index.json'), 'utf8'),
);

/**
 * The documents that stand in for the internet links some import examples name (written for these tests, see
 * test/fixtures/arm-examples/NOTICE.md): the emulator reads them instead of going online.
 */
const LINKS_DIR = path.resolve(__dirname, '..', 'fixtures', 'arm-examples', 'links');
const LINKS: Record<string, string> = Object.fromEntries(
  Object.entries(JSON.parse(fs.readFileSync(path.join(LINKS_DIR, 'links.json'), 'utf8')) as Record<string, string>).map(([url, file]) => [url, path.join(LINKS_DIR, file)]),
);

/** Classic link paths join two entities: the other one must exist first (and some are created from the other side). */
const CLASSIC_LINKS: Record<string, (s: string[]) => { other: string[]; via?: string[]; viaBody?: Record<string, unknown> }> = {
  'products/{productId}/subscriptions/{sid}': (s) => ({ other: ['products', s[1]], via: ['subscriptions', s[3]], viaBody: { displayName: s[3], scope: `/products/${s[1]}` } }),
  'products/{productId}/apis/{apiId}': (s) => ({ other: ['apis', s[3]] }),
  'products/{productId}/groups/{groupId}': (s) => ({ other: ['groups', s[3]] }),
  'products/{productId}/tags/{tagId}': (s) => ({ other: ['tags', s[3]] }),
  'apis/{apiId}/tags/{tagId}': (s) => ({ other: ['tags', s[3]] }),
  'apis/{apiId}/operations/{operationId}/tags/{tagId}': (s) => ({ other: ['tags', s[5]] }),
  'apis/{apiId}/products/{productId}': (s) => ({ other: ['products', s[3]], via: ['products', s[3], 'apis', s[1]] }),
};

/** Examples whose response id or type contradicts the rest of the examples; the status and properties are still checked. */
const SHAPE_ERRATA: Record<string, string> = {
  'ApiManagementCreateApiPolicyNonXmlEncoded.json': 'an API policy typed as an operation policy',
  'ApiManagementCreateProductGroupLink.json': "type and id collection 'products/groupLinkId'",
  'ApiManagementCreateProductApi.json': 'typed service/apis, where listing the same link gives products/apis',
};

const PLAIN_POLICY = '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>';
const PLAIN_RESOLVER_POLICY = '<http-data-source><http-request><set-method>GET</set-method><set-url>https://seeded.example.com/users</set-url></http-request></http-data-source>';

function seedBody(template: string, segments: string[]): Record<string, unknown> {
  const name = segments[segments.length - 1];
  if (template === 'apis/{apiId}/resolvers/{resolverId}/policies/policy') return { format: 'rawxml', value: PLAIN_RESOLVER_POLICY };
  if (template.endsWith('policies/policy')) return { format: 'rawxml', value: PLAIN_POLICY };
  switch (template) {
    case 'apis/{apiId}': return { displayName: name, path: `seeded/${name}` };
    case 'apis/{apiId}/operations/{operationId}': return { displayName: name, method: 'GET', urlTemplate: `/${name}` };
    case 'namedValues/{namedValueId}': return { displayName: name, value: 'seeded' };
    case 'backends/{backendId}': return { url: 'https://seeded.example.com', protocol: 'http' };
    case 'policyFragments/{policyFragmentId}': return { format: 'rawxml', value: '<fragment><set-header name="x" exists-action="delete" /></fragment>' };
    case 'apiVersionSets/{versionSetId}': return { displayName: name, versioningScheme: 'Segment' };
    case 'subscriptions/{sid}': return { displayName: name, scope: '/apis' };
    case 'loggers/{loggerId}': return { loggerType: 'azureEventHub', credentials: { name: 'seeded', connectionString: 'Endpoint=sb://seeded.servicebus.windows.net/;SharedAccessKeyName=seeded;SharedAccessKey=c2VlZGVk' } };
    case 'diagnostics/{diagnosticId}':
    case 'apis/{apiId}/diagnostics/{diagnosticId}': return { loggerId: '/loggers/seeded-logger' };
    case 'apis/{apiId}/releases/{releaseId}': return { apiId: `/apis/${segments[1]}` };
    case 'apis/{apiId}/schemas/{schemaId}': return { contentType: 'application/vnd.oai.openapi.components+json', document: { components: { schemas: {} } } };
    case 'apis/{apiId}/resolvers/{resolverId}': return { displayName: name, path: `Query/${name}` };
    case 'users/{userId}': return { email: `${name}@example.com`, firstName: 'Seeded', lastName: 'User' };
    case 'products/{productId}/apiLinks/{apiLinkId}': return { apiId: '/apis/seeded-api' };
    case 'tags/{tagId}/apiLinks/{apiLinkId}': return { apiId: '/apis/seeded-api' };
    case 'products/{productId}/groupLinks/{groupLinkId}': return { groupId: '/groups/developers' };
    case 'tags/{tagId}/productLinks/{productLinkId}': return { productId: '/products/seeded-product' };
    case 'tags/{tagId}/operationLinks/{operationLinkId}': return { operationId: '/apis/seeded-api/operations/seeded-op' };
    default: return { displayName: name };
  }
}

class Replayer {
  constructor(
    private readonly emulator: RunningEmulator,
    private readonly servicePath: string,
  ) {}

  async call(method: string, relative: string, query: string, body?: unknown, ifMatch?: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.emulator.url}${this.servicePath}/${relative}?api-version=2024-05-01${query}`, {
      method,
      headers: { Authorization: 'Bearer apiops-emulator-token', 'Content-Type': 'application/json', ...(ifMatch ? { 'If-Match': ifMatch } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Creates the entity at these segments if it is missing (and, first, whatever it needs). */
  async ensure(segments: string[], properties?: Record<string, unknown>): Promise<void> {
    const match = matchRoute(segments);
    if (!match || match.mode !== 'entity') return;
    if ((await this.call('GET', segments.map(encodeURIComponent).join('/'), '')).status === 200) return;
    for (let depth = 2; depth < segments.length; depth += 2) await this.ensure(segments.slice(0, depth));
    const linked = CLASSIC_LINKS[match.route.template]?.(segments);
    if (linked) {
      await this.ensure(linked.other);
      if (linked.via) return this.ensure(linked.via, linked.viaBody);
    }
    const body = properties ?? seedBody(match.route.template, segments);
    await this.ensureReferences(body);
    const created = await this.call('PUT', segments.map(encodeURIComponent).join('/'), '', { properties: body });
    if (created.status >= 300) throw new Error(`seeding /${segments.join('/')} failed: ${JSON.stringify(created.body)}`);
  }

  /** Creates what a request body points at: id properties (`apiId`, `scope`…) and a policy's named values. */
  async ensureReferences(properties: Record<string, unknown>): Promise<void> {
    if (typeof properties.value === 'string') {
      for (const m of properties.value.matchAll(/\{\{([A-Za-z0-9._-]+)\}\}/g)) await this.ensure(['namedValues', m[1]]);
    }
    for (const key of ['apiId', 'groupId', 'productId', 'operationId', 'scope', 'apiVersionSetId', 'sourceApiId', 'loggerId']) {
      const value = properties[key];
      if (typeof value !== 'string') continue;
      const at = value.toLowerCase().indexOf('/service/');
      const relative = at >= 0 ? value.slice(at + '/service/'.length).split('/').slice(1) : value.split('/').filter(Boolean);
      if (relative.length >= 2) await this.ensure(relative.map(decodeURIComponent));
    }
  }
}

/**
 * Properties whose value the emulator returns in APIM's own form rather than as the example shows it: the example
 * policy comes back indented with spaces, where apim-behaviour.md (and the diff) rely on tabs.
 */
const NORMALISED_VALUES: Record<string, string[]> = {
  'ApiManagementCreatePolicy.json': ['value'],
};

/** An id's path below the service with names masked (`apis/*\/operations/*`): the example's names are its own. */
function idShape(id: string): string {
  const relative = id.replace(/^.*?\/providers\/Microsoft\.ApiManagement\/service\/[^/]+\/?/i, '');
  return relative.split('/').map((segment, i) => (i % 2 === 0 ? segment.toLowerCase() : '*')).join('/');
}

/** Compares one returned resource with the example's: the id's shape, the name written as is at its end, the type. */
function expectSameShape(file: string, expected: any, actual: any): void {
  if (!expected?.id || SHAPE_ERRATA[file]) return;
  expect(idShape(actual.id)).toBe(idShape(expected.id));
  if (expected.name) expect(actual.id.endsWith(`/${actual.name}`)).toBe(true);
  if (expected.type) expect(actual.type).toBe(expected.type);
}

function propertyKeysBothWays(example: any, status: string): string[] {
  const sent = example.parameters.parameters?.properties ?? {};
  const returned = example.responses[status]?.body?.properties ?? {};
  return Object.keys(sent).filter((k) => k in returned);
}

describe('replaying Microsoft ARM examples (2024-05-01)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ links: LINKS });
  });
  afterAll(() => emulator.close());

  it('has the examples to replay', () => {
    expect(INDEX.length).toBe(204);
  });

  it.each(INDEX.map((entry, i) => [entry.operationId, entry.example, i] as const))('%s (%s)', async (_operationId, file, i) => {
    const entry = INDEX[i];
    const example = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'examples', file), 'utf8'));
    const parameters = example.parameters;
    const serviceName = `replay-${i}`;
    const servicePath = `/subscriptions/${parameters.subscriptionId}/resourceGroups/${parameters.resourceGroupName}/providers/Microsoft.ApiManagement/service/${serviceName}`;
    const replayer = new Replayer(emulator, servicePath);
    const relativeTemplate = entry.pathTemplate.replace(/^.*\/service\/\{serviceName\}\/?/, '').replace(/\?.*$/, '');
    const segments = relativeTemplate ? relativeTemplate.split('/').map((s) => (s.startsWith('{') ? String(parameters[s.slice(1, -1)]) : s)) : [];
    const extraQuery = ['format', 'export', 'deleteSubscriptions'].filter((k) => parameters[k] !== undefined).map((k) => `&${k}=${encodeURIComponent(String(parameters[k]))}`).join('');

    const isAction = entry.method === 'POST';
    const target = isAction ? segments.slice(0, -1) : segments;
    // The example's ids name its own service; here they must name this one.
    const body = parameters.parameters && JSON.parse(JSON.stringify(parameters.parameters).split(`/service/${parameters.serviceName}/`).join(`/service/${serviceName}/`));
    if (entry.method === 'PUT') {
      for (let depth = 2; depth < target.length; depth += 2) await replayer.ensure(target.slice(0, depth));
      const linked = CLASSIC_LINKS[matchRoute(target)?.route.template ?? '']?.(target);
      if (linked) await replayer.ensure(linked.other);
      await replayer.ensureReferences(body?.properties ?? {});
    } else if (target.length && matchRoute(target)?.mode === 'entity') {
      await replayer.ensure(target);
      if (entry.method === 'PATCH') await replayer.ensureReferences(body?.properties ?? {});
      if (entry.operationId === 'PolicyFragment_ListReferences') {
        await replayer.call('PUT', 'policies/policy', '', { properties: { format: 'rawxml', value: `<policies><inbound><include-fragment fragment-id="${target[1]}" /></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>` } });
      }
    } else if (entry.method === 'GET') {
      // A list: its owner must exist, and it should hold the example's first item, so there is something to compare.
      for (let depth = 2; depth < target.length; depth += 2) await replayer.ensure(target.slice(0, depth));
      const first = Object.values(example.responses as Record<string, { body?: { value?: Array<{ name?: string }> } }>)[0]?.body?.value?.[0]?.name;
      if (first && matchRoute([...target, first])?.mode === 'entity') await replayer.ensure([...target, first]);
    }

    const sent = entry.method === 'PUT' || entry.method === 'PATCH' ? body : undefined;
    const reply = await replayer.call(entry.method, segments.map(encodeURIComponent).join('/'), extraQuery, sent, parameters['If-Match']);
    const statuses = Object.keys(example.responses).filter((s) => s !== 'default');
    expect(statuses).toContain(String(reply.status));
    const expected = example.responses[String(reply.status)]?.body;
    if (!expected || entry.method === 'HEAD') return;
    if (Array.isArray(expected.value)) {
      expect(Array.isArray(reply.body.value)).toBe(true);
      if (expected.value[0]?.id) expectSameShape(file, expected.value[0], reply.body.value.find((v: { type?: string }) => v.type === expected.value[0].type) ?? reply.body.value[0]);
      return;
    }
    expectSameShape(file, expected, reply.body);
    for (const key of propertyKeysBothWays(example, String(reply.status))) {
      expect(Object.keys(reply.body.properties)).toContain(key);
      // What the example echoes unchanged, the emulator must echo unchanged too.
      const [sentValue, returnedValue] = [body.properties[key], expected.properties[key]];
      if (JSON.stringify(sentValue) === JSON.stringify(returnedValue) && !NORMALISED_VALUES[file]?.includes(key)) expect(reply.body.properties[key]).toEqual(sentValue);
    }
    for (const key of Object.keys(expected).filter((k) => k !== 'properties' && k !== 'etag' && k !== 'tags' && k !== 'sku' && k !== 'identity' && k !== 'systemData' && k !== 'zones')) {
      expect(reply.body).toHaveProperty(key);
    }
  });
});
