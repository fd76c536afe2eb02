import * as fs from 'fs';
import * as path from 'path';
import { loadRepository } from '../../src/repo';
import { renderRepository } from '../../src/render';
import { runCli } from '../fixtures/repo';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the sample repository at the project root', () => {
  const { model, findings } = loadRepository(ROOT);

  it('loads without findings', () => {
    expect(findings).toEqual([]);
  });

  it('starts every YAML file with a yaml-language-server $schema line pointing at its schema', () => {
    const yamlDocs = (schema: string, resources: Array<{ definition: { file: string } }>) => resources.map((r) => [r.definition.file, schema] as const);
    const docs = new Map<string, string>([
      [model.config.file, 'apiops-config'],
      ...yamlDocs('api', model.apis),
      ...yamlDocs('product', model.products),
      ...yamlDocs('named-value', model.namedValues),
      ...yamlDocs('backend', model.backends),
      ...yamlDocs('api-version-set', model.apiVersionSets),
      ...yamlDocs('logger', model.loggers),
      ...yamlDocs('diagnostic', [...model.diagnostics, ...model.apis.flatMap((a) => a.diagnostics)]),
      ...yamlDocs('subscription', model.subscriptions),
      ...yamlDocs('group', model.groups),
    ]);
    expect(docs.size).toBe(1 + 4 + 2 + 4 + 1 + 1 + 1 + 1 + 2);
    for (const [file, schema] of docs) {
      const firstLine = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n')[0];
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine);
      expect(match).not.toBeNull();
      expect(path.resolve(ROOT, path.dirname(file), match![1])).toBe(path.join(ROOT, 'schemas', `${schema}.schema.json`));
    }
  });

  it('has the Contoso Media / Fabrikam resources', () => {
    expect(model.apis.map((a) => a.id)).toEqual(['media-catalog', 'media-graph', 'media-orders', 'partner-webhooks']);
    expect(model.products.map((p) => p.id)).toEqual(['fabrikam-developer', 'fabrikam-production']);
    expect(Object.keys(model.fragments).sort()).toEqual(['call-functions-with-managed-identity', 'validate-entra-jwt']);
    expect(Object.keys(model.config.data.environments)).toEqual(['local', 'dev', 'prod']);
    expect(model.apis.map((a) => a.specification?.format)).toEqual(['openapi', 'graphql', 'openapi+json', 'swagger-json']);
  });

  it.each(['local', 'dev', 'prod'])('renders environment %s without findings', (env) => {
    const rendered = renderRepository(model, env, { processEnv: {} });
    expect(rendered.findings).toEqual([]);
    expect(rendered.policies.every((p) => p.document)).toBe(true);
  });

  it.each(['local', 'dev', 'prod'])('`apiops validate --env %s --fail-on warn` passes: no finding at all, lint rules included', async (env) => {
    const { code, io } = await runCli(['validate', '--env', env, '--fail-on', 'warn'], ROOT);
    expect(io.out).toBe('No problems found.\n');
    expect(io.err).toBe('');
    expect(code).toBe(0);
  });
});
