import { Injectable } from '@nestjs/common';
import argon2, { type HashOptions } from 'argon2';
import type { AppConfig } from '../config/app-config.js';
import { InjectConfig } from '../config/config.module.js';

/** argon2id hashing at OWASP's parameters (tests may lower the cost through configuration). */
@Injectable()
export class PasswordService {
  private readonly options: HashOptions;
  private dummyHash?: Promise<string>;

  constructor(@InjectConfig() config: AppConfig) {
    this.options = { type: argon2.argon2id, ...config.argon2 };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** True when the hash was made with other parameters than today's: rehash it after a successful login. */
  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.options);
  }

  /** Spends the same time as a real check, for callers whose account does not exist (no user enumeration). */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('tessera-dummy-password-for-timing');
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
