import * as fs from 'fs';
import * as path from 'path';
import { CredentialUnavailableError, DefaultAzureCredential } from '@azure/identity';
import { runCli } from '../fixtures/repo';
import { TemporaryDirs } from './files';

/** `apiops extract` from an Azure environment without credentials: the error names the instance and says how to sign in. */

const temporary = new TemporaryDirs('apiops-extract-sign-in');

afterEach(() => {
  jest.restoreAllMocks();
  temporary.removeAll();
});

it('extract from an Azure target it cannot sign in to exits 1 naming the instance, with the sign-in advice', async () => {
  // No credential is available: DefaultAzureCredential fails here, before any request is sent (the test reaches no network).
  const getToken = jest
    .spyOn(DefaultAzureCredential.prototype, 'getToken')
    .mockRejectedValue(new CredentialUnavailableError('ChainedTokenCredential authentication failed.\nEnvironmentCredential is unavailable.'));
  const repo = temporary.create('repo');
  fs.writeFileSync(
    path.join(repo, 'apiops.config.yaml'),
    'environments:\n  dev:\n    target: { subscriptionId: 00000000-0000-0000-0000-000000000003, resourceGroup: rg-signin, serviceName: apim-signin }\n',
  );
  const { code, io } = await runCli(['extract', '--env', 'dev', '--out', temporary.create('out')], repo);
  expect(getToken).toHaveBeenCalled();
  expect(code).toBe(1);
  expect(io.out).toBe('');
  expect(io.err).toMatch(
    /^extract: reading the instance\napiops: could not sign in to Azure to read apim-signin \(resource group rg-signin\): ChainedTokenCredential authentication failed\.\nEnvironmentCredential is unavailable\.\napiops signs in with DefaultAzureCredential: run `az login`/,
  );
  expect(io.err).not.toMatch(/\n\s+at /);
});
