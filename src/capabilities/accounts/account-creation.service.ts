import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { User, UserStatus } from '../../core/users/user.entity.js';
import { UsersService, type UserPatch } from '../../core/users/users.service.js';
import { AccountRules, type NewPassword } from './account-rules.service.js';

/** An account to create. */
export interface NewAccount {
  username: string;
  email: string;
  password: NewPassword;
  firstName?: string | null;
  lastName?: string | null;
  /** The user role when absent. */
  roleSlug?: string;
  status: UserStatus;
  /** When the address was verified; unverified when absent. */
  emailVerifiedAt?: Date | null;
  /** Personal details given with the account (absent = not set). */
  phone?: string | null;
  address?: string | null;
  countryId?: number | null;
  birthday?: string | null;
}

/** The writes a caller adds to the creation, on its transaction; what they return comes back with the user. */
export type FollowUp<T> = (user: User, manager: EntityManager) => Promise<T>;

/**
 * Every account comes into being here: registration, an admin's creation, the first admin. The country must exist,
 * the password is screened against the account's words and hashed before the transaction; the username and email
 * must be free (checked on the transaction, the unique indexes guard the race); the row, its details and the
 * caller's follow-up writes (activity, a verification token) commit together, so a failure part-way leaves no
 * account behind.
 */
@Injectable()
export class AccountCreation {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly rules: AccountRules,
  ) {}

  async create<T = void>(account: NewAccount, followUp?: FollowUp<T>): Promise<{ user: User; followedUp: T }> {
    await this.rules.assertCountryExists(account.countryId);
    const passwordHash = await this.rules.passwordHash(account.password, account);
    return this.dataSource.transaction(async (manager) => {
      const user = await this.users.create(
        {
          username: account.username,
          email: account.email,
          passwordHash,
          firstName: account.firstName,
          lastName: account.lastName,
          status: account.status,
          roleSlug: account.roleSlug,
          emailVerifiedAt: account.emailVerifiedAt,
        },
        manager,
      );
      const details: UserPatch = { phone: account.phone, address: account.address, countryId: account.countryId, birthday: account.birthday };
      const given = Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
      if (Object.keys(given).length > 0) await this.users.update(user.id, given, manager);
      return { user, followedUp: (await followUp?.(user, manager)) as T };
    });
  }
}
