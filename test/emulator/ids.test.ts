import { isLoopbackHost } from '../../src/emulator/loopback';
import { main } from '../../src/cli/main';
import { idProblem } from '../../src/resources/ids';
import { captureIO } from '../fixtures/repo';
import { armFailure, RG, startHarness, SVC, type Harness } from './helpers';

/** The emulator refuses the ids APIM refuses (src/resources/ids.ts), with APIM's answer, through the real SDK. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.emulator.close());

const namedValue = (id: string, displayName = 'n') => h.apim.client.namedValue.beginCreateOrUpdateAndWait(RG, SVC, id, { displayName, value: 'v' }, { updateIntervalInMs: 1 });

describe('ids APIM refuses', () => {
  it.each([
    ['a#b', 'characters APIM does not allow'],
    ['a*b', 'characters APIM does not allow'],
    ['a&b', 'characters APIM does not allow'],
    ['a+b', 'characters APIM does not allow'],
    ['a:b', 'characters APIM does not allow'],
    ['a?b', 'characters APIM does not allow'],
    ['a%b', 'characters APIM does not allow'],
    ['a\\b', 'characters APIM does not allow'],
    ['../apiops.config', 'characters APIM does not allow'],
    ['a b', 'characters APIM does not allow'],
    ['name.', 'ends with a period'],
    ['a..b', 'holds ".."'],
    ['n'.repeat(257), 'at most 256'],
  ])('named value %j: 400 ValidationError "Invalid identifier" (%s), nothing stored', async (id, problem) => {
    const failure = await armFailure(namedValue(id));
    expect(failure).toMatchObject({ statusCode: 400, code: 'ValidationError' });
    expect(failure.message).toBe(`Invalid identifier '${id}' specified.`);
    expect(idProblem('namedValueId', id)).toContain(problem);
    const listed = [];
    for await (const nv of h.apim.client.namedValue.listByService(RG, SVC)) listed.push(nv.name);
    expect(listed).not.toContain(id);
  });

  it('names the offending path parameter and the rule in the error details', async () => {
    const failure = await armFailure(h.apim.client.backend.createOrUpdate(RG, SVC, 'b'.repeat(81), { url: 'https://x', protocol: 'http' }));
    expect(failure.statusCode).toBe(400);
    const response = await fetch(`${h.emulator.url}/subscriptions/s/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}/tags/a%3Ab?api-version=2024-05-01`, {
      method: 'PUT',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: JSON.stringify({ properties: { displayName: 'x' } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'ValidationError',
        message: "Invalid identifier 'a:b' specified.",
        details: [{ code: 'ValidationError', target: 'tagId', message: "'a:b' has characters APIM does not allow (none of * # & + : < > ? / \\ %, no whitespace or control characters)." }],
      },
    });
  });

  it.each([
    ['namedValueId', 'n'.repeat(256)],
    ['namedValueId', '.hidden'],
    ['namedValueId', 'StorageAccount.Name'],
    ['apiId', 'echo-api;rev=3'],
    ['apiId', `${'a'.repeat(80)};rev=12`],
    ['policyFragmentId', 'forward_context'],
  ])('accepts the valid %s %j', (key, id) => {
    expect(idProblem(key, id)).toBeUndefined();
  });

  it('stores a valid 256-character named value id and one starting with a dot', async () => {
    for (const [i, id] of ['n'.repeat(256), '.hidden'].entries()) {
      await namedValue(id, `valid-${i}`);
      expect((await h.apim.client.namedValue.get(RG, SVC, id)).name).toBe(id);
    }
  });

  it('keeps APIM\'s own stricter rules per type (fragments, backends at 80)', () => {
    expect(idProblem('policyFragmentId', 'a.b')).toMatch(/letters, digits, _ and -/);
    expect(idProblem('backendId', 'b'.repeat(81))).toMatch(/at most 80/);
    expect(idProblem('apiId', 'a'.repeat(81))).toMatch(/at most 80/);
  });
});

describe('apiops emulator --host', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.10.0.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.20', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('warns before binding to an address other machines can reach (here one this machine does not have)', async () => {
    const io = captureIO(process.cwd());
    // 203.0.113.0/24 is reserved for documentation (RFC 5737): binding fails and nothing is sent anywhere.
    expect(await main(['emulator', '--host', '203.0.113.7', '--port', '0'], io)).toBe(2);
    expect(io.err).toMatch(/^warning: listening on 203\.0\.113\.7, which other machines can reach: .*Use --host 127\.0\.0\.1/);
    expect(io.err).toContain('error: 203.0.113.7 is not an address of this machine');
  });
});
