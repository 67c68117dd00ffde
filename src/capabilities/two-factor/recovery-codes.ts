import { randomBytes } from 'node:crypto';
import { base32 } from './two-factor-crypto.js';

export const RECOVERY_CODE_COUNT = 10;

/** `xxxxx-xxxxx`: 10 base32 characters (50 random bits), lower case, easy to read out and type. */
export function newRecoveryCode(): string {
  const chars = base32(randomBytes(7)).slice(0, 10).toLowerCase();
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** What the user typed, reduced to the characters that were hashed (case, spaces and dashes do not matter). */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[^a-z2-7]/g, '');
}
