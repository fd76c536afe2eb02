import { putResource } from '../../src/azure/write';
import { fileNameOf, MAX_NAME_BYTES } from '../../src/resources/file-names';
import { runCli } from '../fixtures/repo';
import { emulatedInstance, expectRoundTrip, snapshot, TemporaryDirs } from './files';

/**
 * Ids APIM accepts that are awkward as file names — 256 characters, a leading dot, `|` and `"`, mixed case, Unicode
 * in and out of NFC — extracted through the real SDK from the emulator: every one is written under a name a file
 * system keeps and reads back as the same id, so a diff right after extract is clean.
 */

const SCOPE = { subscriptionId: '00000000-0000-0000-0000-00000000a1d5', resourceGroup: 'rg-awkward', serviceName: 'apim-awkward' };

const LONG_NAMED_VALUE = `long-${'n'.repeat(251)}`;
const LONG_PRODUCT = `partners-${'p'.repeat(247)}`;
const OPERATION = 'e\u0301'.repeat(40);
const NAMED_VALUES: Array<[id: string, displayName: string]> = [
  [LONG_NAMED_VALUE, 'long-setting'],
  ['.hidden', 'hidden-setting'],
  ['pipe|quote"', 'windows-unfriendly'],
  ['Mixed-Case-Setting', 'mixed-case'],
  ['café-ünïcode', 'unicode-nfc'],
  ['cafe\u0301-nfd', 'unicode-nfd'],
];
const API = '.well-known-bestellungen-äöü';
const BACKEND = '.internal-functions';

const temporary = new TemporaryDirs('apiops-extract-awkward');
const instance = emulatedInstance(temporary, SCOPE, async (connection) => {
  for (const [id, displayName] of NAMED_VALUES) await putResource(connection, { kind: 'namedValue', ids: [id] }, { displayName, value: `value of ${displayName}`, secret: false });
  await putResource(connection, { kind: 'backend', ids: [BACKEND] }, { url: 'https://functions.example.net/api', protocol: 'http' });
  const specification = {
    openapi: '3.0.1',
    info: { title: 'Bestellungen', version: '1' },
    paths: { '/orders': { get: { operationId: OPERATION, summary: 'List', responses: { '200': { description: 'OK' } } } } },
  };
  await putResource(connection, { kind: 'api', ids: [API] }, {
    displayName: 'Bestellungen',
    path: 'bestellungen',
    protocols: ['https'],
    serviceUrl: 'https://functions.example.net/api',
    format: 'openapi+json',
    value: JSON.stringify(specification),
  });
  const policy = '<policies><inbound><base /><set-backend-service backend-id="' + BACKEND + '" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
  await putResource(connection, { kind: 'operationPolicy', ids: [API, OPERATION] }, { format: 'rawxml', value: policy });
  await putResource(connection, { kind: 'product', ids: [LONG_PRODUCT] }, { displayName: 'Partners', subscriptionRequired: true, approvalRequired: false, state: 'published' });
  await putResource(connection, { kind: 'productApi', ids: [LONG_PRODUCT, API] }, {});
});

describe('extract of ids that are awkward file names', () => {
  it('writes every id under a name that fits and reads back, and a diff right after is clean', async () => {
    const out = temporary.create('out');
    const extracted = await runCli(['extract', '--env', 'ci', '--out', out], instance.repo);
    expect(extracted.io.err).not.toContain('error');
    expect(extracted.code).toBe(0);
    expect(extracted.io.out).not.toContain('warning  not extracted');

    const files = snapshot(out);
    const names = [...files.keys()].flatMap((file) => file.split('/'));
    expect(names.filter((name) => Buffer.byteLength(name) > MAX_NAME_BYTES || name.startsWith('.'))).toEqual([]);
    for (const [id] of NAMED_VALUES) expect(files.has(`named-values/${fileNameOf(id, '.yaml').name}`)).toBe(true);
    expect(files.has('named-values/%2Ehidden.yaml')).toBe(true);
    expect(files.has('named-values/pipe%7Cquote%22.yaml')).toBe(true);
    // Too long for a name: shortened, and the file says its id.
    const longFile = `named-values/${fileNameOf(LONG_NAMED_VALUE, '.yaml').name}`;
    expect(longFile).toMatch(/^named-values\/long-n+%~[0-9a-f]{12}\.yaml$/);
    expect(files.get(longFile)).toContain(`\nid: ${LONG_NAMED_VALUE}\ndisplayName: long-setting\n`);
    const productFolder = `products/${fileNameOf(LONG_PRODUCT).name}`;
    expect(files.get(`${productFolder}/product.yaml`)).toContain(`\nid: ${LONG_PRODUCT}\n`);
    const apiFolder = `apis/${fileNameOf(API).name}`;
    expect(apiFolder).toBe('apis/%2Ewell-known-bestellungen-äöü');
    expect(files.has(`${apiFolder}/operations/${fileNameOf(OPERATION, '.xml').name}`)).toBe(true);
    expect(files.get(`${productFolder}/product.yaml`)).toContain(`apis:\n  - ${API}\n`);

    await expectRoundTrip(out, 'ci');
    const again = await runCli(['extract', '--env', 'ci', '--out', out], instance.repo);
    expect(again.io.out).toMatch(/: 0 written, \d+ unchanged, 0 removed/);
    expect(snapshot(out)).toEqual(files);
  });
});
