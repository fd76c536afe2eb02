import * as fs from 'fs';
import * as path from 'path';
import { putResource } from '../../src/azure/write';
import { runCli } from '../fixtures/repo';
import { emulatedInstance, endpointRepository, snapshot, TemporaryDirs } from './files';
import { renamingProxy, type ArmProxy } from '../fixtures/arm-proxy';

/**
 * Extract cannot be turned against the repository it writes: ids the instance hands out that APIM refuses (a path
 * out of named-values/, a terminal escape) are named in a warning and never written, and a symbolic link in the
 * output folder is never written through. Through the real SDK, against the emulator behind a renaming endpoint.
 */

const SCOPE = { subscriptionId: '00000000-0000-0000-0000-0000000b0571', resourceGroup: 'rg-hostile', serviceName: 'apim-hostile' };
const HOSTILE = { 'alias-escape': '../apiops.config', 'alias-terminal': 'evil\u001b]0;owned\u0007', 'alias-api': '../../outside-api' };

const temporary = new TemporaryDirs('apiops-extract-hostile');
const instance = emulatedInstance(temporary, SCOPE, async (connection) => {
  await putResource(connection, { kind: 'namedValue', ids: ['alias-escape'] }, { displayName: 'escape', value: 'environments: {}', secret: false });
  await putResource(connection, { kind: 'namedValue', ids: ['alias-terminal'] }, { displayName: 'terminal', value: 'x', secret: false });
  await putResource(connection, { kind: 'namedValue', ids: ['region'] }, { displayName: 'region', value: 'westeurope', secret: false });
  await putResource(connection, { kind: 'api', ids: ['alias-api'] }, { displayName: 'Outside', path: 'outside', protocols: ['https'], serviceUrl: 'https://backend.example.net' });
  await putResource(connection, { kind: 'backend', ids: ['functions'] }, { url: 'https://functions.example.net/api', protocol: 'http' });
});

let proxy: ArmProxy;
beforeAll(async () => {
  proxy = await renamingProxy(instance.emulator.url, HOSTILE);
});
afterAll(() => proxy.close());

/** A repository of its own in a folder of its own (so nothing beside it can change unseen), targeting `url` as `ci`. */
function repositoryFor(url: string): { repo: string; parent: string } {
  const repo = endpointRepository(temporary, SCOPE, url);
  fs.writeFileSync(path.join(repo, 'README.md'), '# ours\n');
  return { repo, parent: path.dirname(repo) };
}

describe('extract from a hostile instance', () => {
  it('names each id APIM would refuse in a warning, writes none of them, and leaves the other files alone', async () => {
    const { repo } = repositoryFor(proxy.url);
    const before = snapshot(repo);
    const extracted = await runCli(['extract', '--env', 'ci'], repo);
    expect(extracted.io.err).not.toContain('error');
    expect(extracted.code).toBe(0);
    expect(extracted.io.out).toContain("  warning  not extracted: named value id '../apiops.config' has characters APIM does not allow");
    expect(extracted.io.out).toContain("  warning  not extracted: named value id 'evil\\u001b]0;owned\\u0007' has characters APIM does not allow");
    expect(extracted.io.out).toContain("  warning  not extracted: API id '../../outside-api' has characters APIM does not allow");
    expect(extracted.io.out).not.toContain('\u001b');

    const after = snapshot(repo);
    expect(after.get('apiops.config.yaml')).toBe(before.get('apiops.config.yaml'));
    expect(after.get('README.md')).toBe('# ours\n');
    expect([...after.keys()].filter((file) => !before.has(file)).sort()).toEqual(['backends/functions.yaml', 'named-values/region.yaml', 'policies/global.xml']);
    expect(fs.readdirSync(path.dirname(repo)).filter((name) => name.includes('outside'))).toEqual([]);
  });

  it('refuses to write through a symbolic link in the output folder: nothing is written inside or outside it', async () => {
    const { repo } = repositoryFor(instance.emulator.url);
    const outside = temporary.create('outside');
    fs.writeFileSync(path.join(outside, 'region.yaml'), 'theirs\n');
    fs.symlinkSync(outside, path.join(repo, 'named-values'));
    const before = snapshot(repo);

    const extracted = await runCli(['extract', '--env', 'ci'], repo);
    expect(extracted.code).toBe(1);
    expect(extracted.io.err).toContain('\nerror: refusing to write named-values/alias-escape.yaml: named-values is a symbolic link');
    expect(extracted.io.err).toContain('\nrefusing to write named-values/region.yaml: named-values is a symbolic link (extract never writes through one; remove it or extract into another folder)');
    expect(extracted.io.err).toMatch(/nothing was written\n$/);
    expect(extracted.io.err).not.toMatch(/\n\s+at /);
    expect(snapshot(repo)).toEqual(before);
    expect(snapshot(outside)).toEqual(new Map([['region.yaml', 'theirs\n']]));
  });
});
