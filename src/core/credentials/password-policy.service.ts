import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DomainError } from '../../platform/errors/domain-error.js';
import { CREDENTIAL_ERRORS } from './errors.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { PasswordStrengthWorker } from './password-strength-worker.js';

export const PWNED_TIMEOUT_MS = 1500;
/**
 * zxcvbn's matching is synchronous and grows fast with length and with l33t substitutions: at its defaults (256
 * characters, 100 substitutions) one adversarial 256-character password took 4 s of CPU on the event loop. Scoring
 * the first 64 characters with at most 10 substitutions keeps the worst case measured to about 40 ms (120 ms on a
 * loaded machine); common passwords, names and `p@ssw0rd`-style spellings are still caught, and a password whose
 * first 64 characters are strong is strong.
 */
export const SCORED_LENGTH = 64;
const L33T_MAX_SUBSTITUTIONS = 10;
/**
 * The dictionaries are unloaded this long after the last screening (see PasswordStrengthWorker): a burst of sign-ups
 * keeps them, a quiet server does not hold some 30 MiB of resident memory for them. Loading them again costs the next
 * screening about 150 ms of the worker's CPU, off the event loop.
 */
export const ESTIMATOR_IDLE_MS = 10_000;

/** What the offline check compares a password with: the account's own words (ASVS 5: no password built from them). */
export interface PasswordOwner {
  username?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/** The user's own words as zxcvbn's user-input dictionary matches them: whole values and their parts. */
export function ownerWords(owner: PasswordOwner): string[] {
  const fullName = [owner.firstName, owner.lastName].filter(Boolean).join(' ');
  const values = [owner.username, owner.email, owner.email?.split('@')[0], owner.firstName, owner.lastName, fullName];
  const words = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    words.add(value.toLowerCase());
    for (const part of value.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part);
  }
  return [...words];
}

/**
 * Screens every new password (register, changes, resets, admin): offline with zxcvbn-ts (its common-password,
 * name and word dictionaries plus the owner's own words) against PASSWORD_MIN_SCORE; then, when PWNED_PASSWORDS_URL
 * is set, against a k-anonymity range API (HaveIBeenPwned's protocol): only the first 5 hex characters of the SHA-1
 * leave the process, the suffixes are compared here. Nothing of the password or its hash is logged.
 */
@Injectable()
export class PasswordPolicyService implements OnApplicationShutdown {
  private readonly logger = new Logger(PasswordPolicyService.name);
  private readonly estimator = new PasswordStrengthWorker({ maxLength: SCORED_LENGTH, l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS }, ESTIMATOR_IDLE_MS);

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  onApplicationShutdown(): Promise<void> {
    return this.estimator.close();
  }

  /** Throws a 422 on `field` when the password is refused. */
  async assertAcceptable(password: string, owner: PasswordOwner, field = 'password'): Promise<void> {
    if (!(await this.isStrongEnough(password, owner)) || (await this.isBreached(password))) {
      throw new DomainError(CREDENTIAL_ERRORS.PASSWORD_REFUSED, { field });
    }
  }

  /** The zxcvbn score (0 to 4) of the password against the dictionaries and the owner's words. */
  score(password: string, owner: PasswordOwner): Promise<number> {
    return this.estimator.score(password, ownerWords(owner));
  }

  private async isStrongEnough(password: string, owner: PasswordOwner): Promise<boolean> {
    return (await this.score(password, owner)) >= this.config.passwordPolicy.minScore;
  }

  /** True when the range API lists the password at least PWNED_PASSWORDS_MIN_COUNT times; on failure, the configured side. */
  private async isBreached(password: string): Promise<boolean> {
    const { pwnedUrl, pwnedMinCount, pwnedFailClosed } = this.config.passwordPolicy;
    if (!pwnedUrl) return false;
    const sha1 = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    const prefix = sha1.slice(0, 5);
    const suffix = sha1.slice(5);
    let body: string;
    try {
      const response = await fetch(`${pwnedUrl}/range/${prefix}`, {
        headers: { 'Add-Padding': 'true', 'User-Agent': 'Tessera' },
        signal: AbortSignal.timeout(PWNED_TIMEOUT_MS),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`the range API answered ${response.status}`);
      body = await response.text();
    } catch (error) {
      // Not `instanceof Error`: the timeout's DOMException may come from another realm.
      const { name, message } = (error ?? {}) as { name?: string; message?: string };
      const reason = `${name ?? 'Error'}: ${message ?? 'unknown error'}`;
      this.logger.warn({ reason, failClosed: pwnedFailClosed }, `breached-password check unavailable; the password is ${pwnedFailClosed ? 'refused' : 'accepted'}`);
      return pwnedFailClosed;
    }
    return rangeCount(body, suffix) >= pwnedMinCount;
  }
}

/**
 * The count of `suffix` in a range response (`SUFFIX:COUNT` lines); 0 when absent. Padding lines (count 0, added
 * with `Add-Padding: true` so the response size says nothing) count as absent.
 */
export function rangeCount(body: string, suffix: string): number {
  for (const line of body.split(/\r?\n/)) {
    const separator = line.indexOf(':');
    if (separator < 0 || line.slice(0, separator).trim().toUpperCase() !== suffix) continue;
    const count = Number.parseInt(line.slice(separator + 1).trim(), 10);
    return Number.isFinite(count) ? count : 0;
  }
  return 0;
}
