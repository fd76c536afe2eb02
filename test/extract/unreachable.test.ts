import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { startEmulator } from '../../src/emulator';
import { runCli } from '../fixtures/repo';
import { endpointRepository, TemporaryDirs } from './files';

/** `apiops extract` that fails: a target it cannot read is named (as diff and publish name it); a file it cannot write names itself. */

const SCOPE = { subscriptionId: '00000000-0000-0000-0000-000000000009', resourceGroup: 'rg-unreachable', serviceName: 'apim-unreachable' };

const temporary = new TemporaryDirs('apiops-extract-unreachable');

afterEach(() => temporary.removeAll());

async function extractFrom(endpoint: string, out = temporary.create('out')): Promise<{ code: number; out: string; err: string }> {
  const { code, io } = await runCli(['extract', '--env', 'ci', '--out', out], endpointRepository(temporary, SCOPE, endpoint));
  return { code, out: io.out, err: io.err };
}

describe('extract from an endpoint without the service', () => {
  // Every request is a 404 with an ARM error body, as Azure answers for a service that is not in the resource group.
  // (A refused connection takes the same path, after the retries' back-off: seconds this test does not spend.)
  const server = http.createServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'ResourceNotFound', message: "The Resource 'Microsoft.ApiManagement/service/apim-unreachable' was not found." } }));
  });
  beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('exits 1 naming the target and what it answered', async () => {
    const run = await extractFrom(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toMatch(
      /^extract: reading the instance\napiops: could not read apim-unreachable \(resource group rg-unreachable at http:\/\/127\.0\.0\.1:\d+\): 404: The Resource .* was not found/,
    );
    expect(run.err).not.toMatch(/\n\s+at /);
  });
});

it('extract that cannot write its output names the file, not the target it read', async () => {
  const emulator = await startEmulator({ port: 0 });
  try {
    // The output directory is a file: the instance is read, then the repository side fails.
    const out = path.join(temporary.create('out'), 'a-file');
    fs.writeFileSync(out, '');
    const run = await extractFrom(emulator.url, out);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/\nerror: cannot write into .*a-file: it is not a folder\n$/);
    expect(run.err).not.toContain('could not read');
  } finally {
    await emulator.close();
  }
});
