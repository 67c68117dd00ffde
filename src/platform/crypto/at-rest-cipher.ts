import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/app-config.js';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Version prefix of stored ciphertexts, so the format can change without guessing. */
const CIPHERTEXT_VERSION = 'v1';

/**
 * A 32-byte key for one purpose, derived with HKDF from the app's at-rest key material: TWO_FACTOR_ENCRYPTION_KEY,
 * or (unset) the JWT secret. Each purpose gets its own key, so a ciphertext of one kind never opens as another.
 */
export function atRestKey(config: AppConfig, purpose: string): Buffer {
  // main.ts completes jwtSecret before the app is built; loadConfig refuses a missing one in production.
  const material = config.twoFactorEncryptionKey ?? config.jwtSecret!;
  return Buffer.from(hkdfSync('sha256', material, 'tessera', purpose, 32));
}

/** AES-256-GCM, bound to `context` (additional data) so a ciphertext copied to another row does not decrypt. */
export function sealAtRest(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${CIPHERTEXT_VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
}

/** Throws when the ciphertext was tampered with, belongs to another context or another key. */
export function openAtRest(key: Buffer, stored: string, context: string): string {
  const [version, payload] = stored.split(':');
  if (version !== CIPHERTEXT_VERSION || !payload) throw new Error('unknown at-rest ciphertext format');
  const raw = Buffer.from(payload, 'base64url');
  const decipher = createDecipheriv(CIPHER, key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
