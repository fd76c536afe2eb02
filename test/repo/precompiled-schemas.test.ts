import type * as Schemas from '../../src/repo/schemas';
import type * as Yaml from '../../src/repo/yaml';

/**
 * The build writes the schemas' validators as code (dist/repo/schema-validators.js, from validatorsCode()); the CLI
 * loads those instead of compiling the schemas. Both must report the same findings.
 */

const CASES: Array<[Schemas.SchemaName, string]> = [
  ['api', 'path: orders\nprotocols: [https, ftp]\nsubscriptionRequired: "yes"\nextra: 1\n'],
  ['api', 'displayName: A\npath: a\nserviceUrl: not a url\nbackend: b\n'],
  ['backend', 'url: https://x.example\nprotocol: http\ntls:\n  validateChain: true\n'],
  ['named-value', 'displayName: n\n'],
  ['named-value', 'displayName: n\nvalue: v\nkeyVault:\n  secretIdentifier: https://kv.vault.azure.net/secrets/s\n'],
  ['product', 'displayName: P\ntier: gold\napis: [a, a]\n'],
  ['apiops-config', 'environments:\n  dev:\n    target: { subscriptionId: nope }\n'],
];

/** The module the code defines, its `require` this test's (Ajv's runtime helpers resolve from the package). */
function evaluate(code: string): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  new Function('exports', 'require', code)(exports, require);
  return exports;
}

function findings(precompiledCode?: string): string[] {
  let result: string[] = [];
  jest.isolateModules(() => {
    if (precompiledCode !== undefined) {
      jest.doMock('../../src/repo/schema-validators', () => evaluate(precompiledCode), { virtual: true });
    }
    const { validateAgainstSchema } = require('../../src/repo/schemas') as typeof Schemas;
    const { parseYaml } = require('../../src/repo/yaml') as typeof Yaml;
    result = CASES.flatMap(([name, text]) =>
      validateAgainstSchema(name, parseYaml<unknown>(`${name}.yaml`, text).document!).map(({ finding }) => `${name} ${finding.line}:${finding.column} ${finding.message}`),
    );
  });
  return result;
}

describe('precompiled schema validators', () => {
  it('report exactly what the schemas compiled at run time report', () => {
    const { validatorsCode, SCHEMA_NAMES } = require('../../src/repo/schemas') as typeof Schemas;
    const code = validatorsCode();
    expect(Object.keys(evaluate(code)).sort()).toEqual([...SCHEMA_NAMES].sort());
    // Ajv is not needed to run them, only its small runtime helpers.
    expect(code.match(/require\("[^"]+"\)/g)?.every((required) => /^require\("ajv(-formats)?\/dist\/(runtime\/\w+|formats)"\)$/.test(required))).toBe(true);
    const compiled = findings();
    expect(compiled.length).toBeGreaterThanOrEqual(CASES.length);
    expect(findings(code)).toEqual(compiled);
  });
});
