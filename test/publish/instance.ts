import type { ApimConnection } from '../../src/azure/client';
import { openTarget } from '../../src/azure/target';
import { loadRepository } from '../../src/repo';
import { pickEnvironment } from '../../src/render';

/**
 * The instance a repository's environment targets, opened through the real SDK for the length of `action`: tests
 * use it to change the instance the way someone working in the portal would.
 */
export async function withInstance<T>(root: string, env: string, action: (c: ApimConnection) => Promise<T>): Promise<T> {
  const target = await openTarget(pickEnvironment(loadRepository(root).model, env), root);
  try {
    return await action(target.connection);
  } finally {
    await target.close();
  }
}
