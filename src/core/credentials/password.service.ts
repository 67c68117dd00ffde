import { Injectable } from '@nestjs/common';
import argon2, { type HashOptions } from 'argon2';
import { BoundedConcurrency } from '../../platform/concurrency/bounded-concurrency.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';

/** How long a request may wait for a hashing slot before it gets 503 with Retry-After (docs/security.md#bounded-work). */
export const HASH_SLOT_WAIT_MS = 2_000;

/** The argon2 calls that do the work; the e2e tests wrap them to see how many run at once. */
export interface Argon2Engine {
  hash(password: string, options: HashOptions): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/**
 * argon2id hashing at OWASP's parameters (tests may lower the cost through configuration). Each hash holds
 * `ARGON2_MEMORY_KIB` (19 MiB) while it runs, so at most ARGON2_MAX_CONCURRENT run at once and the rest wait up to
 * 2 s: a login flood costs bounded memory and gets 503s, not an out-of-memory kill.
 */
@Injectable()
export class PasswordService {
  private readonly options: HashOptions;
  private dummyHash?: Promise<string>;
  readonly slots: BoundedConcurrency;
  readonly engine: Argon2Engine = {
    hash: (password, options) => argon2.hash(password, options),
    verify: (hash, password) => argon2.verify(hash, password),
  };

  constructor(@InjectConfig() config: AppConfig) {
    this.options = { type: argon2.argon2id, ...config.argon2 };
    this.slots = new BoundedConcurrency(config.argon2MaxConcurrent, HASH_SLOT_WAIT_MS);
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => this.engine.hash(password, this.options));
  }

  /** False for a wrong password or an unreadable hash; 503 SERVICE_UNAVAILABLE when no slot frees up in time. */
  async verify(hash: string, password: string): Promise<boolean> {
    return this.slots.run(async () => {
      try {
        return await this.engine.verify(hash, password);
      } catch {
        return false;
      }
    });
  }

  /** True when the hash was made with other parameters than today's: rehash it after a successful login. */
  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.options);
  }

  /** Spends the same time as a real check, for callers whose account does not exist (no user enumeration). */
  async verifyAgainstDummy(password: string): Promise<false> {
    // A refused first hash (503) must not stay cached: the next unknown-user login tries again.
    this.dummyHash ??= this.hash('tessera-dummy-password-for-timing').catch((error: unknown) => {
      this.dummyHash = undefined;
      throw error;
    });
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
