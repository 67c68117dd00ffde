import { Injectable } from '@nestjs/common';
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { atRestKey, openAtRest, sealAtRest } from '../../platform/crypto/at-rest-cipher.js';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

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
    this.encryptionKey = atRestKey(config, 'two-factor secret encryption v1');
    this.hashKey = atRestKey(config, 'two-factor code hashing v1');
  }

  /** Bound to the user, so a ciphertext copied to another user's row does not decrypt. */
  encrypt(plaintext: string, userId: number): string {
    return sealAtRest(this.encryptionKey, plaintext, `user:${userId}`);
  }

  /** Throws when the ciphertext was tampered with, belongs to another user or another key. */
  decrypt(stored: string, userId: number): string {
    return openAtRest(this.encryptionKey, stored, `user:${userId}`);
  }

  /** HMAC-SHA256 (hex) of a code, for storage and comparison. */
  digest(code: string): string {
    return createHmac('sha256', this.hashKey).update(code).digest('hex');
  }
}
