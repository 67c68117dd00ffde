import type { Instant } from '../../platform/format/dates.js';
import type { User } from './user.entity.js';

type TimestampKey = 'emailVerifiedAt' | 'termsAcceptedAt' | 'lastLogin' | 'createdAt' | 'updatedAt';

/**
 * A user as the services and presenters use it: the entity, or the bearer guard's read of it, whose timestamps are
 * ISO 8601 strings formatted by PostgreSQL (see Instant). Every User is one. Without the credential version: only
 * the sign-in paths read it, with the proof.
 */
export type AccountUser = Omit<User, TimestampKey | 'credentialVersion'> & {
  emailVerifiedAt: Instant | null;
  termsAcceptedAt: Instant | null;
  lastLogin: Instant | null;
  createdAt: Instant;
  updatedAt: Instant;
};

/** A timestamp column as `Date#toISOString()` would write it (PostgreSQL's MS truncates, as pg's Date does). */
const iso = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The user columns the bearer guard reads on every authenticated request (every one the presenters and services
 * use; the password hash never), in the order accountUserOf() reads them: no TypeORM hydration and no Date per
 * request. The role comes from RoleDirectory. `alias` is the users table's. The guard's statements put them in one
 * `json_build_array(…)` (see guardRow()).
 */
export function accountColumns(alias: string): string {
  const c = (name: string): string => `"${alias}"."${name}"`;
  return [
    c('id'),
    c('uuid'),
    c('username'),
    c('email'),
    iso(c('email_verified_at')),
    c('first_name'),
    c('last_name'),
    c('phone'),
    c('address'),
    c('country_id'),
    // ISO DateStyle: "YYYY-MM-DD", as TypeORM hydrates a date column (years 1 to 99 included).
    `${c('birthday')}::text`,
    c('role_id'),
    c('status'),
    c('language'),
    c('avatar_key'),
    c('avatar_url'),
    c('public_profile'),
    c('public_badges'),
    iso(c('t_c_accepted_at')),
    iso(c('last_login')),
    c('two_factor_method'),
    c('two_factor_country_code'),
    c('two_factor_phone'),
    c('two_factor_recovery_codes_left'),
    iso(c('created_at')),
    iso(c('updated_at')),
  ].join(', ');
}

/**
 * The select list of a guard statement: its expressions as one JSON array in one column. pg then describes and
 * parses one field instead of some thirty on every execution (its per-execution field set-up, `addFields`, was the
 * largest item of the database client's time in the profile), and JSON.parse gives the values their types: numbers,
 * booleans, strings, null, and jsonb columns as their value.
 */
export const guardRow = (...expressions: string[]): string => `json_build_array(${expressions.join(', ')})`;

/** The values of a guard statement's row (see guardRow()), or undefined when it found none. */
export const guardValues = (rows: unknown[][]): unknown[] | undefined => rows[0]?.[0] as unknown[] | undefined;

/** The user in `row` from index `at` on (see accountColumns()); `role` is left for the caller to set. */
export function accountUserOf(row: unknown[], at: number): AccountUser {
  return {
    id: row[at] as number,
    uuid: row[at + 1] as string,
    username: row[at + 2] as string,
    email: row[at + 3] as string,
    emailVerifiedAt: row[at + 4] as string | null,
    firstName: row[at + 5] as string | null,
    lastName: row[at + 6] as string | null,
    phone: row[at + 7] as string | null,
    address: row[at + 8] as string | null,
    countryId: row[at + 9] as number | null,
    birthday: row[at + 10] as string | null,
    roleId: row[at + 11] as number,
    role: undefined,
    status: row[at + 12] as User['status'],
    language: row[at + 13] as string,
    avatarKey: row[at + 14] as string | null,
    avatarUrl: row[at + 15] as string | null,
    publicProfile: row[at + 16] as boolean,
    publicBadges: row[at + 17] as boolean,
    termsAcceptedAt: row[at + 18] as string | null,
    lastLogin: row[at + 19] as string | null,
    twoFactorMethod: row[at + 20] as User['twoFactorMethod'],
    twoFactorCountryCode: row[at + 21] as number | null,
    twoFactorPhone: row[at + 22] as string | null,
    twoFactorRecoveryCodesLeft: row[at + 23] as number,
    createdAt: row[at + 24] as string,
    updatedAt: row[at + 25] as string,
  } as AccountUser;
}
