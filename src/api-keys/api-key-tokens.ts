import { randomBytes } from 'node:crypto';
import { sameDigest, sha256Hex } from '../sessions/session-tokens.js';

export const API_KEY_PREFIX = 'ptlc_';
/** The public part: the prefix and 11 random characters. */
export const API_KEY_IDENTIFIER_LENGTH = 16;
export const API_KEY_SECRET_LENGTH = 32;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The largest multiple of 62 a byte can hold: bytes at or above it are dropped, so every character is equally likely. */
const UNBIASED_BYTE_LIMIT = 256 - (256 % ALPHABET.length);
const IDENTIFIER_PATTERN = /^ptlc_[A-Za-z0-9]{11}$/;
const API_KEY_PATTERN = /^(ptlc_[A-Za-z0-9]{11})([A-Za-z0-9]{32})$/;

export interface ApiKeyParts {
  identifier: string;
  secret: string;
}

/** `length` characters of [A-Za-z0-9] from the CSPRNG, by rejection sampling. */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length + 8)) {
      if (byte < UNBIASED_BYTE_LIMIT && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

/** A new key: 11 random characters after the prefix (~65 bits, public) and a 32-character secret (~190 bits). */
export function generateApiKey(): ApiKeyParts & { token: string } {
  const identifier = API_KEY_PREFIX + randomAlphanumeric(API_KEY_IDENTIFIER_LENGTH - API_KEY_PREFIX.length);
  const secret = randomAlphanumeric(API_KEY_SECRET_LENGTH);
  return { identifier, secret, token: identifier + secret };
}

/** True for a bearer credential that claims to be an API key (it may still be malformed). */
export function isApiKeyCredential(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** Splits a well-formed key; null for a wrong length, prefix or character. */
export function parseApiKey(credential: string): ApiKeyParts | null {
  const match = API_KEY_PATTERN.exec(credential);
  return match ? { identifier: match[1], secret: match[2] } : null;
}

export function isApiKeyIdentifier(value: string): boolean {
  return IDENTIFIER_PATTERN.test(value);
}

/** SHA-256 is enough here: the secret is 190 random bits, so there is nothing to guess offline. */
export function hashApiKeySecret(secret: string): string {
  return sha256Hex(secret);
}

/** Constant-time check of a presented secret against the stored digest. */
export function secretMatches(secret: string, storedHash: string | null | undefined): boolean {
  return sameDigest(hashApiKeySecret(secret), storedHash);
}
