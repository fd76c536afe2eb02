import * as fs from 'fs';
import * as path from 'path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { connect } from '../../src/azure/client';
import { generateRepository } from '../fixtures/generate';
import { addEndpointEnvironment, CI_SCOPE, removeDir, runCli, runJson, tempDir } from './helpers';

/** `publish --prune` against a running emulator holding what the repository does not manage (subscriptions). */

const CI = ['--env', 'ci'];

describe('publish --prune', () => {
  let emulator: RunningEmulator;
  let root: string;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(() => emulator.close());
  afterEach(() => removeDir(root));

  it('deletes a product the repository no longer has even when partners subscribe to it (its subscriptions go with it)', async () => {
    root = tempDir('prune');
    generateRepository(root, { apis: 1, operationsPerApi: 1 });
    addEndpointEnvironment(root, emulator.url);
    expect((await runCli(root, ['publish', ...CI])).code).toBe(0);
    const { client } = connect(CI_SCOPE, { endpoint: emulator.url });
    await client.subscription.createOrUpdate(CI_SCOPE.resourceGroup, CI_SCOPE.serviceName, 'fabrikam-key', {
      displayName: 'Fabrikam key',
      scope: '/products/partner-production',
    });
    fs.rmSync(path.join(root, 'products/partner-production'), { recursive: true });

    const pruned = await runJson(root, ['publish', ...CI, '--prune']);
    expect(pruned.json.failed).toEqual([]);
    expect(pruned.code).toBe(0);
    expect(pruned.json.applied).toContainEqual({ action: 'delete', kind: 'product', id: 'partner-production' });
    expect((await runJson(root, ['diff', ...CI, '--exit-code'])).code).toBe(0);
  });
});
