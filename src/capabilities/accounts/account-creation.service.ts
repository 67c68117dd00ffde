import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { DomainError } from '../../platform/errors/domain-error.js';
import type { User, UserStatus } from '../../core/users/user.entity.js';
import { UsersService, type UserPatch } from '../../core/users/users.service.js';
import { AccountRules, type NewPassword } from './account-rules.service.js';
import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';

/** An account to create. */
export interface NewAccount {
  username: string;
  email: string;
  /** Null: no password (an account created through an identity provider, which signs in through it). */
  password: NewPassword | null;
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

/** An account created, and what the caller's follow-up returned. */
export interface Created<T> {
  user: User;
  followedUp: T;
}

/** Registration's answer when the address already has an account: nothing was created; this is the account. */
export interface AddressInUse {
  addressOwner: User;
}

/**
 * Every account comes into being here: registration, an admin's creation, the first admin. The country must exist,
 * the password is screened against the account's words and hashed before the transaction; the username and email
 * must be free (checked on the transaction, the unique indexes guard the race); the row, its details and the
 * caller's follow-up writes (activity, a verification token) and the `user.created` event commit together, so a failure part-way leaves no
 * account behind.
 */
@Injectable()
export class AccountCreation {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly rules: AccountRules,
    private readonly events: EventsService,
  ) {}

  async create<T = void>(account: NewAccount, followUp?: FollowUp<T>): Promise<Created<T>> {
    const passwordHash = await this.checkedPasswordHash(account);
    return this.dataSource.transaction((manager) => this.insert(account, passwordHash, manager, followUp));
  }

  /**
   * Registration's creation: a refusal of a taken address would tell anyone whether an address has an account, so
   * an address in use is no error. Nothing is created then and the account that has it comes back (its owner is
   * the one to tell). A taken username is still refused: usernames are public. The same checks and the same argon2
   * work run either way; a registration of the same address at the same moment, caught by the unique index, is
   * answered alike.
   */
  async createUnlessAddressInUse<T>(account: NewAccount, followUp: FollowUp<T>): Promise<Created<T> | AddressInUse> {
    const passwordHash = await this.checkedPasswordHash(account);
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.users.assertAvailable({ username: account.username }, undefined, manager);
        const addressOwner = await this.users.findByEmail(account.email, manager);
        if (addressOwner) return { addressOwner };
        return this.insert(account, passwordHash, manager, followUp);
      });
    } catch (error) {
      const addressOwner = isEmailTaken(error) ? await this.users.findByEmail(account.email) : null;
      if (addressOwner) return { addressOwner };
      throw error;
    }
  }

  /** The country must exist; the password is screened against the account's words and hashed, before any transaction. */
  private async checkedPasswordHash(account: NewAccount): Promise<string | null> {
    await this.rules.assertCountryExists(account.countryId);
    return account.password === null ? null : this.rules.passwordHash(account.password, account);
  }

  /** The row, its details and the caller's follow-up, on the caller's transaction. */
  private async insert<T>(account: NewAccount, passwordHash: string | null, manager: EntityManager, followUp?: FollowUp<T>): Promise<Created<T>> {
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
    await this.events.emit(manager, 'user.created', userRef(user));
    return { user, followedUp: (await followUp?.(user, manager)) as T };
  }
}

/** The unique index on the address refused a row: someone registered it between the check and the insert. */
function isEmailTaken(error: unknown): boolean {
  // A registration that committed between this one's lookup and its insert: seen by the insert's own uniqueness
  // check (a 422 on `email` alone), or by the unique index when both were in flight.
  if (error instanceof DomainError) return error.fields.length === 1 && error.fields[0].field === 'email' && error.fields[0].rule === 'unique';
  const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string }) : undefined;
  return driverError?.code === '23505' && driverError.constraint === 'users_email_unique';
}
