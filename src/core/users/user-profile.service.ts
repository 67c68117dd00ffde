import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { avatarUrlsOf } from './avatar-urls.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import type { AccountUser } from './account-user.js';
import { User } from './user.entity.js';
import type { TwoFactorSummary, UserProfile } from './user-profile.js';

export interface ProfileIncludes {
  country?: boolean;
}

/** Loads the UserProfile every presenter works from. */
@Injectable()
export class UserProfileService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async load(userId: number, includes: ProfileIncludes = {}, manager?: EntityManager): Promise<UserProfile> {
    const repository = manager ? manager.getRepository(User) : this.users;
    const user = await repository.findOne({ where: { id: userId }, relations: { role: true, country: includes.country ?? false } });
    if (!user) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    return this.of(user);
  }

  /** Builds the profile from an already loaded user (the guard's, say) without another query. */
  of(user: AccountUser): UserProfile {
    return { user, avatar: avatarUrlsOf(user, this.config.appUrl), twoFactor: this.twoFactorOf(user) };
  }

  private twoFactorOf(user: AccountUser): TwoFactorSummary | null {
    if (!user.twoFactorMethod && user.twoFactorPhone === null) return null;
    return {
      method: user.twoFactorMethod,
      enabled: user.twoFactorMethod !== null,
      pending_method: !user.twoFactorMethod && user.twoFactorPhone ? 'sms' : null,
      recovery_codes_left: user.twoFactorRecoveryCodesLeft,
    };
  }
}
