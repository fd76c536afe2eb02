/**
 * `apiops test` runs test files at the same time, each against a gateway of its own: two files that would break each
 * other on one gateway's state (the same repository subscription throttled by both, different backend answers, exact
 * counts of what the backend received, one of them moving the clock) both pass when run together, and the report
 * lists the files in their order whichever finishes first.
 */
import * as gateway from '../../src/gateway';
import { makeRepo, removeRepo, runCli } from '../fixtures/repo';
import { GATEWAY_REPO } from '../gateway/helpers';

/** A file that uses up the shared key's 3 calls a minute with its own backend answer and path. */
function throttlingFile(name: string, status: number, extraRefusals: number): string {
  return `defaults:
  caller: { subscription: shared-key }
cases:
  - name: the shared key gets its 3 calls a minute, answered by file ${name}'s backend
    request: GET /shop/items/${name}
    repeat: 3
    backendResponse: { status: ${status}, body: { file: ${name} } }
    expect:
      status: ${status}
      body: { json: { $.file: ${name} } }
      backend: { calls: 3, url: { matches: "/items/${name}$" } }

  - name: further calls in the same minute are refused without reaching the backend
    request: GET /shop/items/${name}
    repeat: ${1 + extraRefusals}
    expect:
      status: 429
      backend: { called: false }

  - name: a minute later the key may call again
    after: 61s
    request: GET /shop/items/${name}
    backendResponse: { status: ${status}, body: { file: ${name} } }
    expect:
      status: ${status}
      body: { json: { $.file: ${name} } }
      backend: { calls: 1 }
`;
}

const FILES = {
  ...GATEWAY_REPO,
  'products/starter/policy.xml': '<policies><inbound><base /><rate-limit calls="3" renewal-period="60" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
  'subscriptions/shared-key.yaml': 'displayName: Shared key\nproduct: starter\n',
  // The first file has more to do, so the second finishes first.
  'tests/a.test.yaml': throttlingFile('a', 200, 20),
  'tests/b.test.yaml': throttlingFile('b', 201, 0),
};

interface Report {
  files: Array<{ file: string; cases: Array<{ name: string; outcome: string; failure?: { message: string } }> }>;
  summary: { passed: number; total: number };
}

describe('apiops test runs files at the same time, each with its own gateway state', () => {
  let root: string;
  let open = 0;
  let mostOpen = 0;
  const serve = gateway.serveGateway;
  beforeAll(() => {
    root = makeRepo(FILES, {});
    // The real gateways, counted: how many files' gateways were serving at once.
    jest.spyOn(gateway, 'serveGateway').mockImplementation(async (...args) => {
      const running = await serve(...args);
      mostOpen = Math.max(mostOpen, ++open);
      return {
        ...running,
        close: async () => {
          open--;
          await running.close();
        },
      };
    });
  });
  beforeEach(() => {
    mostOpen = 0;
  });
  afterAll(() => {
    jest.restoreAllMocks();
    removeRepo(root);
  });

  const run = async (...args: string[]) => {
    const { code, io } = await runCli(['test', '--format', 'json', ...args], root);
    return { code, err: io.err, report: JSON.parse(io.out || '{}') as Report };
  };

  it('two files throttling the same key with different backend answers both pass together, reported in file order', async () => {
    const { code, err, report } = await run();
    const failures = report.files.flatMap((f) => f.cases).filter((c) => c.outcome !== 'passed');
    expect(failures.map((c) => `${c.name}: ${c.failure?.message}`)).toEqual([]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(mostOpen).toBe(2);
    expect(report.files.map((f) => f.file)).toEqual(['tests/a.test.yaml', 'tests/b.test.yaml']);
    expect(report.summary).toEqual(expect.objectContaining({ passed: 6, total: 6 }));
    expect(open).toBe(0);
  });

  it('--concurrency 1 runs them one after another, with the same results', async () => {
    const { code, report } = await run('--concurrency', '1');
    expect(code).toBe(0);
    expect(mostOpen).toBe(1);
    expect(report.summary).toEqual(expect.objectContaining({ passed: 6, total: 6 }));
  });

  it.each([['0'], ['1.5'], ['many']])('--concurrency %s is refused (exit 2) before anything runs', async (value) => {
    const { code, io } = await runCli(['test', '--concurrency', value], root);
    expect(code).toBe(2);
    expect(io.out).toBe('');
    expect(io.err).toBe(`error: --concurrency must be a positive integer, got '${value}'\n`);
    expect(mostOpen).toBe(0);
  });
});
