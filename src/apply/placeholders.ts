import { randomBytes } from 'node:crypto';
import { isLoopbackEndpoint, type ApimConnection } from '../azure/client';

/** A write apiops will not send (the reason is the user's to fix), as opposed to one the service refused. */
export class WriteRefused extends Error {}

/**
 * A random stand-in for a secret the instance needs but this run does not have (a secret named value whose variable
 * is unset, a backend credential kept on an instance that has none). Only a local emulator gets one, so that what
 * depends on it can be published; on Azure the write is refused with `refusal` as its reason.
 */
export function placeholderSecret(c: ApimConnection, refusal: string): string {
  if (!isLoopbackEndpoint(c.endpoint)) throw new WriteRefused(refusal);
  return randomBytes(24).toString('base64url');
}
