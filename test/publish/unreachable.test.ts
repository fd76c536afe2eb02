import { CredentialUnavailableError, DefaultAzureCredential } from '@azure/identity';
import { isSignInFailure } from '../../src/azure/client';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { generateRepository } from '../fixtures/generate';
import { addEndpointEnvironment, removeDir, runCli, tempDir } from './helpers';

/** A target that is not what the environment says: the error names the target, and carries no stack trace. */

describe('diff and publish against a wrong target', () => {
  let server: http.Server;
  let root: string;
  beforeAll(async () => {
    // An ARM endpoint without the service the environment names: every request is a 404 with an ARM error body.
    server = http.createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'ResourceNotFound', message: "The Resource 'Microsoft.ApiManagement/service/apim-ci' under resource group 'rg-ci' was not found." } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    root = tempDir('unreachable');
    generateRepository(root, { apis: 1, operationsPerApi: 1 });
    addEndpointEnvironment(root, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    removeDir(root);
  });

  it.each([['diff'], ['publish']])('%s exits 1 naming the instance it could not read, and does not report it read', async (command) => {
    const run = await runCli(root, [command, '--env', 'ci', '--json']);
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toMatch(/^Reading apim-ci .*…\napiops: could not read apim-ci \(resource group rg-ci at http:\/\/127\.0\.0\.1:\d+\): 404: The Resource .* was not found/);
    expect(run.err).not.toMatch(/^Read apim-ci .* in \d+ requests/m);
    expect(run.err).not.toMatch(/\n\s+at /);
  });
});

describe('a failed Azure sign-in', () => {
  it('is told apart from other failures (the CLI then says how to sign in)', () => {
    expect(isSignInFailure(new CredentialUnavailableError('ChainedTokenCredential authentication failed.'))).toBe(true);
    expect(isSignInFailure(new Error('connect ECONNREFUSED'))).toBe(false);
  });

  it.each([['diff'], ['publish']])('%s exits 1 naming the instance it could not sign in for, with the sign-in advice', async (command) => {
    // No credential is available: DefaultAzureCredential fails here, before any request is sent (the test reaches no network).
    const getToken = jest
      .spyOn(DefaultAzureCredential.prototype, 'getToken')
      .mockRejectedValue(new CredentialUnavailableError('ChainedTokenCredential authentication failed.'));
    const root = tempDir('sign-in');
    try {
      generateRepository(root, { apis: 1, operationsPerApi: 1 });
      addEndpointEnvironment(root, 'https://management.azure.com');
      const run = await runCli(root, [command, '--env', 'ci']);
      expect(getToken).toHaveBeenCalled();
      expect(run.code).toBe(1);
      expect(run.err).toMatch(
        /\napiops: could not sign in to Azure to read apim-ci \(resource group rg-ci at https:\/\/management\.azure\.com\): ChainedTokenCredential authentication failed\.\napiops signs in with DefaultAzureCredential: run `az login`/,
      );
    } finally {
      getToken.mockRestore();
      removeDir(root);
    }
  });
});
