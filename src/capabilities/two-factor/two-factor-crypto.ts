import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Version prefix of stored ciphertexts, so the format can change without guessing. */
const CIPHERTEXT_VERSION = 'v1';

/** RFC 4648 base32 without padding (what authenticator apps expect). */
export function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** A uniformly random numeric code, zero-padded (`004217`). */
export function randomDigits(length: number): string {
  return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** Constant-time equality of two strings of any length. */
export function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Keys for two-factor material at rest, derived with HKDF from TWO_FACTOR_ENCRYPTION_KEY (or, unset, from the
 * JWT secret): one to encrypt TOTP secrets, one to HMAC short codes (a bare SHA-256 of a 6-digit code would fall
 * to a dictionary of a million entries).
 */
@Injectable()
export class TwoFactorCrypto {
  private readonly encryptionKey: Buffer;
  private readonly hashKey: Buffer;

  constructor(@InjectConfig() config: AppConfig) {
    // main.ts completes jwtSecret before the app is built; loadConfig refuses a missing one in production.
    const material = config.twoFactorEncryptionKey ?? config.jwtSecret!;
    this.encryptionKey = Buffer.from(hkdfSync('sha256', material, 'tessera', 'two-factor secret encryption v1', 32));
    this.hashKey = Buffer.from(hkdfSync('sha256', material, 'tessera', 'two-factor code hashing v1', 32));
  }

  /** AES-256-GCM, bound to the user (additional data) so a ciphertext copied to another row does not decrypt. */
  encrypt(plaintext: string, userId: number): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.encryptionKey, iv);
    cipher.setAAD(Buffer.from(`user:${userId}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${CIPHERTEXT_VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
  }

  /** Throws when the ciphertext was tampered with, belongs to another user or another key. */
  decrypt(stored: string, userId: number): string {
    const [version, payload] = stored.split(':');
    if (version !== CIPHERTEXT_VERSION || !payload) throw new Error('unknown two-factor ciphertext format');
    const raw = Buffer.from(payload, 'base64url');
    const decipher = createDecipheriv(CIPHER, this.encryptionKey, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`user:${userId}`));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** HMAC-SHA256 (hex) of a code, for storage and comparison. */
  digest(code: string): string {
    return createHmac('sha256', this.hashKey).update(code).digest('hex');
  }
}
