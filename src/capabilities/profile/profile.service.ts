import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EmailChangeService } from '../account-recovery/email-change.service.js';
import { ActivityService, type ActivityEvent } from '../../core/activity/activity.service.js';
import type { ActivityProperties } from '../../core/activity/activity-log.entity.js';
import { PasswordPolicyService } from '../../core/credentials/password-policy.service.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AccountLifecycle } from '../../core/lifecycle/account-lifecycle.js';
import { PasswordService } from '../../core/credentials/password.service.js';
import { AvatarService, type UploadedImage } from '../avatar/avatar.service.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { CountriesService } from '../countries/countries.service.js';
import type { ApiKeyMention } from '../../platform/mail/mail-templates.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { SessionsService } from '../../core/credentials/sessions/sessions.service.js';
import type { AccountUser } from '../../core/users/account-user.js';
import { UserProfileService } from '../../core/users/user-profile.service.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import { UsersService, type UserPatch } from '../../core/users/users.service.js';
import {
  ClientEmailFields,
  ClientPasswordFields,
  type UpdateClientEmailDto,
  type UpdateClientPasswordDto,
} from './dto/client-account.dto.js';
import type { UpdateMeDetailsDto } from './dto/me.dto.js';
import type { UpdateAuthUserProfileDto } from './dto/open-badge.dto.js';
import { EmailVerificationRequester } from '../../core/users/email-verification.js';
import { validateInput } from '../../core/users/validation/validate-input.js';

/** A change to the account, whichever family asked for it: absent = unchanged, null = cleared. */
export interface AccountChanges {
  username?: string;
  email?: string;
  /** The new password in clear; hashed here. */
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
}

/** The credential fields of `PATCH /api/me/details/auth` and `PUT /api/v1/auth/user`. */
export interface CredentialsInput {
  username?: string;
  email?: string;
  password?: string;
  current_password?: string;
}

/** How the caller proved who they are, for credential changes (CONTRACT §2). */
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
 * Every change a user makes to their own account, from every route family. The rules live here once: who must
 * prove what, uniqueness, existence of the country, what a change clears, revokes, records and mails.
 */
@Injectable()
export class ProfileService {
  private readonly logger = new Logger(ProfileService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly profiles: UserProfileService,
    private readonly countries: CountriesService,
    private readonly passwords: PasswordService,
    private readonly passwordPolicy: PasswordPolicyService,
    private readonly reauthentication: ReauthenticationService,
    private readonly lifecycle: AccountLifecycle,
    private readonly emailChanges: EmailChangeService,
    private readonly apiKeys: ApiKeysService,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
    private readonly avatars: AvatarService,
    private readonly emailVerification: EmailVerificationRequester,
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
    const user = auth.user;
    const patch: UserPatch = {};
    const updatedFields: string[] = [];
    for (const key of Object.keys(DETAIL_FIELDS) as DetailKey[]) {
      const value = changes[key];
      if (value === undefined || value === user[key]) continue;
      Object.assign(patch, { [key]: value });
      updatedFields.push(DETAIL_FIELDS[key]);
    }
    const username = changes.username !== undefined && changes.username !== user.username ? changes.username : undefined;
    const email = changes.email !== undefined && changes.email !== user.email ? changes.email : undefined;
    // A new spelling of the same address (case) keeps its verification.
    const addressChanged = email !== undefined && email.toLowerCase() !== user.email.toLowerCase();
    // A verified address stays until the new one confirms (CONTRACT §2); an unverified one has nothing to protect.
    const pendingEmail = addressChanged && user.emailVerifiedAt !== null ? email : undefined;
    const addressChangedAtOnce = addressChanged && pendingEmail === undefined;
    const passwordChanged = changes.password !== undefined;

    const credentialsChanged = username !== undefined || email !== undefined || passwordChanged;
    if (!proof.passwordVerified && (credentialsChanged || proof.currentPassword !== undefined)) {
      await this.reauthentication.requireRecentAuth(auth, proof.currentPassword);
    }
    if (patch.countryId != null && !(await this.countries.exists(patch.countryId))) {
      throw DomainError.invalid('country_id', 'The selected country_id is invalid.', 'exists');
    }
    await this.users.assertAvailable({ username, email }, user.id);

    if (username !== undefined) patch.username = username;
    if (email !== undefined && pendingEmail === undefined) patch.email = email;
    if (addressChangedAtOnce) patch.emailVerifiedAt = null;
    if (changes.password !== undefined) {
      // Screened against the account's words as they will be after this change.
      await this.passwordPolicy.assertAcceptable(changes.password, {
        username: username ?? user.username,
        email: email ?? user.email,
        firstName: patch.firstName !== undefined ? patch.firstName : user.firstName,
        lastName: patch.lastName !== undefined ? patch.lastName : user.lastName,
      });
      patch.password = await this.passwords.hash(changes.password);
    }
    if (Object.keys(patch).length === 0 && pendingEmail === undefined) return this.profiles.of(user);

    let mailPendingChange: (() => void) | undefined;
    let apiKeys: ApiKeyMention[] = [];
    await this.dataSource.transaction(async (manager) => {
      const record = (event: ActivityEvent, properties: ActivityProperties = {}) =>
        this.activity.record({ event, userId: user.id, auth, properties }, manager);
      if (Object.keys(patch).length > 0) await this.users.update(user.id, patch, manager);
      if (updatedFields.length > 0) await record('user:profile.updated', { fields: updatedFields.join(',') });
      if (username !== undefined) await record('user:account.username-changed', { old_username: user.username, new_username: username });
      if (pendingEmail !== undefined) mailPendingChange = await this.emailChanges.request(auth, pendingEmail, manager);
      if (addressChangedAtOnce) await record('user:account.email-changed');
      if (passwordChanged) {
        // API keys stay (the owner changed the password, not lost it); the notice lists them.
        const ended = await this.lifecycle.end(user.id, 'password-change', manager, { keepSessionId: auth.session?.id ?? null });
        await record('user:account.password-changed', { revoked_sessions: ended.sessions, dropped_challenges: ended.challenges });
        apiKeys = (await this.apiKeys.list(user.id, manager)).map(({ identifier, description }) => ({ identifier, description }));
      }
    });
    mailPendingChange?.();
    const updated = await this.profiles.load(user.id);
    await this.notify(user, updated.user, { passwordChanged, addressChanged: addressChangedAtOnce, apiKeys });
    return updated;
  }

  /**
   * Mails after the change committed. Notices go to the previous address, whose owner learns about a change they
   * may not have made; the verification link goes to the new one.
   */
  private async notify(before: AccountUser, after: AccountUser, what: { passwordChanged: boolean; addressChanged: boolean; apiKeys: ApiKeyMention[] }): Promise<void> {
    const name = after.firstName ?? after.username;
    if (what.passwordChanged) this.mail.sendPasswordChangedNotice(before.email, { name, apiKeys: what.apiKeys });
    if (!what.addressChanged) return;
    this.mail.sendEmailChangedNotice(before.email, { name, newEmail: after.email });
    // The one place the new address gets its verification mail (issue 4 provides the requester).
    try {
      await this.emailVerification.requestVerification(after);
    } catch (error) {
      // The change is committed; the user can ask again through POST /api/email/resend.
      this.logger.error({ err: error, userId: after.id }, 'could not send the verification mail for a new address');
    }
  }
}
