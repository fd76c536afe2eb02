import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { API_SHAPE, NAMED_VALUE_SHAPE, PRODUCT_SHAPE, productDefinition } from '../../src/extract/definitions';
import { ExistingRepository } from '../../src/extract/existing';
import { freshYaml, mergeYaml, sameValue, schemaHeader } from '../../src/extract/yaml-files';
import { TemporaryDirs } from './files';

const merge = (...args: Parameters<typeof mergeYaml>): string => mergeYaml(...args).text;

const temporary = new TemporaryDirs('apiops-yaml-files');
afterAll(() => temporary.removeAll());

/** What a file says, read as the repository loader reads it (merge keys honoured). */
const dataOf = (text: string): unknown => parse(text, { merge: true });

describe('repository YAML files', () => {
  it('keeps a templated field that renders to the instance’s value, and replaces one that does not, with a warning', () => {
    const context = { env: 'prod', values: { limit: 5, host: 'orders.contoso.example' } };
    const existing = 'displayName: P\nsubscriptionsLimit: "{{values.limit}}"\ndescription: Served by {{values.host}}\nenvironments: [prod]\ntier: production\n';
    const same = productDefinition({ displayName: 'P', subscriptionsLimit: 5, description: 'Served by orders.contoso.example' }, [], []);
    expect(mergeYaml('products/p/product.yaml', existing, same, PRODUCT_SHAPE, context)).toEqual({ text: existing, warnings: [] });
    const other = productDefinition({ displayName: 'P', subscriptionsLimit: 7, description: 'Served by orders.contoso.example' }, [], []);
    const merged = mergeYaml('products/p/product.yaml', existing, other, PRODUCT_SHAPE, context);
    expect(merged.text).toBe(existing.replace('"{{values.limit}}"', '7'));
    expect(merged.warnings).toEqual(["products/p/product.yaml: subscriptionsLimit was a template; replaced by the instance's value for environment 'prod' (put its {{values…}} back)"]);
  });

  it('writes new files in field order under the schema header', () => {
    const text = freshYaml('products/p/product.yaml', { groups: ['developers'], displayName: 'P', apis: ['b', 'a'], state: 'published' }, PRODUCT_SHAPE);
    expect(text).toBe(
      '# yaml-language-server: $schema=../../schemas/product.schema.json\n' +
        'displayName: P\nstate: published\napis:\n  - b\n  - a\ngroups:\n  - developers\n',
    );
  });

  it('points the schema header at the repository schemas folder from any depth', () => {
    expect(schemaHeader('named-values/x.yaml', 'named-value.schema.json')).toBe('# yaml-language-server: $schema=../schemas/named-value.schema.json\n');
    expect(schemaHeader('apis/a/api.yaml', 'api.schema.json')).toBe('# yaml-language-server: $schema=../../schemas/api.schema.json\n');
  });

  it('leaves a file byte-identical when nothing changed, even with defaults left out and lists reordered', () => {
    const existing = '# header\ndisplayName: Orders   # shown in the portal\npath: orders\nprotocols: [ https ]\n';
    const merged = merge('apis/o/api.yaml', existing, { displayName: 'Orders', path: 'orders', protocols: ['https'], subscriptionRequired: true }, API_SHAPE);
    expect(merged).toBe(existing);
  });

  it('updates changed fields in place, keeping comments and repository-only fields', () => {
    const existing = [
      '# yaml-language-server: $schema=../../schemas/product.schema.json',
      '# Partner developer access',
      'displayName: Fabrikam developer',
      'tier: developer # lint metadata',
      'subscriptionRequired: true',
      'apis:',
      '  - media-catalog # first API',
      '',
    ].join('\n');
    const definition = productDefinition({ displayName: 'Fabrikam developers', subscriptionRequired: true, state: 'published' }, ['media-orders', 'media-catalog'], []);
    const merged = merge('products/p/product.yaml', existing, definition, PRODUCT_SHAPE);
    expect(merged).toContain('# Partner developer access');
    expect(merged).toContain('tier: developer # lint metadata');
    expect(merged).toContain('displayName: Fabrikam developers');
    expect(merged).toMatch(/subscriptionRequired: true\nstate: published\napis:/);
    expect(merged).toMatch(/apis:\n {2}- media-catalog\n {2}- media-orders\n/);
    expect(merge('products/p/product.yaml', merged, definition, PRODUCT_SHAPE)).toBe(merged);
  });

  it('rewrites only the lines of changed fields: folded text, flow lists and line comments stay as written', () => {
    const existing = [
      'displayName: Old name # shown in the portal',
      'description: >-',
      '  A long description folded',
      '  over two lines.',
      'subscriptionRequired: true',
      'tier: developer',
      'groups: [developers]',
    ].join('\n');
    const definition = { displayName: 'New name', description: 'A long description folded over two lines.', subscriptionRequired: true, groups: ['developers'], apis: ['orders'] };
    expect(merge('products/p/product.yaml', existing, definition, PRODUCT_SHAPE)).toBe(
      [
        'displayName: New name # shown in the portal',
        'description: >-',
        '  A long description folded',
        '  over two lines.',
        'subscriptionRequired: true',
        'tier: developer',
        'apis:',
        '  - orders',
        'groups: [developers]',
      ].join('\n'),
    );
  });

  it('finds fields by their names however the keys are quoted', () => {
    expect(merge('apis/o/api.yaml', '"displayName": O\n\'path\': o\n', { displayName: 'P', path: 'o' }, API_SHAPE)).toBe("displayName: P\n'path': o\n");
  });

  it('removes fields the instance no longer has', () => {
    const merged = merge('apis/o/api.yaml', 'displayName: O\ndescription: old\npath: o\n', { displayName: 'O', path: 'o' }, API_SHAPE);
    expect(merged).toBe('displayName: O\npath: o\n');
  });

  it('starts appended fields on a line of their own in a file whose last line has no line break', () => {
    expect(merge('products/p/product.yaml', 'displayName: P\ntier: developer', { displayName: 'P', apis: ['x'] }, PRODUCT_SHAPE)).toBe(
      'displayName: P\ntier: developer\napis:\n  - x\n',
    );
    expect(merge('products/p/product.yaml', 'displayName: P # c', { displayName: 'P' }, PRODUCT_SHAPE)).toBe('displayName: P # c');
  });

  it('keeps the CRLF line breaks of a file checked out with them', () => {
    expect(merge('products/p/product.yaml', 'displayName: P # c\r\ntier: developer\r\napis:\r\n  - a\r\n', { displayName: 'Q', apis: ['a', 'b'] }, PRODUCT_SHAPE)).toBe(
      'displayName: Q # c\r\ntier: developer\r\napis:\r\n  - a\r\n  - b\r\n',
    );
  });

  it('replaces a file that is not a mapping', () => {
    expect(merge('apis/o/api.yaml', '- not a map\n', { displayName: 'O', path: 'o' }, API_SHAPE)).toBe(
      '# yaml-language-server: $schema=../../schemas/api.schema.json\ndisplayName: O\npath: o\n',
    );
  });

  it('compares lists of scalars as sets and everything else structurally', () => {
    expect(sameValue(['http', 'https'], ['https', 'http'])).toBe(true);
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameValue([{ a: 1 }], [{ a: 2 }])).toBe(false);
    expect(sameValue(['a'], ['a', 'b'])).toBe(false);
  });

  describe('anchors, aliases and merge keys', () => {
    it('leaves a file byte-identical when what its merge keys and aliases expand to is what the instance has', () => {
      const existing = 'displayName: &name Gold\n<<: { subscriptionRequired: true, approvalRequired: false }\ndescription: *name\n';
      const definition = { displayName: 'Gold', description: 'Gold', subscriptionRequired: true, approvalRequired: false };
      expect(merge('products/p/product.yaml', existing, definition, PRODUCT_SHAPE)).toBe(existing);
    });

    it('writes out the fields that alias a rewritten field, so no alias is left without its anchor', () => {
      const existing = '# partner keys\ndisplayName: &name Gold # portal\ndescription: *name\ntier: production\n';
      const merged = merge('products/p/product.yaml', existing, { displayName: 'Platinum', description: 'Gold' }, PRODUCT_SHAPE);
      expect(merged).toBe('# partner keys\ndisplayName: Platinum # portal\ndescription: Gold\ntier: production\n');
    });

    it('overrides a merged field that changed and keeps the merge key', () => {
      const existing = '<<: { subscriptionRequired: true, approvalRequired: false }\ndisplayName: Gold\ntier: developer\n';
      const merged = merge('products/p/product.yaml', existing, { displayName: 'Gold', subscriptionRequired: true, approvalRequired: true }, PRODUCT_SHAPE);
      expect(merged).toContain('<<: { subscriptionRequired: true, approvalRequired: false }\n');
      expect(dataOf(merged)).toEqual({ displayName: 'Gold', subscriptionRequired: true, approvalRequired: true, tier: 'developer' });
    });

    it('says exactly what the instance has when a field only a merge key gives is gone', () => {
      const existing = '<<: { description: Shared, subscriptionRequired: true }\ndisplayName: Gold\ntier: developer\n';
      const merged = merge('products/p/product.yaml', existing, { displayName: 'Gold', subscriptionRequired: true }, PRODUCT_SHAPE);
      expect(dataOf(merged)).toEqual({ displayName: 'Gold', subscriptionRequired: true, tier: 'developer' });
    });

    it('reads fields of an existing file through its merge keys (a secret keeps the variable it names)', () => {
      const root = temporary.create();
      fs.mkdirSync(path.join(root, 'named-values'));
      fs.writeFileSync(path.join(root, 'named-values/partner-key.yaml'), '<<: { secret: true, valueFromEnv: FABRIKAM_KEY }\ndisplayName: partner-key\n');
      expect(new ExistingRepository(root).yamlField('named-values/partner-key.yaml', 'valueFromEnv')).toBe('FABRIKAM_KEY');
      const existing = fs.readFileSync(path.join(root, 'named-values/partner-key.yaml'), 'utf8');
      expect(merge('named-values/partner-key.yaml', existing, { displayName: 'partner-key', secret: true, valueFromEnv: 'FABRIKAM_KEY' }, NAMED_VALUE_SHAPE)).toBe(existing);
    });
  });
});
