import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../errors.js';
import { dataDirProblem } from './data-dir.js';

const VERSION = 'v1';
const IV_BYTES = 12; // the GCM nonce size NIST SP 800-38D recommends
const TAG_BYTES = 16;
export const KEY_FILE_NAME = 'secret.key';

/**
 * AES-256-GCM for secrets at rest. The associated data binds a ciphertext to its owner and field
 * (`<team>:<user>:<field>`), so a sealed value copied onto another user's row fails to open.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.#key = Buffer.from(key);
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** Throws when the value was tampered with, sealed under another key, or moved to another owner or field. */
  open(sealed: string, associatedData: string): string {
    const [version, payload] = sealed.split(':', 2);
    if (version !== VERSION || payload === undefined) throw new Error('Unknown sealed value format');
    const raw = Buffer.from(payload, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

/**
 * The configured key, else the key file in the data dir, created (mode 0600) on first start. Losing the
 * file only loses the saved secrets: users re-enter them in /visen settings.
 */
export function loadOrCreateSecretKey(dataDir: string, configured: Buffer | undefined): Buffer {
  if (configured) return configured;
  const file = join(dataDir, KEY_FILE_NAME);
  try {
    if (existsSync(file)) {
      const key = decodeKey(readFileSync(file, 'utf8'));
      if (!key) {
        throw new StoreError('unavailable', `${file} does not hold a 32-byte key; restore it or delete it (saved secrets will then need to be entered again).`);
      }
      chmodSync(file, 0o600);
      return key;
    }
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    throw err instanceof StoreError ? err : dataDirProblem(err, file, 'file');
  }
}

/** The data dir's key file and the key in it, without creating it (undefined key: no file, or not a key). */
export function readKeyFile(dataDir: string): { readonly path: string; readonly key: Buffer | undefined } {
  const path = join(dataDir, KEY_FILE_NAME);
  return { path, key: existsSync(path) ? decodeKey(readFileSync(path, 'utf8')) : undefined };
}

/** A 32-byte key from 64 hex characters or base64 (standard or URL-safe). */
export function decodeKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(trimmed)) {
    const key = Buffer.from(trimmed, 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}
