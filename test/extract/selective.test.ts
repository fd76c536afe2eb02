import * as fs from 'fs';
import * as path from 'path';
import { connect, type ApimConnection } from '../../src/azure/client';
import { putResource } from '../../src/azure/write';
import { readLiveState } from '../../src/azure/read';
import { UserError } from '../../src/diagnostics';
import { loadRepository } from '../../src/repo';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { extractInstance } from '../../src/extract';
import { openApiFromOperations } from '../../src/extract/openapi';
import { mismatchedOperations, specificationText } from '../../src/extract/specification';
import { snapshot, TemporaryDirs } from './files';
import { SEED_BACKEND, SEED_FRAGMENT, SEED_FRAGMENT_EXPRESSION, SEED_NAMED_VALUE, SEED_PRODUCT, SEED_SECRET, seedApiId, seedInstance } from './seed';

/** Selective extraction against the emulator through the real SDK: what it reads, what it writes. */

const SCOPE = { subscriptionId: '00000000-0000-0000-0000-000000000001', resourceGroup: 'rg-extract', serviceName: 'apim-extract' };
const TEMPLATE = { env: 'test', values: {} };

interface Instance {
  emulator: RunningEmulator;
  connect(): ApimConnection;
}

const running: RunningEmulator[] = [];
const temporary = new TemporaryDirs('apiops-extract-selective');
const tempDir = (): string => temporary.create();

async function seededInstance(apiCount: number): Promise<Instance> {
  const emulator = await startEmulator({ port: 0 });
  running.push(emulator);
  const instance = { emulator, connect: () => connect(SCOPE, { endpoint: emulator.url, concurrency: 8 }) };
  await seedInstance(instance.connect(), apiCount, 5);
  return instance;
}

let small: Instance;
let large: Instance;

beforeAll(async () => {
  [small, large] = await Promise.all([seededInstance(5), seededInstance(300)]);
});

afterAll(async () => {
  await Promise.all(running.map((emulator) => emulator.close()));
  temporary.removeAll();
});

async function extractOne(instance: Instance, selection: { apis?: string[]; products?: string[] }): Promise<{ requests: number; files: string[]; texts: Map<string, string>; outDir: string }> {
  const connection = instance.connect();
  const outDir = tempDir();
  await extractInstance({ connection, outDir, template: TEMPLATE, ...selection });
  const texts = snapshot(outDir);
  return { requests: connection.requests.total, files: [...texts.keys()], texts, outDir };
}

/** What extracting one seeded API writes: the API, and the fragment, backend and named values its policy reaches. */
function filesOfSeededApi(index: number): string[] {
  const api = `apis/${seedApiId(index)}`;
  return [
    `${api}/api.yaml`,
    `${api}/openapi.yaml`,
    `${api}/policy.xml`,
    `backends/${SEED_BACKEND}.yaml`,
    `named-values/${SEED_NAMED_VALUE}.yaml`,
    `named-values/${SEED_SECRET}.yaml`,
    `policies/fragments/${SEED_FRAGMENT}.xml`,
  ];
}

describe('selective extraction', () => {
  it('costs the same handful of requests whether the instance has 5 or 300 APIs', async () => {
    const selection = { apis: [seedApiId(3)] };
    const [fromSmall, fromLarge] = [await extractOne(small, selection), await extractOne(large, selection)];
    expect(fromLarge.requests).toBe(fromSmall.requests);
    // 21, none of them a list of the instance's APIs: the API; its revisions, operations, policy, tags, operation tag
    // links, diagnostics, releases and schemas; one policy GET per operation (ARM lists no operation policies, and
    // nothing in an operation says it has none); the named values, backends and fragments its policies may reach;
    // then, with no specification file yet, the WSDL and WADL export probes (an http API imported from either looks
    // like any other http API) and the OpenAPI export with its download.
    expect(fromLarge.requests).toBeLessThanOrEqual(21);
    expect(fromLarge.files).toEqual(fromSmall.files);
    // Into the repository just extracted, whose specification still describes the operations: no export, 17.
    const again = large.connect();
    await extractInstance({ connection: again, outDir: fromLarge.outDir, template: TEMPLATE, ...selection });
    expect(again.requests.total).toBeLessThanOrEqual(17);
  });

  it('asks an API whose import created OpenAPI components for no WSDL or WADL: only an API imported from one can give it', async () => {
    const emulator = await startEmulator({ port: 0 });
    running.push(emulator);
    const instance = { emulator, connect: () => connect(SCOPE, { endpoint: emulator.url, concurrency: 8 }) };
    const item = { type: 'object', properties: { id: { type: 'string' } } };
    const specification = (components: boolean) =>
      JSON.stringify({
        openapi: '3.0.1',
        info: { title: 'Items', version: '1.0' },
        paths: { '/items': { get: { operationId: 'list-items', responses: { '200': { description: 'The items.', content: { 'application/json': { schema: components ? { $ref: '#/components/schemas/item' } : item } } } } } } },
        ...(components ? { components: { schemas: { item } } } : {}),
      });
    for (const [id, components] of [['typed', true], ['untyped', false]] as const) {
      await putResource(instance.connect(), { kind: 'api', ids: [id] }, { displayName: id, path: id, protocols: ['https'], format: 'openapi+json', value: specification(components) });
    }
    const [typed, untyped] = [await extractOne(instance, { apis: ['typed'] }), await extractOne(instance, { apis: ['untyped'] })];
    // Nothing tells that an API without imported schemas was not imported from a WSDL or a WADL: it costs both probes.
    expect(typed.requests).toBe(untyped.requests - 2);
    expect(typed.files).toEqual(['apis/typed/api.yaml', 'apis/typed/openapi.yaml']);
    expect(typed.texts.get('apis/typed/openapi.yaml')).toContain('$ref: "#/components/schemas/item"');
  });

  it('writes the selected API and only the fragments, backends and named values its policies reach', async () => {
    const { files, texts } = await extractOne(large, { apis: [seedApiId(3)] });
    expect(files).toEqual(filesOfSeededApi(3));
    // Fragments are listed in the escaped xml form: the file holds the expression as written.
    expect(texts.get(`policies/fragments/${SEED_FRAGMENT}.xml`)).toContain(`    ${SEED_FRAGMENT_EXPRESSION}\n`);
  });

  it('selects products by id, with their API lists and the APIs they hold, so the repository validates on its own', async () => {
    const fromSmall = await extractOne(small, { products: [SEED_PRODUCT] });
    const fromLarge = await extractOne(large, { products: [SEED_PRODUCT] });
    expect(fromLarge.requests).toBe(fromSmall.requests);
    expect(fromLarge.files).toEqual([...filesOfSeededApi(0), `products/${SEED_PRODUCT}/product.yaml`]);
    fs.writeFileSync(path.join(fromLarge.outDir, 'apiops.config.yaml'), 'environments:\n  test:\n    target: { emulator: .apiops/local }\n');
    expect(loadRepository(fromLarge.outDir).findings).toEqual([]);
    const outDir = tempDir();
    await extractInstance({ connection: large.connect(), outDir, template: TEMPLATE, products: [SEED_PRODUCT] });
    expect(fs.readFileSync(path.join(outDir, `products/${SEED_PRODUCT}/product.yaml`), 'utf8')).toBe(
      [
        '# yaml-language-server: $schema=../../schemas/product.schema.json',
        'displayName: Partners',
        'subscriptionRequired: true',
        'approvalRequired: false',
        'state: published',
        'apis:',
        `  - ${seedApiId(0)}`,
        '',
      ].join('\n'),
    );
  });

  it('names what the instance does not have', async () => {
    await expect(extractInstance({ connection: small.connect(), outDir: tempDir(), template: TEMPLATE, apis: ['no-such-api', seedApiId(1)] })).rejects.toThrow(
      new UserError("not found on the instance: API 'no-such-api'"),
    );
  });
});

describe('a specification built from operations (when export is unavailable)', () => {
  it('derives exactly the operations the instance has', async () => {
    const live = await readLiveState(small.connect(), { kinds: ['api', 'apiOperation'], apis: [seedApiId(2)] });
    const api = live.resources.find((resource) => resource.ref.kind === 'api')!;
    const operations = live.resources.filter((resource) => resource.ref.kind === 'apiOperation').map((resource) => ({ id: resource.ref.ids[1], properties: resource.properties }));
    expect(operations).toHaveLength(5);
    for (const file of ['apis/x/openapi.yaml', 'apis/x/openapi.json']) {
      const text = specificationText(file, openApiFromOperations(api.properties, operations));
      expect(mismatchedOperations(file, text, operations)).toEqual([]);
      expect(mismatchedOperations(file, text, operations.slice(1))).toEqual([operations[0].id]);
    }
  });

  it('is not kept when the instance has a query parameter or response the file lacks', async () => {
    const live = await readLiveState(small.connect(), { kinds: ['api', 'apiOperation'], apis: [seedApiId(2)] });
    const api = live.resources.find((resource) => resource.ref.kind === 'api')!;
    const operations = live.resources.filter((resource) => resource.ref.kind === 'apiOperation').map((resource) => ({ id: resource.ref.ids[1], properties: resource.properties }));
    const file = 'apis/x/openapi.yaml';
    const text = specificationText(file, openApiFromOperations(api.properties, operations));
    const [first, ...rest] = operations;
    const request = (first.properties.request ?? {}) as { queryParameters?: unknown[] };
    const withQuery = { ...first, properties: { ...first.properties, request: { ...request, queryParameters: [...(request.queryParameters ?? []), { name: 'expand', type: 'string', required: false }] } } };
    expect(mismatchedOperations(file, text, [withQuery, ...rest])).toEqual([first.id]);
    const withResponse = { ...first, properties: { ...first.properties, responses: [...((first.properties.responses as unknown[]) ?? []), { statusCode: 418 }] } };
    expect(mismatchedOperations(file, text, [withResponse, ...rest])).toEqual([first.id]);
  });
});
