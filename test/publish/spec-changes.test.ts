import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { loadAndRender } from '../../src/render';
import { copySample, editFile, removeDir, runJson, tempDir, writes } from './helpers';

/**
 * Specification edits end to end (the sample's `local` environment: embedded emulator, real SDK over HTTP). The plan
 * compares the operations a specification gives with the live ones; an edit APIM would record shows as a re-import
 * of that API, one that it would not record shows as nothing.
 */

const LOCAL = ['--env', 'local'];
const CATALOG_SPEC = 'apis/media-catalog/openapi.yaml';
const GENRE_PARAMETER = '        - name: genre\n          in: query\n          schema: { type: string }\n';

type Change = { action: string; kind: string; id: string; fields?: string[] };

/** A copy of the sample, published once (its emulator state included), for each test to start from. */
let published: string;
let root: string;

beforeAll(async () => {
  published = copySample();
  const cold = await runJson(published, ['publish', ...LOCAL]);
  expect(cold.code).toBe(0);
});
afterAll(() => removeDir(published));

beforeEach(() => {
  root = tempDir('spec');
  fs.cpSync(published, root, { recursive: true });
});
afterEach(() => removeDir(root));

async function expectConverged(): Promise<void> {
  const diff = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
  expect(diff.json.changes).toEqual([]);
  expect(diff.code).toBe(0);
  const again = await runJson(root, ['publish', ...LOCAL]);
  expect(again.json.applied).toEqual([]);
  expect(writes(again.json.requests)).toBe(0);
}

it('a required query parameter (a URL-template parameter for APIM) shows no change right after publish', async () => {
  // A cold publish: a fresh instance.
  fs.rmSync(path.join(root, '.apiops'), { recursive: true, force: true });
  editFile(root, CATALOG_SPEC, (text) => text.replace(GENRE_PARAMETER, GENRE_PARAMETER.replace('schema', 'required: true\n          schema')));
  const listTitles = loadAndRender(root, 'local').desired.resources.find((r) => r.ref.kind === 'apiOperation' && r.ref.ids[1] === 'listTitles');
  expect(listTitles?.properties).toMatchObject({
    urlTemplate: '/titles?genre={genre}',
    templateParameters: [{ name: 'genre', type: 'string', required: true }],
    request: { queryParameters: [{ name: '$top', type: 'integer', required: false }, { name: '$skip', type: 'integer', required: false }], headers: [] },
  });
  const cold = await runJson(root, ['publish', ...LOCAL]);
  expect(cold.code).toBe(0);
  expect(cold.json.summary.create).toBeGreaterThan(0);
  await expectConverged();
});

describe('a specification edit APIM records re-imports that API once, then converges', () => {
  it.each<[string, string, (text: string) => string, string, string]>([
    ['an optional query parameter added', CATALOG_SPEC, (t) => t.replace(GENRE_PARAMETER, `${GENRE_PARAMETER}        - { name: sort, in: query, schema: { type: string } }\n`), 'listTitles', 'request'],
    ['a query parameter made required', CATALOG_SPEC, (t) => t.replace(GENRE_PARAMETER, GENRE_PARAMETER.replace('schema', 'required: true\n          schema')), 'listTitles', 'urlTemplate'],
    ['a query parameter retyped', CATALOG_SPEC, (t) => t.replace("name: $top\n      in: query\n      schema: { type: integer", "name: $top\n      in: query\n      schema: { type: number"), 'listTitles', 'request'],
    ['a header added', CATALOG_SPEC, (t) => t.replace('      summary: List genres\n', '      summary: List genres\n      parameters:\n        - { name: Accept-Language, in: header, schema: { type: string } }\n'), 'listGenres', 'request'],
    ['a response added', CATALOG_SPEC, (t) => t.replace("        '404':\n          description: No such title.\n", "        '404':\n          description: No such title.\n        '410':\n          description: Withdrawn.\n"), 'getTitle', 'responses'],
    ['a response removed', CATALOG_SPEC, (t) => t.replace("        '404':\n          description: No such title.\n", ''), 'getTitle', 'responses'],
  ])('%s', async (_name, file, edit, operationId, field) => {
    const before = fs.readFileSync(path.join(root, file), 'utf8');
    editFile(root, file, edit);
    expect(fs.readFileSync(path.join(root, file), 'utf8')).not.toBe(before);

    const diff = await runJson(root, ['diff', ...LOCAL]);
    const changes = diff.json.changes as Change[];
    expect(changes).toEqual([
      { action: 'update', kind: 'api', id: 'media-catalog', fields: ['specification'] },
      { action: 'update', kind: 'apiOperation', id: `media-catalog/${operationId}`, fields: expect.arrayContaining([field]) },
    ]);

    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(publish.code).toBe(0);
    // The API's specification import (media-catalog has no operation policies to write again after it).
    expect(writes(publish.json.requests)).toBe(1);
    expect(publish.json.requests.PUT).toBe(1);
    await expectConverged();
  });
});

it('a specification rewritten without changing what APIM records shows no change', async () => {
  // Key order, quoting, flow style, the order of parameters and responses, an inlined $ref.
  const catalog = YAML.parse(fs.readFileSync(path.join(root, CATALOG_SPEC), 'utf8'));
  const listTitles = catalog.paths['/titles'].get;
  listTitles.parameters = [...listTitles.parameters].reverse();
  listTitles.parameters[0] = catalog.components.parameters.skip;
  const getTitle = catalog.paths['/titles/{titleId}'].get;
  getTitle.responses = { '404': getTitle.responses['404'], '200': getTitle.responses['200'] };
  const reordered = Object.fromEntries(Object.entries(catalog).reverse());
  fs.writeFileSync(path.join(root, CATALOG_SPEC), new YAML.Document(reordered).toString({ indent: 4, defaultStringType: 'QUOTE_DOUBLE', collectionStyle: 'flow' }));
  const ordersFile = path.join(root, 'apis/media-orders/openapi.json');
  fs.writeFileSync(ordersFile, JSON.stringify(JSON.parse(fs.readFileSync(ordersFile, 'utf8')), null, 4).replace(/\n/g, '\r\n'));

  await expectConverged();
});
