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
    const docs = [model.config, ...model.apis.map((a) => a.definition), ...model.products.map((p) => p.definition), ...model.namedValues.map((n) => n.definition), ...model.backends.map((b) => b.definition)];
    const schemaOf = (file: string) =>
      file === 'apiops.config.yaml' ? 'apiops-config' : file.startsWith('apis/') ? 'api' : file.startsWith('products/') ? 'product' : file.startsWith('named-values/') ? 'named-value' : 'backend';
    expect(docs).toHaveLength(1 + 3 + 2 + 3 + 2);
    for (const doc of docs) {
      const firstLine = fs.readFileSync(path.join(ROOT, doc.file), 'utf8').split('\n')[0];
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine);
      expect(match).not.toBeNull();
      expect(path.resolve(ROOT, path.dirname(doc.file), match![1])).toBe(path.join(ROOT, 'schemas', `${schemaOf(doc.file)}.schema.json`));
    }
  });

  it('has the Contoso Media / Fabrikam resources', () => {
    expect(model.apis.map((a) => a.id)).toEqual(['media-catalog', 'media-orders', 'partner-webhooks']);
    expect(model.products.map((p) => p.id)).toEqual(['fabrikam-developer', 'fabrikam-production']);
    expect(Object.keys(model.fragments).sort()).toEqual(['call-functions-with-managed-identity', 'validate-entra-jwt']);
    expect(Object.keys(model.config.data.environments)).toEqual(['local', 'dev', 'prod']);
    expect(model.apis.map((a) => a.specification?.format)).toEqual(['openapi', 'openapi+json', 'swagger-json']);
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
