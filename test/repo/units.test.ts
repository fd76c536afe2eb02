import { checkId, loadSpecification, parseYaml, validateAgainstSchema } from '../../src/repo';

describe('parseYaml', () => {
  const text = 'displayName: Orders\nprotocols:\n  - https\n  - http\nnested:\n  deeper: { key: 1 }\n';

  it('locates values (and keys) by path, falling back to the nearest ancestor', () => {
    const { document } = parseYaml<unknown>('apis/x/api.yaml', text);
    expect(document!.locate(['displayName'])).toEqual({ file: 'apis/x/api.yaml', line: 1, column: 14 });
    expect(document!.locate(['protocols', 1])).toEqual({ file: 'apis/x/api.yaml', line: 4, column: 5 });
    expect(document!.locate(['nested', 'deeper', 'key'])).toEqual({ file: 'apis/x/api.yaml', line: 6, column: 18 });
    expect(document!.locateKey!(['nested', 'deeper'])).toEqual({ file: 'apis/x/api.yaml', line: 6, column: 3 });
    expect(document!.locate(['nested', 'absent'])).toEqual({ file: 'apis/x/api.yaml', line: 6, column: 3 });
    expect(document!.locate([])).toEqual({ file: 'apis/x/api.yaml', line: 1, column: 1 });
    expect(document!.text).toBe(text);
  });

  it('reads JSON (with positions) and expands a few aliases', () => {
    const json = parseYaml<{ a: { b: number[] } }>('x.json', '{\n  "a": {\n    "b": [1, 2]\n  }\n}');
    expect(json.document!.data).toEqual({ a: { b: [1, 2] } });
    expect(json.document!.locate(['a', 'b', 1])).toMatchObject({ line: 3, column: 14 });
    const aliased = parseYaml<Record<string, unknown>>('x.yaml', 'base: &v { x: 1 }\ncopy: *v\n');
    expect(aliased.document!.data.copy).toEqual({ x: 1 });
  });

  it('honours merge keys (<<: *anchor), with the explicit keys of the map winning', () => {
    const config = 'dev:\n  values: &dev { tenantId: t, calls: 60 }\nprod:\n  values:\n    <<: *dev\n    calls: 600\n';
    const { document, findings } = parseYaml<{ prod: { values: unknown } }>('apiops.config.yaml', config);
    expect(findings).toEqual([]);
    expect(document!.data.prod.values).toEqual({ tenantId: 't', calls: 600 });
  });

  it('reports a key repeated at any depth (block, flow, inside a list) where it is repeated, and only a repeated one', () => {
    const repeated = (text: string) => parseYaml('x.yaml', text).findings.map((f) => `${f.line} ${f.message}`);
    expect(repeated('a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n')).toEqual(["5 duplicate key 'c' (first on line 3)"]);
    expect(repeated('list:\n  - { x: 1, y: 2, x: 3 }\n')).toEqual(["2 duplicate key 'x' (first on line 2)"]);
    expect(repeated('a: 1\n"1": one\n1: number\n.nan: x\n.nan: y\n')).toEqual([]);
    expect(parseYaml<Record<string, unknown>>('x.yaml', 'a: 1\n"1": one\n1: number\n').document!.data).toEqual({ a: 1, 1: 'number' });
  });

  it('reports every syntax error with its position, and a second document', () => {
    expect(parseYaml('x.yaml', 'a: 1\nb: [\n').findings[0]).toMatchObject({ rule: 'schema', file: 'x.yaml', line: 3 });
    expect(parseYaml('x.yaml', 'a: 1\n---\nb: 2\n').findings[0]).toMatchObject({ rule: 'schema', line: 2, message: expect.stringMatching(/^more than one YAML document/) });
  });
});

describe('validateAgainstSchema', () => {
  const problems = (name: Parameters<typeof validateAgainstSchema>[0], text: string) =>
    validateAgainstSchema(name, parseYaml<unknown>('f.yaml', text).document!).map((p) => `${p.finding.line}:${p.finding.column} ${p.finding.message}`);

  it('names the property and points at it', () => {
    expect(problems('api', 'path: orders\nprotocols: [https]\nsubscriptionRequired: "yes"\n')).toEqual([
      "1:1 missing required property 'displayName'",
      '3:23 subscriptionRequired: must be boolean',
    ]);
    expect(problems('backend', 'url: https://x.example\nprotocol: http\ntls:\n  validateChain: true\n')).toEqual(['4:3 tls.validateChain: unknown property']);
  });

  it('says which alternatives conflict instead of listing every failed branch', () => {
    expect(problems('named-value', 'displayName: n\n')).toEqual(['1:1 a named value has exactly one of value, valueFromEnv (with secret: true) or keyVault']);
    expect(problems('named-value', 'displayName: n\nvalueFromEnv: N\n')).toEqual(["1:1 missing required property 'secret'"]);
  });

  it('points at the later of two keys that exclude each other, not at the start of the file', () => {
    expect(problems('api', 'displayName: A\npath: a\nserviceUrl: https://a.example\nbackend: b\n')).toEqual(['4:1 serviceUrl and backend are alternatives']);
    expect(problems('api', 'displayName: A\nbackend: b\npath: a\nserviceUrl: https://a.example\n')).toEqual(['4:1 serviceUrl and backend are alternatives']);
    expect(problems('named-value', '# yaml-language-server: $schema=../schemas/named-value.schema.json\ndisplayName: n\nkeyVault:\n  secretIdentifier: https://kv.vault.azure.net/secrets/s\nvalue: v\n')).toEqual([
      '5:1 a named value has exactly one of value, valueFromEnv (with secret: true) or keyVault',
    ]);
    expect(problems('named-value', 'displayName: n\nvalue: v\nsecret: true\n')).toEqual(['3:1 a secret value must not live in the repository: use valueFromEnv or keyVault']);
    expect(problems('product', 'displayName: P\nsubscriptionRequired: false\napprovalRequired: true\n')).toEqual([
      '3:1 approvalRequired and subscriptionsLimit apply only to products with subscriptionRequired: true',
    ]);
    expect(problems('product', '{ displayName: P, subscriptionsLimit: 3, subscriptionRequired: false }')).toEqual([
      '1:19 approvalRequired and subscriptionsLimit apply only to products with subscriptionRequired: true',
    ]);
  });

  it('checks environment names and targets in the configuration', () => {
    expect(problems('apiops-config', 'environments:\n  "bad name":\n    target: { emulator: x }\n')).toEqual([expect.stringMatching(/^2:3 environments\.bad name: invalid name/)]);
    expect(problems('apiops-config', 'environments:\n  e:\n    target: { emulator: x, serviceName: s }\n')).toEqual(['3:28 environments.e.target.serviceName: unknown property']);
  });
});

describe('loadSpecification', () => {
  it('derives operations from Swagger 2 with path-level and referenced parameters, typed', () => {
    const text = `swagger: "2.0"
info: { title: T, version: "1" }
parameters:
  year: { name: year, in: path, required: true, type: integer, description: Year. }
paths:
  /reports/{year}/{region}:
    parameters:
      - $ref: '#/parameters/year'
    get:
      operationId: getReport
      parameters:
        - { name: region, in: path, required: true, type: string }
      responses: {}
`;
    const { specification, findings } = loadSpecification('apis/r/swagger.yaml', text);
    expect(findings).toEqual([]);
    expect(specification!.format).toBe('swagger-json');
    expect(JSON.parse(specification!.text).paths['/reports/{year}/{region}'].get.operationId).toBe('getReport');
    expect(specification!.operations).toEqual([
      {
        id: 'getReport',
        displayName: 'getReport',
        method: 'GET',
        urlTemplate: '/reports/{year}/{region}',
        templateParameters: [
          { name: 'year', type: 'integer', required: true, description: 'Year.' },
          { name: 'region', type: 'string', required: true },
        ],
        request: { queryParameters: [], headers: [] },
        responses: [],
        pos: { file: 'apis/r/swagger.yaml', line: 9, column: 5 },
      },
    ]);
  });

  it('keeps an OpenAPI 3 document as written and declares undeclared template parameters as strings', () => {
    const text = 'openapi: 3.1.0\ninfo: { title: T, version: "1" }\npaths:\n  /a/{id}:\n    delete:\n      operationId: removeA\n      summary: "  Remove A "\n';
    const { specification } = loadSpecification('s.yaml', text);
    expect(specification!.text).toBe(text);
    expect(specification!.format).toBe('openapi');
    expect(specification!.operations[0]).toMatchObject({ displayName: 'Remove A', method: 'DELETE', templateParameters: [{ name: 'id', type: 'string', required: true }] });
  });

  it.each([
    ['openapi: "3.1"', 'openapi.yaml', 'openapi: 3.1\ninfo: { title: T, version: "1" }\n', 10],
    ['openapi: "3.0"', 'openapi.yaml', 'openapi: 3.0   # the YAML number 3\n', 10],
    ['openapi: "3.10"', 'openapi.json', '{\n  "openapi": 3.10,\n  "paths": {}\n}', 14],
    ['swagger: "2.0"', 'swagger.yaml', 'swagger: 2.0\r\npaths: {}\r\n', 10],
  ])('advises quoting an unquoted version as written: %s in %s', (quoted, file, text, column) => {
    const { specification, findings } = loadSpecification(file, text);
    expect(specification).toBeUndefined();
    expect(findings).toEqual([expect.objectContaining({ rule: 'schema', file, column, message: `unsupported specification: expected 'openapi: 3.x' or 'swagger: "2.0"'; the version must be a string: quote it (${quoted})` })]);
  });
});

describe('checkId', () => {
  const pos = { file: 'f', line: 1, column: 1 };
  it.each([
    ['api', 'media-orders', true],
    ['api', 'x'.repeat(80), true],
    ['api', 'x'.repeat(81), false],
    ['api', 'a#b', false],
    ['api', 'a b', false],
    ['product', 'p'.repeat(256), true],
    ['namedValue', 'StorageAccount.Name', true],
    ['namedValue', 'a?b', false],
    ['policyFragment', 'forward_context', true],
    ['policyFragment', 'validate-jwt', true],
    ['policyFragment', 'a.b', false],
    ['policyFragment', 'x-', false],
    ['backend', 'b'.repeat(81), false],
  ] as const)('%s %s → %s', (kind, id, ok) => {
    expect(checkId(kind, id, pos) === undefined).toBe(ok);
  });
});
