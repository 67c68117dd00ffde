import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountDeletionService } from '../account-data/account-deletion.service.js';
import { EmailChangeService } from '../account-recovery/email-change.service.js';
import { ActivityService, type ActivityEvent } from '../../core/activity/activity.service.js';
import type { ActivityProperties } from '../../core/activity/activity-log.entity.js';
import { PasswordPolicyService } from '../../core/credentials/password-policy.service.js';
import { AccountLifecycle } from '../../core/lifecycle/account-lifecycle.js';
import { PasswordService } from '../../core/credentials/password.service.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { CountriesService } from '../countries/countries.service.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { ADMIN_ROLE_SLUG, USER_ROLE_SLUG, type Role } from '../../core/users/role.entity.js';
import { UserStatus, type User } from '../../core/users/user.entity.js';
import { UserProfileService, type ProfileIncludes } from '../../core/users/user-profile.service.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import { UsersService, type RoleWithUserCount, type UserPatch, type UserSortColumn } from '../../core/users/users.service.js';
import { PER_PAGE_DEFAULT, type AdminCreateUserDto, type AdminListUsersQueryDto, type AdminUpdateUserDto } from './dto/admin-user.dto.js';
import type { Page } from './pagination.presenter.js';

export const CANNOT_BAN_SELF = 'You cannot ban your own account.';
export const CANNOT_DEMOTE_SELF = 'You cannot remove the admin role from your own account.';
export const CANNOT_DELETE_SELF = 'You cannot delete your own account.';

/** The admin changes that need proof (CONTRACT §2), and how the target's notice names them. */
const CREDENTIAL_FIELDS: Partial<Record<string, string>> = {
  password: 'password',
  email: 'email address',
  role_id: 'role',
  status: 'status',
};

type PlainField = 'first_name' | 'last_name' | 'phone' | 'address' | 'country_id' | 'birthday' | 'username' | 'email' | 'role_id' | 'status';

/** The fields an admin writes as given, and the columns they land in. */
const PLAIN_FIELDS: Record<PlainField, keyof UserPatch & keyof User> = {
  first_name: 'firstName',
  last_name: 'lastName',
  phone: 'phone',
  address: 'address',
  country_id: 'countryId',
  birthday: 'birthday',
  username: 'username',
  email: 'email',
  role_id: 'roleId',
  status: 'status',
};

/**
 * Users as admins manage them (issue 9). The field rules are the profile's (shared DTO rules, uniqueness, country
 * existence, argon2 hashing, session revocation on a new password); on top: roles, status, verification, bans, and
 * the guard rails that keep an admin from locking themselves out. Every change is recorded on the target user
 * with the admin as actor.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly profiles: UserProfileService,
    private readonly countries: CountriesService,
    private readonly passwords: PasswordService,
    private readonly passwordPolicy: PasswordPolicyService,
    private readonly reauthentication: ReauthenticationService,
    private readonly lifecycle: AccountLifecycle,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
    private readonly emailChanges: EmailChangeService,
    private readonly deletion: AccountDeletionService,
  ) {}

  async listUsers(query: AdminListUsersQueryDto): Promise<Page<UserProfile>> {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? PER_PAGE_DEFAULT;
    const sort = query.sort ?? 'id';
    const [users, total] = await this.users.search({
      search: query['filter[search]'],
      status: query['filter[status]'],
      sortBy: sort.replace(/^-/, '') as UserSortColumn,
      descending: sort.startsWith('-'),
      offset: (page - 1) * perPage,
      limit: perPage,
      withCountry: query.includes().country,
    });
    return { items: users.map((user) => this.profiles.of(user)), total, page, perPage };
  }

  getUser(userId: number, includes: ProfileIncludes = {}): Promise<UserProfile> {
    return this.profiles.load(userId, includes);
  }

  async createUser(auth: AuthContext, dto: AdminCreateUserDto, includes: ProfileIncludes = {}): Promise<UserProfile> {
    const role = dto.role_id === undefined ? undefined : await this.existingRole(dto.role_id);
    // A new admin is admin power handed to a password the caller chose: a credential change like a promotion.
    if (role?.slug === ADMIN_ROLE_SLUG || dto.current_password !== undefined) {
      await this.reauthentication.requireRecentAuth(auth, dto.current_password);
    }
    await this.assertCountryExists(dto.country_id);
    await this.passwordPolicy.assertAcceptable(dto.password, {
      username: dto.username,
      email: dto.email,
      firstName: dto.first_name,
      lastName: dto.last_name,
    });
    const passwordHash = await this.passwords.hash(dto.password);
    const userId = await this.dataSource.transaction(async (manager) => {
      const user = await this.users.create(
        {
          username: dto.username,
          email: dto.email,
          passwordHash,
          firstName: dto.first_name,
          lastName: dto.last_name,
          status: dto.status ?? UserStatus.Active,
          roleSlug: role?.slug,
          emailVerifiedAt: dto.email_verified === false ? null : new Date(),
        },
        manager,
      );
      const details: UserPatch = { phone: dto.phone, address: dto.address, countryId: dto.country_id, birthday: dto.birthday };
      const given = Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
      if (Object.keys(given).length > 0) await this.users.update(user.id, given, manager);
      await this.activity.record({ event: 'admin:user.created', userId: user.id, auth, properties: { role: role?.slug ?? USER_ROLE_SLUG } }, manager);
      return user.id;
    });
    return this.profiles.load(userId, includes);
  }

  /**
   * Writes what differs. A password, email, role or status change needs the admin's proof (a recent sign-in or
   * `current_password`) and mails the target at its address of record. A ban ends every session, API key and open
   * two-factor challenge in the same transaction; an unban revives nothing. A new password ends the user's sessions
   * and open challenges too.
   */
  async updateUser(auth: AuthContext, userId: number, dto: AdminUpdateUserDto, includes: ProfileIncludes = {}): Promise<UserProfile> {
    const user = await this.users.getById(userId);
    const self = user.id === auth.user.id;
    const patch: UserPatch = {};
    const fields: string[] = [];
    for (const [field, column] of Object.entries(PLAIN_FIELDS) as [PlainField, keyof UserPatch & keyof User][]) {
      const value = dto[field];
      if (value === undefined || value === user[column]) continue;
      Object.assign(patch, { [column]: value });
      fields.push(field);
    }
    if (patch.roleId !== undefined) {
      const role = await this.existingRole(patch.roleId);
      if (self && role.slug !== ADMIN_ROLE_SLUG) throw new DomainError('FORBIDDEN', CANNOT_DEMOTE_SELF);
    }
    if (self && patch.status === UserStatus.Banned) throw new DomainError('FORBIDDEN', CANNOT_BAN_SELF);
    // Changing who can get in, or how far, is a credential change: the admin proves who they are (CONTRACT §2),
    // before any other check or argon2 work.
    const credentialFields = [...fields, ...(dto.password !== undefined ? ['password'] : [])].filter((field) => CREDENTIAL_FIELDS[field] !== undefined);
    if (credentialFields.length > 0 || dto.current_password !== undefined) {
      await this.reauthentication.requireRecentAuth(auth, dto.current_password);
    }
    await this.assertCountryExists(patch.countryId);
    await this.users.assertAvailable({ username: patch.username, email: patch.email }, user.id);

    // A new spelling of the same address (case) keeps its verification, as on the profile routes.
    const addressChanged = patch.email !== undefined && patch.email.toLowerCase() !== user.email.toLowerCase();
    if (dto.email_verified !== undefined && dto.email_verified !== (user.emailVerifiedAt !== null)) {
      patch.emailVerifiedAt = dto.email_verified ? new Date() : null;
      fields.push('email_verified');
    } else if (addressChanged && dto.email_verified === undefined) {
      patch.emailVerifiedAt = null;
    }
    if (dto.password !== undefined) {
      await this.passwordPolicy.assertAcceptable(dto.password, { ...user, ...patch });
      patch.password = await this.passwords.hash(dto.password);
      fields.push('password');
    }
    if (fields.length === 0) return this.profiles.load(user.id, includes);

    const banned = patch.status === UserStatus.Banned;
    const unbanned = user.status === UserStatus.Banned && patch.status !== undefined && !banned;
    await this.dataSource.transaction(async (manager) => {
      const record = (event: ActivityEvent, properties: ActivityProperties) =>
        this.activity.record({ event, userId: user.id, auth, properties }, manager);
      await this.users.update(user.id, patch, manager);
      const otherFields = banned || unbanned ? fields.filter((field) => field !== 'status') : fields;
      if (otherFields.length > 0) await record('admin:user.updated', { fields: otherFields.join(',') });
      // An address an admin set wins over one the user is still waiting to confirm.
      if (patch.email !== undefined) await this.emailChanges.dropPending(user.id, manager);
      if (banned) {
        // A ban stops every session, key and half-finished login for good: unbanning revives none of them.
        const ended = await this.lifecycle.end(user.id, 'account-banned', manager, { by: { auth } });
        await record('admin:user.banned', { revoked_sessions: ended.sessions, deleted_api_keys: ended.apiKeys });
      } else if (patch.password !== undefined) {
        // The admin editing their own password keeps the session they are using.
        const ended = await this.lifecycle.end(user.id, 'password-change', manager, { keepSessionId: self ? (auth.session?.id ?? null) : null });
        await record('admin:sessions.revoked', { count: ended.sessions, reason: 'password-changed' });
      }
      if (unbanned) await record('admin:user.unbanned', { status: patch.status ?? null });
    });
    if (!self && credentialFields.length > 0) {
      // At the address of record, which a changed address no longer is.
      this.mail.sendAdminChangedAccount(user.email, {
        name: user.firstName ?? user.username,
        changes: credentialFields.map((field) => CREDENTIAL_FIELDS[field]!),
      });
    }
    return this.profiles.load(user.id, includes);
  }

  /**
   * Deletes a user as their own deletion does (one transaction, activity anonymised, files removed after the
   * commit), recorded with the admin as actor. Admins cannot delete themselves here (they use DELETE /api/me).
   */
  async deleteUser(auth: AuthContext, userId: number): Promise<void> {
    const user = await this.users.getById(userId);
    if (user.id === auth.user.id) throw new DomainError('FORBIDDEN', CANNOT_DELETE_SELF);
    await this.deletion.erase(user.id, { kind: 'admin', auth });
  }

  listRoles(): Promise<RoleWithUserCount[]> {
    return this.users.rolesWithUserCounts();
  }

  private async existingRole(roleId: number): Promise<Role> {
    const role = await this.users.roleById(roleId);
    if (!role) throw DomainError.invalid('role_id', 'The selected role_id is invalid.', 'exists');
    return role;
  }

  private async assertCountryExists(countryId: number | null | undefined): Promise<void> {
    if (countryId != null && !(await this.countries.exists(countryId))) {
      throw DomainError.invalid('country_id', 'The selected country_id is invalid.', 'exists');
    }
  }
}
