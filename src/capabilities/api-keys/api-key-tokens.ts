import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { sameDigest, sha256Hex } from '../../core/credentials/sessions/session-tokens.js';

export const API_KEY_PREFIX = 'ptlc_';
/** The public part: the prefix and 11 random characters. */
export const API_KEY_IDENTIFIER_LENGTH = 16;
export const API_KEY_SECRET_LENGTH = 32;
/** The secret's last characters: a base62 CRC32 of everything before them (GitHub's token scheme). */
export const API_KEY_CHECKSUM_LENGTH = 6;

/** `format_version` of a key: 1 = made before the checksum (its secret is 32 random characters), 2 = checksummed. */
export const API_KEY_FORMAT = { legacy: 1, checksummed: 2 } as const;
export type ApiKeyFormat = (typeof API_KEY_FORMAT)[keyof typeof API_KEY_FORMAT];

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The checksum's digits, in the usual base62 order (0-9, A-Z, a-z), as secret scanners decode it. */
const BASE62_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
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

/** CRC32 of `text` in base62, left-padded with `0` to 6 digits (2^32 needs 6: 62^5 < 2^32 < 62^6). */
export function apiKeyChecksum(text: string): string {
  let value = crc32(text);
  let digits = '';
  do {
    digits = BASE62_DIGITS[value % 62] + digits;
    value = Math.floor(value / 62);
  } while (value > 0);
  return digits.padStart(API_KEY_CHECKSUM_LENGTH, '0');
}

/**
 * True when a well-formed key's last 6 characters are the checksum of the rest: a mistyped, truncated or made-up
 * key fails here, before any database lookup (1 in 62^6 random strings passes).
 */
export function hasValidChecksum(token: string): boolean {
  const cut = token.length - API_KEY_CHECKSUM_LENGTH;
  return apiKeyChecksum(token.slice(0, cut)) === token.slice(cut);
}

/**
 * A new key: 11 random characters after the prefix (~65 bits, public) and a 32-character secret whose first 26
 * characters are random (~154 bits) and whose last 6 are the checksum of everything before them.
 */
export function generateApiKey(): ApiKeyParts & { token: string } {
  const identifier = API_KEY_PREFIX + randomAlphanumeric(API_KEY_IDENTIFIER_LENGTH - API_KEY_PREFIX.length);
  const body = identifier + randomAlphanumeric(API_KEY_SECRET_LENGTH - API_KEY_CHECKSUM_LENGTH);
  const token = body + apiKeyChecksum(body);
  return { identifier, secret: token.slice(API_KEY_IDENTIFIER_LENGTH), token };
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

/** SHA-256 is enough here: the secret holds 154 (legacy keys: 190) random bits, so there is nothing to guess offline. */
export function hashApiKeySecret(secret: string): string {
  return sha256Hex(secret);
}

/** Constant-time check of a presented secret against the stored digest. */
export function secretMatches(secret: string, storedHash: string | null | undefined): boolean {
  return sameDigest(hashApiKeySecret(secret), storedHash);
}
