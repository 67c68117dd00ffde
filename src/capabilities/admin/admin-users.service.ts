import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountDeletionService } from '../account-data/account-deletion.service.js';
import { ActivityService, type ActivityEvent } from '../../core/activity/activity.service.js';
import type { ActivityProperties } from '../../core/activity/activity-log.entity.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { ADMIN_ERRORS } from './errors.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { ADMIN_ROLE_SLUG, USER_ROLE_SLUG, type Role } from '../../core/users/role.entity.js';
import { UserStatus } from '../../core/users/user.entity.js';
import { UserProfileService, type ProfileIncludes } from '../../core/users/user-profile.service.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import { UsersService, type RoleWithUserCount, type UserSortColumn } from '../../core/users/users.service.js';
import { accountChange, type AccountChanges } from '../accounts/account-change.js';
import { AccountCreation } from '../accounts/account-creation.service.js';
import { AccountUpdater } from '../accounts/account-updater.service.js';
import { PER_PAGE_DEFAULT, type AdminCreateUserDto, type AdminListUsersQueryDto, type AdminUpdateUserDto } from './dto/admin-user.dto.js';
import type { Page } from './pagination.presenter.js';


/** What an admin may change, by the names the activity entries list them by, in the order they list them. */
const FIELD_NAMES = {
  firstName: 'first_name',
  lastName: 'last_name',
  phone: 'phone',
  address: 'address',
  countryId: 'country_id',
  birthday: 'birthday',
  username: 'username',
  email: 'email',
  roleId: 'role_id',
  status: 'status',
  emailVerified: 'email_verified',
  password: 'password',
} as const satisfies Partial<Record<keyof AccountChanges, string>>;

/** The admin changes that need proof, and how the target's notice names them. */
const CREDENTIAL_FIELDS: Partial<Record<string, string>> = {
  password: 'password',
  email: 'email address',
  username: 'username',
  email_verified: 'email verification',
  role_id: 'role',
  status: 'status',
};

/**
 * Users as admins manage them (issue 9). The account rules are the profile's (AccountUpdater, AccountCreation:
 * uniqueness, country existence, password screening and hashing, what a new password or a ban ends); on top: roles,
 * status, verification, the proof an admin gives, the guard rails that keep an admin from locking themselves out,
 * and the notice to the target. Every change is recorded on the target user with the admin as actor.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly profiles: UserProfileService,
    private readonly reauthentication: ReauthenticationService,
    private readonly accounts: AccountUpdater,
    private readonly creation: AccountCreation,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
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
    const { user } = await this.creation.create(
      {
        username: dto.username,
        email: dto.email,
        password: { chosen: dto.password },
        firstName: dto.first_name,
        lastName: dto.last_name,
        status: dto.status ?? UserStatus.Active,
        roleSlug: role?.slug,
        emailVerifiedAt: dto.email_verified === false ? null : new Date(),
        phone: dto.phone,
        address: dto.address,
        countryId: dto.country_id,
        birthday: dto.birthday,
      },
      (created, manager) =>
        this.activity.record({ event: 'admin:user.created', userId: created.id, auth, properties: { role: role?.slug ?? USER_ROLE_SLUG } }, manager),
    );
    return this.profiles.load(user.id, includes);
  }

  /**
   * Writes what differs. A change of password, email, username, verification, role or status needs the admin's proof
   * (a recent sign-in or `current_password`; never an API key) and mails the target at its address of record. A ban ends every session, API key and open
   * two-factor challenge in the same transaction; an unban revives nothing. A new password ends the user's sessions
   * and open challenges too.
   */
  async updateUser(auth: AuthContext, userId: number, dto: AdminUpdateUserDto, includes: ProfileIncludes = {}): Promise<UserProfile> {
    const user = await this.users.getById(userId);
    const self = user.id === auth.user.id;
    const change = accountChange(user, {
      firstName: dto.first_name,
      lastName: dto.last_name,
      phone: dto.phone,
      address: dto.address,
      countryId: dto.country_id,
      birthday: dto.birthday,
      username: dto.username,
      email: dto.email,
      roleId: dto.role_id,
      status: dto.status,
      emailVerified: dto.email_verified,
      password: dto.password,
    });
    const { changed } = change;
    const fields = (Object.keys(FIELD_NAMES) as (keyof typeof FIELD_NAMES)[]).filter((key) => changed[key] !== undefined).map((key) => FIELD_NAMES[key]);
    if (changed.roleId !== undefined) {
      const role = await this.existingRole(changed.roleId);
      if (self && role.slug !== ADMIN_ROLE_SLUG) throw new DomainError(ADMIN_ERRORS.CANNOT_DEMOTE_SELF);
    }
    if (self && changed.status === UserStatus.Banned) throw new DomainError(ADMIN_ERRORS.CANNOT_BAN_SELF);
    // Changing who can get in, or how far, is a credential change: the admin proves who they are (docs/security.md#proof-for-credential-changes),
    // before any other check or argon2 work.
    const credentialFields = fields.filter((field) => CREDENTIAL_FIELDS[field] !== undefined);
    if (credentialFields.length > 0 || dto.current_password !== undefined) {
      await this.reauthentication.requireRecentAuth(auth, dto.current_password);
    }

    const banned = changed.status === UserStatus.Banned;
    const unbanned = user.status === UserStatus.Banned && changed.status !== undefined && !banned;
    const applied = await this.accounts.apply(change, {
      auth,
      emailRule: 'apply-at-once',
      includes,
      afterWrite: async (_written, manager) => {
        // A ban and an unban have entries of their own.
        const otherFields = banned || unbanned ? fields.filter((field) => field !== 'status') : fields;
        if (otherFields.length > 0) await this.record(auth, user.id, 'admin:user.updated', { fields: otherFields.join(',') }, manager);
      },
      afterEnding: async (ending, manager) => {
        if (ending?.reason === 'account-banned') {
          await this.record(auth, user.id, 'admin:user.banned', { revoked_sessions: ending.ended.sessions, deleted_api_keys: ending.ended.apiKeys }, manager);
        } else if (ending?.reason === 'password-change') {
          await this.record(auth, user.id, 'admin:sessions.revoked', { count: ending.ended.sessions, reason: 'password-changed' }, manager);
        }
        if (unbanned) await this.record(auth, user.id, 'admin:user.unbanned', { status: changed.status ?? null }, manager);
        if (!self && credentialFields.length > 0) {
          // At the address of record, which a changed address no longer is.
          await this.mail.sendAdminChangedAccount(manager, user.email, {
            name: user.firstName ?? user.username,
            changes: credentialFields.map((field) => CREDENTIAL_FIELDS[field]!),
          });
        }
      },
    });
    if (!applied) return this.profiles.load(user.id, includes);
    return applied.profile;
  }

  /**
   * Deletes a user as their own deletion does (one transaction, activity anonymised, files removed after the
   * commit, a notice to the address), recorded with the admin as actor. It ends every way into the account, so it
   * needs the admin's proof. Admins cannot delete themselves here (they use DELETE /api/me).
   */
  async deleteUser(auth: AuthContext, userId: number, currentPassword: string | undefined): Promise<void> {
    const user = await this.users.getById(userId);
    if (user.id === auth.user.id) throw new DomainError(ADMIN_ERRORS.CANNOT_DELETE_SELF);
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    await this.deletion.erase(user.id, { kind: 'admin', auth });
  }

  listRoles(): Promise<RoleWithUserCount[]> {
    return this.users.rolesWithUserCounts();
  }

  private async existingRole(roleId: number): Promise<Role> {
    const role = await this.users.roleById(roleId);
    if (!role) throw new DomainError(ADMIN_ERRORS.UNKNOWN_ROLE);
    return role;
  }

  private record(auth: AuthContext, userId: number, event: ActivityEvent, properties: ActivityProperties, manager: EntityManager): Promise<void> {
    return this.activity.record({ event, userId, auth, properties }, manager);
  }
}
