import type { Instant } from '../../platform/format/dates.js';
import { jsonObject } from '../../platform/database/entity-rows.js';
import type { User } from './user.entity.js';

type TimestampKey = 'emailVerifiedAt' | 'termsAcceptedAt' | 'lastLogin' | 'createdAt' | 'updatedAt';

/**
 * A user as the services and presenters use it: the entity, or the bearer guard's read of it, whose timestamps are
 * ISO 8601 strings formatted by PostgreSQL (see Instant), and which holds no password hash (selected only where a
 * password is checked) nor the credential version (only the sign-in paths read it, with the proof). Every User is one.
 */
export type AccountUser = Omit<User, TimestampKey | 'password' | 'credentialVersion'> & {
  emailVerifiedAt: Instant | null;
  termsAcceptedAt: Instant | null;
  lastLogin: Instant | null;
  createdAt: Instant;
  updatedAt: Instant;
};

/**
 * What the bearer guard's statement gives of a user: every AccountUser column; not the relations (the role, which
 * the guard sets from RoleDirectory, as roles are fixed rows kept in memory; the country, which no caller of the
 * guard's user needs).
 */
export type AccountUserRow = Omit<AccountUser, 'role' | 'country'>;

/** A timestamp column as `Date#toISOString()` would write it (PostgreSQL's MS truncates, as pg's Date does). */
const isoTimestamp = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** A date column in the ISO DateStyle, "YYYY-MM-DD", as TypeORM hydrates it (years 1 to 99 included). */
const isoDate = (column: string): string => `${column}::text`;
const asStored = (column: string): string => column;

/**
 * Each property of the guard's read of a user, by name: the users column it comes from and how it is read. Every
 * property of AccountUserRow must be here (the type says so), and each one names its own column, so a column cannot
 * land in its neighbour's property. Numbers, booleans, strings and null come out of the JSON as those types.
 */
const ACCOUNT_COLUMNS: { readonly [Property in keyof AccountUserRow]-?: readonly [column: string, read: (column: string) => string] } = {
  id: ['id', asStored],
  uuid: ['uuid', asStored],
  username: ['username', asStored],
  email: ['email', asStored],
  emailVerifiedAt: ['email_verified_at', isoTimestamp],
  firstName: ['first_name', asStored],
  lastName: ['last_name', asStored],
  phone: ['phone', asStored],
  address: ['address', asStored],
  countryId: ['country_id', asStored],
  birthday: ['birthday', isoDate],
  roleId: ['role_id', asStored],
  status: ['status', asStored],
  language: ['language', asStored],
  avatarKey: ['avatar_key', asStored],
  avatarUrl: ['avatar_url', asStored],
  publicProfile: ['public_profile', asStored],
  publicBadges: ['public_badges', asStored],
  termsAcceptedAt: ['t_c_accepted_at', isoTimestamp],
  lastLogin: ['last_login', isoTimestamp],
  twoFactorMethod: ['two_factor_method', asStored],
  twoFactorCountryCode: ['two_factor_country_code', asStored],
  twoFactorPhone: ['two_factor_phone', asStored],
  twoFactorRecoveryCodesLeft: ['two_factor_recovery_codes_left', asStored],
  currentOrganizationId: ['current_organization_id', asStored],
  createdAt: ['created_at', isoTimestamp],
  updatedAt: ['updated_at', isoTimestamp],
};

/** The SQL expression of each AccountUserRow property of the users row `alias` (see ACCOUNT_COLUMNS). */
export function accountUserFields(alias: string): Record<keyof AccountUserRow, string> {
  return Object.fromEntries(
    Object.entries(ACCOUNT_COLUMNS).map(([property, [column, read]]) => [property, read(`"${alias}"."${column}"`)]),
  ) as Record<keyof AccountUserRow, string>;
}

/**
 * The user of the users row `alias` as one JSON object keyed by AccountUserRow's property names (the password hash
 * never): what the bearer guard reads on every authenticated request, with no TypeORM hydration and no Date per
 * request. Parsed, it is an AccountUserRow as it is.
 */
export function accountUserObject(alias: string): string {
  return jsonObject(accountUserFields(alias));
}
