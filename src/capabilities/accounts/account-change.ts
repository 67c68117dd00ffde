import type { AccountUser } from '../../core/users/account-user.js';
import type { UserStatus } from '../../core/users/user.entity.js';

/** A change to an account, whoever asked for it: absent = unchanged, null = cleared. */
export interface AccountChanges {
  username?: string;
  email?: string;
  /** The new password in clear; screened and hashed by the updater. */
  password?: string;
  firstName?: string | null;
  lastName?: string | null;
  birthday?: string | null;
  phone?: string | null;
  address?: string | null;
  countryId?: number | null;
  language?: string;
  publicProfile?: boolean;
  publicBadges?: boolean;
  /** Admins only, as the callers allow: the role, the status, whether the address counts as verified. */
  roleId?: number;
  status?: UserStatus;
  emailVerified?: boolean;
}

/** A change held against the account it changes. */
export interface AccountChange {
  /** The account as it is before the change. */
  readonly before: AccountUser;
  /** What the caller asked for. */
  readonly given: AccountChanges;
  /** Only what differs from `before`: a password whenever one is given (it cannot be compared). */
  readonly changed: AccountChanges;
}

/** The fields compared with the account's column of the same name. */
const COLUMN_FIELDS = [
  'username',
  'email',
  'firstName',
  'lastName',
  'birthday',
  'phone',
  'address',
  'countryId',
  'language',
  'publicProfile',
  'publicBadges',
  'roleId',
  'status',
] as const satisfies ReadonlyArray<keyof AccountChanges & keyof AccountUser>;

/** What of `given` differs from `before`; nothing is checked or written yet. */
export function accountChange(before: AccountUser, given: AccountChanges): AccountChange {
  const changed: AccountChanges = {};
  for (const field of COLUMN_FIELDS) {
    const value = given[field];
    if (value !== undefined && value !== before[field]) Object.assign(changed, { [field]: value });
  }
  if (given.emailVerified !== undefined && given.emailVerified !== (before.emailVerifiedAt !== null)) changed.emailVerified = given.emailVerified;
  if (given.password !== undefined) changed.password = given.password;
  return { before, given, changed };
}

/** True when the change would alter nothing. */
export const changesNothing = (change: AccountChange): boolean => Object.keys(change.changed).length === 0;
