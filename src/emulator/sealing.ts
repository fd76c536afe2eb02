import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../diagnostics';

/**
 * Secret values (named-value secrets, subscription keys) are persisted encrypted (AES-256-GCM), so that state files
 * can be read, grepped, attached to a bug report or committed by mistake without leaking them. The key lives in
 * the data directory (mode 0600) because listValue and listSecrets must still answer after a restart — whoever
 * holds the whole directory holds the secrets, which docs/emulator.md says.
 */

export const KEY_FILE = 'secrets.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

export interface Sealer {
  seal(secrets: Record<string, string>): string;
  unseal(sealed: string, where: string): Record<string, string>;
}

function loadOrCreateKey(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE);
  try {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== KEY_BYTES) throw new UserError(`${file}: not an emulator secrets key (expected ${KEY_BYTES} bytes, base64)`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(KEY_BYTES);
  // `wx`: two emulators opening one new directory at once must not each write a different key.
  try {
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(dataDir);
    throw error;
  }
  return key;
}

export function openSealer(dataDir: string): Sealer {
  const key = loadOrCreateKey(dataDir);
  return {
    seal(secrets) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const encrypted = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64')}`;
    },
    unseal(sealed, where) {
      const [version, payload] = sealed.split(':');
      const bytes = Buffer.from(payload ?? '', 'base64');
      try {
        if (version !== VERSION || bytes.length < IV_BYTES + TAG_BYTES) throw new Error('unknown format');
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
        return JSON.parse(plain.toString('utf8')) as Record<string, string>;
      } catch {
        throw new UserError(`${where}: its secrets cannot be decrypted with ${path.join(path.dirname(where), KEY_FILE)} (was the key replaced?)`);
      }
    },
  };
}
