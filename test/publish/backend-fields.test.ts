import { readResource } from '../../src/azure/read';
import { generateRepository } from '../fixtures/generate';
import { editFile, removeDir, runCli, runJson, tempDir, writes } from './helpers';
import { withInstance } from './instance';

/**
 * A backend's `tls` and `credentials` left out of its file: tls left out is APIM's default (both checks on), so a
 * server reporting its defaults shows no change; credentials left out are none, so removing them is a change.
 */

const LOCAL = ['--env', 'local'];
const BACKEND_FILE = 'backends/functions.yaml';
const BACKEND = { kind: 'backend' as const, ids: ['functions'] };
const LITERAL = 'fk-literal-never-printed-9X2';

const liveBackend = (root: string) => withInstance(root, 'local', async (c) => (await readResource(c, BACKEND))?.properties);
const setLiveBackend = (root: string, properties: Record<string, unknown>) =>
  withInstance(root, 'local', (c) => c.client.backend.createOrUpdate(c.scope.resourceGroup, c.scope.serviceName, 'functions', { url: 'https://func-generated.azurewebsites.net/api', protocol: 'http', ...properties }));
const setBackendFile = (root: string, extra: string) =>
  editFile(root, BACKEND_FILE, () => `url: https://func-generated.azurewebsites.net/api\nprotocol: http\n${extra}`);

describe('diff and publish: backend tls and credentials left out of the file', () => {
  let root: string;
  beforeAll(async () => {
    root = tempDir('backend-fields');
    generateRepository(root, { apis: 1, operationsPerApi: 1 });
    expect((await runCli(root, ['publish', ...LOCAL])).code).toBe(0);
  });
  afterAll(() => removeDir(root));

  it('shows no change when the instance reports the default tls for a file without tls', async () => {
    await setLiveBackend(root, { tls: { validateCertificateChain: true, validateCertificateName: true } });
    const diff = await runJson(root, ['diff', ...LOCAL, '--exit-code']);
    expect(diff.json.changes).toEqual([]);
    expect(diff.code).toBe(0);
  });

  it('removing tls is a change back to the defaults, published once', async () => {
    setBackendFile(root, 'tls:\n  validateCertificateChain: false\n');
    expect((await runJson(root, ['publish', ...LOCAL])).json.applied).toEqual([{ action: 'update', kind: 'backend', id: 'functions', fields: ['tls'] }]);
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'])).code).toBe(0);

    setBackendFile(root, '');
    const diff = await runJson(root, ['diff', ...LOCAL]);
    expect(diff.json.changes).toEqual([{ action: 'update', kind: 'backend', id: 'functions', fields: ['tls'] }]);
    expect((await runCli(root, ['diff', ...LOCAL])).out).toContain(
      'tls: {"validateCertificateChain":false,"validateCertificateName":true} → {"validateCertificateChain":true,"validateCertificateName":true}',
    );
    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(writes(publish.json.requests)).toBe(1);
    expect(JSON.stringify((await liveBackend(root))?.tls ?? {})).not.toContain('false');
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'])).code).toBe(0);
  });

  it('removing credentials is a change to none, published once', async () => {
    setBackendFile(root, 'credentials:\n  header:\n    x-cache-seconds: ["{{cache-seconds}}"]\n');
    expect((await runJson(root, ['publish', ...LOCAL])).json.applied).toEqual([{ action: 'update', kind: 'backend', id: 'functions', fields: ['credentials'] }]);
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'])).code).toBe(0);

    setBackendFile(root, '');
    expect((await runJson(root, ['diff', ...LOCAL])).json.changes).toEqual([{ action: 'update', kind: 'backend', id: 'functions', fields: ['credentials'] }]);
    const publish = await runJson(root, ['publish', ...LOCAL]);
    expect(writes(publish.json.requests)).toBe(1);
    expect((await liveBackend(root))?.credentials).toBeUndefined();
    expect((await runJson(root, ['diff', ...LOCAL, '--exit-code'])).code).toBe(0);
  });

  it('a header the file does not list is a change; live literal values are never printed', async () => {
    setBackendFile(root, 'credentials:\n  header:\n    x-cache-seconds: ["{{cache-seconds}}"]\n');
    await setLiveBackend(root, { credentials: { header: { 'x-cache-seconds': ['{{cache-seconds}}'], 'x-functions-key': [LITERAL] } } });
    const diff = await runCli(root, ['diff', ...LOCAL, '--exit-code']);
    expect(diff.code).toBe(2);
    expect(diff.out).toContain('credentials: {"header":{"x-cache-seconds":["{{cache-seconds}}"],"x-functions-key":["(sensitive value)"]}}');
    const published = await runJson(root, ['publish', ...LOCAL]);
    expect(published.json.applied).toEqual([{ action: 'update', kind: 'backend', id: 'functions', fields: ['credentials'] }]);
    expect(JSON.stringify([diff, published])).not.toContain(LITERAL);
    expect((await liveBackend(root))?.credentials).toEqual({ header: { 'x-cache-seconds': ['{{cache-seconds}}'] } });
  });

  it('diff does not print a literal a file holds either (lint stops publish, diff still compares)', async () => {
    setBackendFile(root, `credentials:\n  header:\n    x-functions-key: ["${LITERAL}"]\n`);
    const diff = await runCli(root, ['diff', ...LOCAL]);
    expect(diff.out).toContain('credentials: {"header":{"x-cache-seconds":["{{cache-seconds}}"]}} → {"header":{"x-functions-key":["(sensitive value)"]}}');
    expect(diff.out + diff.err).not.toContain(LITERAL);
  });
});
