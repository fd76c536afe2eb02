import * as path from 'node:path';
import { connect, isSignInFailure, type ApimConnection, type ClientOptions } from './client';
import { failureMessage } from './write';
import { startEmulator } from '../emulator';
import type { EnvironmentConfig } from '../repo/model';

/**
 * Connecting to an environment's target. `{ emulator: DIR }` starts the emulator in this process on an ephemeral
 * loopback port, its state kept in DIR (relative to the repository root), and talks to it over HTTP through the
 * SDK like to Azure; an `endpoint` target goes where it says (loopback = an emulator, static token); any other
 * target is Azure Resource Manager with DefaultAzureCredential.
 */

export interface OpenTarget {
  connection: ApimConnection;
  /** Human description of where the connection goes, for messages. */
  label: string;
  close(): Promise<void>;
}

/** The service path the embedded emulator is addressed with (it accepts any). */
export const EMULATOR_SCOPE = { subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'apiops-local', serviceName: 'apiops-local' };

export async function openTarget(
  environment: EnvironmentConfig,
  repoRoot: string,
  options: Omit<ClientOptions, 'endpoint'> = {},
): Promise<OpenTarget> {
  const target = environment.target;
  if ('emulator' in target) {
    const dataDir = path.resolve(repoRoot, target.emulator);
    const emulator = await startEmulator({ port: 0, dataDir });
    return {
      connection: connect(EMULATOR_SCOPE, { ...options, endpoint: emulator.url }),
      label: `embedded emulator (${target.emulator})`,
      close: () => emulator.close(),
    };
  }
  const { subscriptionId, resourceGroup, serviceName, endpoint } = target;
  return {
    connection: connect({ subscriptionId, resourceGroup, serviceName }, { ...options, endpoint }),
    label: `${serviceName} (resource group ${resourceGroup}${endpoint ? ` at ${endpoint}` : ''})`,
    close: async () => undefined,
  };
}

const SIGN_IN_HINT =
  'apiops signs in with DefaultAzureCredential: run `az login` on a workstation; in a pipeline, use workload identity federation or set AZURE_TENANT_ID, AZURE_CLIENT_ID and a secret or certificate.';

/**
 * A request to `target` that failed, as an error that names the target: "connect ECONNREFUSED" or a 404 alone does not
 * say which target of which environment. A failed Azure sign-in also says how apiops signs in (DefaultAzureCredential's
 * own message lists every credential it tried, not which instance it was for).
 */
export function readFailure(error: unknown, target: OpenTarget): Error {
  if (isSignInFailure(error)) {
    return new Error(`could not sign in to Azure to read ${target.label}: ${failureMessage(error)}\n${SIGN_IN_HINT}`, { cause: error });
  }
  return new Error(`could not read ${target.label}: ${failureMessage(error)}`, { cause: error });
}
