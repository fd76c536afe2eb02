import { loadRepository } from '../../src/repo';
import { fileNameOf } from '../../src/resources/file-names';
import { makeRepo, removeRepo, type RepoFiles } from '../fixtures/repo';

/** The loader reads ids from file and folder names as extract writes them (src/resources/file-names.ts). */

function load(overrides: RepoFiles) {
  const root = makeRepo(overrides);
  try {
    return loadRepository(root);
  } finally {
    removeRepo(root);
  }
}

const LONG_ID = `setting-${'x'.repeat(248)}`;
const LONG_NAME = fileNameOf(LONG_ID, '.yaml').name;

describe('ids from file names', () => {
  it('reads escaped names, and a shortened name with the id its file gives', () => {
    const { model, findings } = load({
      'named-values/%2Ehidden.yaml': 'displayName: hidden-setting\nvalue: h\n',
      'named-values/pipe%7C.yaml': 'displayName: pipe\nvalue: "50"\n',
      [`named-values/${LONG_NAME}`]: `id: ${LONG_ID}\ndisplayName: long-setting\nvalue: l\n`,
      'named-values/café.yaml': 'displayName: cafe\nvalue: c\n',
    });
    expect(findings).toEqual([]);
    expect(model.namedValues.map((namedValue) => namedValue.id).sort()).toEqual(['.hidden', 'pipe|', 'café', LONG_ID, 'support-email'].sort());
  });

  it('reports a name apiops would not write, a shortened name without its id, and an id that does not match its name', () => {
    const { findings } = load({
      'named-values/%2ehidden.yaml': 'displayName: hidden-setting\nvalue: h\n',
      [`named-values/${LONG_NAME}`]: 'displayName: long-setting\nvalue: l\n',
      'named-values/other.yaml': 'id: something-else\ndisplayName: other\nvalue: o\n',
      'backends/%2E%2E.yaml': 'url: https://x.example\nprotocol: http\n',
    });
    expect(findings.map(({ file, line, message }) => ({ file, line, message }))).toEqual(
      expect.arrayContaining([
        { file: 'named-values/%2ehidden.yaml', line: 1, message: "the name '%2ehidden.yaml' is not how apiops writes id '.hidden': rename it to '%2Ehidden.yaml'" },
        { file: `named-values/${LONG_NAME}`, line: 1, message: `'${LONG_NAME}' is a shortened name (ending in %~ and a hash): the full id must be given as \`id:\`` },
        { file: 'named-values/other.yaml', line: 1, message: "id 'something-else' does not match the name 'other.yaml': the name for this id is 'something-else.yaml'" },
        { file: 'backends/%2E%2E.yaml', line: 1, message: 'backend id \'..\' ends with a period or holds ".."' },
      ]),
    );
  });

  it('matches a shortened operation policy name to the specification operationId it stands for', () => {
    const operationId = 'e\u0301'.repeat(40);
    const specification = `openapi: 3.0.1\ninfo: { title: Orders, version: "1" }\npaths:\n  /orders:\n    get:\n      operationId: "${operationId}"\n      responses: { '200': { description: OK } }\n`;
    const name = fileNameOf(operationId, '.xml').name;
    expect(name).toMatch(/%~[0-9a-f]{12}\.xml$/);
    const { model, findings } = load({ 'apis/orders/openapi.yaml': specification, [`apis/orders/operations/${name}`]: '<policies><inbound><base /></inbound></policies>\n' });
    expect(findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(Object.keys(model.apis[0].operationPolicies)).toEqual([operationId]);
  });

  it('reads a shortened product folder by the id its product.yaml gives', () => {
    const productId = 'p'.repeat(256);
    const folder = fileNameOf(productId).name;
    const { model, findings } = load({ [`products/${folder}/product.yaml`]: `id: ${productId}\ndisplayName: Long\nsubscriptionRequired: true\napis: [orders]\n` });
    expect(findings.filter((finding) => finding.rule === 'schema')).toEqual([]);
    expect(model.products.map((product) => product.id)).toContain(productId);
  });
});
