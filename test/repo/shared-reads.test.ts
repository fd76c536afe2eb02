import * as yaml from 'yaml';
import { sharingReads } from '../../src/repo/sharing';
import { loadSpecificationFile } from '../../src/repo/specifications';
import { parseYaml } from '../../src/repo/yaml';

// The yaml library's exports cannot be spied on: the module is replaced by one whose parseDocument counts its calls.
jest.mock('yaml', () => {
  const actual = jest.requireActual('yaml');
  return { ...actual, parseDocument: jest.fn(actual.parseDocument) };
});
const parseDocument = yaml.parseDocument as jest.Mock;

describe('sharingReads', () => {
  const text = 'displayName: Orders\nnested:\n  deeper: { key: 1 }\n';
  type Api = { nested: { deeper: { key: number } } };

  beforeEach(() => parseDocument.mockClear());

  it('parses a YAML file once while its text is unchanged, each read getting its own data', () => {
    const [first, second, changed] = sharingReads(() => [
      parseYaml<Api>('apis/x/api.yaml', text),
      parseYaml<Api>('apis/x/api.yaml', text),
      parseYaml<{ displayName: string }>('apis/x/api.yaml', 'displayName: Changed\n'),
    ]);
    expect(parseDocument).toHaveBeenCalledTimes(2);
    first.document!.data.nested.deeper.key = 2;
    expect(second.document!.data.nested.deeper.key).toBe(1);
    expect(second.document!.locate(['nested', 'deeper', 'key'])).toEqual({ file: 'apis/x/api.yaml', line: 3, column: 18 });
    expect(changed.document!.data).toEqual({ displayName: 'Changed' });
  });

  it('shares a parse that failed, each read getting the findings', () => {
    const [broken, again] = sharingReads(() => [parseYaml('x.yaml', 'a: [\n'), parseYaml('x.yaml', 'a: [\n')]);
    // The first read parses it twice (the second time for the library's own findings), the second not at all.
    expect(parseDocument).toHaveBeenCalledTimes(2);
    expect(again.findings).toEqual(broken.findings);
    expect(again.findings[0]).toMatchObject({ rule: 'schema', file: 'x.yaml' });
  });

  it('loads a specification once per text and options, each load getting its own operations', () => {
    const spec = 'openapi: 3.0.3\ninfo: { title: T, version: "1" }\npaths:\n  /a:\n    get: { operationId: getA, responses: { "200": { description: OK } } }\n';
    const [first, second, soap] = sharingReads(() => [
      loadSpecificationFile('apis/x/openapi.yaml', spec),
      loadSpecificationFile('apis/x/openapi.yaml', spec),
      loadSpecificationFile('apis/x/openapi.yaml', spec, { type: 'soap' }),
    ]);
    expect(parseDocument).toHaveBeenCalledTimes(1);
    expect(first.specification!.operations.map((op) => op.id)).toEqual(['getA']);
    first.specification!.operations.pop();
    expect(second.specification!.operations.map((op) => op.id)).toEqual(['getA']);
    expect(soap.specification).toEqual(second.specification);
  });

  it('keeps nothing once it returns, and nothing outside it', () => {
    sharingReads(() => parseYaml('apis/x/api.yaml', text));
    parseYaml('apis/x/api.yaml', text);
    parseYaml('apis/x/api.yaml', text);
    expect(parseDocument).toHaveBeenCalledTimes(3);
  });
});
