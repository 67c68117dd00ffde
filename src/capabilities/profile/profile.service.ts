import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ActivityService, type ActivityEvent } from '../../core/activity/activity.service.js';
import type { ActivityProperties } from '../../core/activity/activity-log.entity.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import { AccountLifecycle } from '../../core/lifecycle/account-lifecycle.js';
import type { AccountUser } from '../../core/users/account-user.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { UserProfileService } from '../../core/users/user-profile.service.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import { validateInput } from '../../core/users/validation/validate-input.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { accountChange, type AccountChange, type AccountChanges } from '../accounts/account-change.js';
import { AccountUpdater } from '../accounts/account-updater.service.js';
import { AvatarService, type UploadedImage } from '../avatar/avatar.service.js';
import {
  ClientEmailFields,
  ClientPasswordFields,
  type UpdateClientEmailDto,
  type UpdateClientPasswordDto,
} from './dto/client-account.dto.js';
import type { UpdateMeDetailsDto } from './dto/me.dto.js';
import type { UpdateAuthUserProfileDto } from './dto/open-badge.dto.js';

/** The credential fields of `PATCH /api/me/details/auth` and `PUT /api/v1/auth/user`. */
export interface CredentialsInput {
  username?: string;
  email?: string;
  password?: string;
  current_password?: string;
}

/** How the caller proved who they are, for credential changes (docs/security.md#proof-for-credential-changes). */
interface Proof {
  /** The route required the password and it was checked. */
  passwordVerified: boolean;
  /** The optional `current_password`; without it a recent login is needed. */
  currentPassword?: string;
}

const NO_PROOF: Proof = { passwordVerified: false };
const PASSWORD_VERIFIED: Proof = { passwordVerified: true };

type DetailKey = 'firstName' | 'lastName' | 'birthday' | 'phone' | 'address' | 'countryId' | 'language' | 'publicProfile' | 'publicBadges';

/** Profile fields, and the names `user:profile.updated` lists them by. */
const DETAIL_FIELDS: Record<DetailKey, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  birthday: 'birthday',
  phone: 'phone',
  address: 'address',
  countryId: 'country_id',
  language: 'language',
  publicProfile: 'settings.public_profile',
  publicBadges: 'settings.public_badges',
};

/**
 * Every change a user makes to their own account, from every route family: who must prove what, and what a change
 * records and mails. The account rules (uniqueness, the country, a new address, a new password) are the
 * AccountUpdater's, shared with the admins.
 */
@Injectable()
export class ProfileService {
  constructor(
    private readonly profiles: UserProfileService,
    private readonly reauthentication: ReauthenticationService,
    private readonly accounts: AccountUpdater,
    private readonly lifecycle: AccountLifecycle,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
    private readonly avatars: AvatarService,
  ) {}

  /** The caller's profile; the guard's user (role loaded) serves it without another query unless the country is asked for. */
  async view(auth: AuthContext, includes: { country?: boolean } = {}): Promise<UserProfile> {
    return includes.country ? this.profiles.load(auth.user.id, { country: true }) : this.profiles.of(auth.user);
  }

  /** `PATCH /api/me/details`. */
  updateDetails(auth: AuthContext, dto: UpdateMeDetailsDto): Promise<UserProfile> {
    const { first_name, last_name, birthday, phone, address, country_id } = dto;
    return this.change(auth, { firstName: first_name, lastName: last_name, birthday, phone, address, countryId: country_id }, NO_PROOF);
  }

  /** `POST /api/v1/auth/user/profile`; the picture, if any, goes first, so a refused image changes nothing. */
  async updateOpenBadgeProfile(auth: AuthContext, dto: UpdateAuthUserProfileDto, picture?: UploadedImage): Promise<UserProfile> {
    // The text fields are then compared with (and, unchanged, presented from) the user as the picture left it.
    const pictured = picture ? await this.avatars.upload(auth, picture, 'profile_picture') : undefined;
    return this.change(
      pictured ? { ...auth, user: pictured.user } : auth,
      {
        firstName: dto.name,
        lastName: dto.last_name,
        language: dto.language,
        publicProfile: dto.settings?.public_profile,
        publicBadges: dto.settings?.public_badges,
      },
      NO_PROOF,
    );
  }

  /** `PATCH /api/me/details/auth` and `PUT /api/v1/auth/user`: recent authentication or `current_password`. */
  updateCredentials(auth: AuthContext, dto: CredentialsInput): Promise<UserProfile> {
    const { username, email, password, current_password } = dto;
    return this.change(auth, { username, email, password }, { passwordVerified: false, currentPassword: current_password });
  }

  /** `PUT /api/client/account/email`: the password is checked before the address is validated. */
  async changeEmailWithPassword(auth: AuthContext, dto: UpdateClientEmailDto): Promise<void> {
    await this.reauthentication.verifyPassword(auth, dto.password);
    const { email } = await validateInput(ClientEmailFields, { email: dto.email });
    await this.change(auth, { email }, PASSWORD_VERIFIED);
  }

  /** `PUT /api/client/account/password`: the current password is checked before the new one is validated. */
  async changePasswordWithPassword(auth: AuthContext, dto: UpdateClientPasswordDto): Promise<void> {
    await this.reauthentication.verifyPassword(auth, dto.current_password);
    const fields = await validateInput(ClientPasswordFields, {
      password: dto.password,
      password_confirmation: dto.password_confirmation,
    });
    await this.change(auth, { password: fields.password }, PASSWORD_VERIFIED);
  }

  private async change(auth: AuthContext, changes: AccountChanges, proof: Proof): Promise<UserProfile> {
    const change = accountChange(auth.user, changes);
    const { before, changed } = change;
    const credentialsChanged = changed.username !== undefined || changed.email !== undefined || changed.password !== undefined;
    if (!proof.passwordVerified && (credentialsChanged || proof.currentPassword !== undefined)) {
      await this.reauthentication.requireRecentAuth(auth, proof.currentPassword);
    }
    // Told by afterWrite, for the notices that afterEnding writes on the same transaction.
    let addressChanged = false;
    const applied = await this.accounts.apply(change, {
      auth,
      emailRule: 'confirm-when-verified',
      afterWrite: async ({ address }, manager) => {
        const updatedFields = (Object.keys(DETAIL_FIELDS) as DetailKey[]).filter((key) => changed[key] !== undefined).map((key) => DETAIL_FIELDS[key]);
        if (updatedFields.length > 0) await this.record(auth, 'user:profile.updated', { fields: updatedFields.join(',') }, manager);
        if (changed.username !== undefined) {
          await this.record(auth, 'user:account.username-changed', { old_username: before.username, new_username: changed.username }, manager);
        }
        addressChanged = address === 'changed';
        if (addressChanged) await this.record(auth, 'user:account.email-changed', {}, manager);
      },
      afterEnding: async (ending, manager) => {
        let passwordChange: { revokedSessions: number; kept: string[] } | undefined;
        if (ending?.reason === 'password-change') {
          await this.record(auth, 'user:account.password-changed', { revoked_sessions: ending.ended.sessions, dropped_challenges: ending.ended.challenges }, manager);
          // API keys and passkeys stay (the owner changed the password, not lost it); the notice lists what keeps working.
          passwordChange = { revokedSessions: ending.ended.sessions, kept: await this.lifecycle.remaining(before.id, manager) };
        }
        await this.notify(change, { passwordChange, addressChanged }, manager);
      },
    });
    if (!applied) return this.profiles.of(before);
    return applied.profile;
  }

  private record(auth: AuthContext, event: ActivityEvent, properties: ActivityProperties, manager: EntityManager): Promise<void> {
    return this.activity.record({ event, userId: auth.user.id, auth, properties }, manager);
  }

  /**
   * The notices, to the outbox on the change's transaction. They go to the previous address, whose owner learns
   * about a change they may not have made (the updater mails the new address its verification link).
   */
  private async notify(
    { before, changed }: AccountChange,
    what: { passwordChange?: { revokedSessions: number; kept: string[] }; addressChanged: boolean },
    manager: EntityManager,
  ): Promise<void> {
    const firstName = changed.firstName !== undefined ? changed.firstName : before.firstName;
    const name = firstName ?? changed.username ?? before.username;
    if (what.passwordChange) await this.mail.sendPasswordChangedNotice(manager, before.email, { name, ...what.passwordChange });
    if (what.addressChanged) await this.mail.sendEmailChangedNotice(manager, before.email, { name, newEmail: changed.email! });
  }
}
