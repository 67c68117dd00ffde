import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import { assertAddressProven, announceNewCredential, lockAccountForNewCredential } from '../../core/credentials/new-credential.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { TWO_FACTOR_ERRORS } from './errors.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { SmsService } from '../../platform/sms/sms.service.js';
import { User } from '../../core/users/user.entity.js';
import { UserProfileService } from '../../core/users/user-profile.service.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import type { DisableSmsTwoFactorDto, RegenerateRecoveryCodesDto, StartSmsTwoFactorDto, VerifySmsTwoFactorDto } from './dto/sms-two-factor.dto.js';
import { TwoFactorSettings } from './entities/two-factor-settings.entity.js';
import { randomDigits, sameString, TwoFactorCrypto } from './two-factor-crypto.js';
import { TwoFactorStateService } from './two-factor-state.service.js';

export const SMS_CODE_TTL_MS = 10 * 60_000;
export const SMS_CODE_MAX_ATTEMPTS = 5;

export interface ProfileWithRecoveryCodes {
  profile: UserProfile;
  recoveryCodes: string[];
}

/** SMS two-factor and recovery codes for the /api/me family; turning it on and new recovery codes are mailed to the owner. */
@Injectable()
export class SmsTwoFactorService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly state: TwoFactorStateService,
    private readonly crypto: TwoFactorCrypto,
    private readonly sms: SmsService,
    private readonly reauth: ReauthenticationService,
    private readonly profiles: UserProfileService,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
    private readonly events: EventsService,
  ) {}

  /**
   * Stores the pending phone and texts it a code, after the proof rule (an API key never; a stale session only with
   * `current_password`). The text is sent first: when it is refused (calling code, SMS budgets) or the gateway
   * fails, the request ends in 422, 429 or 502 and nothing was changed. Only an account whose address is proven may
   * enrol a phone: whoever registered first on someone's address must not set a second factor of theirs, and fresh
   * throw-away accounts must not be a way to send texts.
   */
  async start(auth: AuthContext, dto: StartSmsTwoFactorDto): Promise<UserProfile> {
    await this.reauth.requireRecentAuth(auth, dto.current_password);
    const userId = auth.user.id;
    if (auth.user.twoFactorMethod) throw new DomainError(TWO_FACTOR_ERRORS.SMS_TWO_FACTOR_ALREADY_ENABLED);
    assertAddressProven(auth);
    const code = randomDigits(6);
    await this.sms.send(
      { countryCode: dto.country_code, number: dto.phone_number },
      `Your Tessera verification code is ${code}. It expires in 10 minutes.`,
      { userId, ip: auth.client.ip, purpose: 'enrolment' },
    );
    await this.dataSource.transaction(async (em) => {
      const result = await em
        .createQueryBuilder()
        .update(User)
        .set({ twoFactorCountryCode: dto.country_code, twoFactorPhone: dto.phone_number })
        .where('id = :userId AND two_factor_method IS NULL', { userId })
        .execute();
      if (result.affected !== 1) throw new DomainError(TWO_FACTOR_ERRORS.SMS_TWO_FACTOR_ALREADY_ENABLED);
      await this.state.saveSettings(em, userId, {
        smsCodeHash: this.crypto.digest(code),
        smsCodeExpiresAt: new Date(Date.now() + SMS_CODE_TTL_MS),
        smsCodeAttempts: 0,
      });
    });
    return this.profiles.load(userId);
  }

  /** Confirms the pending phone with the texted code (proof rule first): SMS two-factor is on, and 10 recovery codes are issued. */
  async verify(auth: AuthContext, dto: VerifySmsTwoFactorDto): Promise<ProfileWithRecoveryCodes> {
    await this.reauth.requireRecentAuth(auth, dto.current_password);
    const userId = auth.user.id;
    if (auth.user.twoFactorMethod) throw new DomainError(TWO_FACTOR_ERRORS.SMS_TWO_FACTOR_ALREADY_ENABLED);
    assertAddressProven(auth);
    // Each guess spends an attempt before it is compared, so parallel guesses cannot exceed the limit.
    const spent = await this.dataSource
      .createQueryBuilder()
      .update(TwoFactorSettings)
      .set({ smsCodeAttempts: () => 'sms_code_attempts + 1' })
      .where('user_id = :userId AND sms_code_hash IS NOT NULL AND sms_code_expires_at > now() AND sms_code_attempts < :max', {
        userId,
        max: SMS_CODE_MAX_ATTEMPTS,
      })
      .returning('sms_code_hash')
      .execute();
    const stored = (spent.raw as Array<{ sms_code_hash: string }>)[0]?.sms_code_hash;
    if (!stored || !sameString(stored, this.crypto.digest(dto.token.trim()))) {
      throw new DomainError(TWO_FACTOR_ERRORS.SMS_CODE_INVALID);
    }
    const recoveryCodes = await this.dataSource.transaction(async (em) => {
      await lockAccountForNewCredential(auth, em);
      if (!(await this.state.enable(em, userId, 'sms'))) throw new DomainError(TWO_FACTOR_ERRORS.SMS_TWO_FACTOR_ALREADY_ENABLED);
      await this.state.saveSettings(em, userId, {
        smsCodeHash: null,
        smsCodeExpiresAt: null,
        smsCodeAttempts: 0,
        pendingTotpSecret: null,
        totpSecret: null,
        totpLastStep: null,
      });
      const codes = await this.state.issueRecoveryCodes(em, userId);
      await this.activity.record({ event: 'user:two-factor.create', userId, auth, properties: { method: 'sms' } }, em);
      await announceNewCredential(this.mail, auth, em, { kind: 'two-factor', method: 'sms' });
      await this.events.emit(em, 'user.two_factor_enabled', { ...userRef(auth.user), method: 'sms' });
      return codes;
    });
    return { profile: await this.profiles.load(userId), recoveryCodes };
  }

  /** Turns two-factor off (whichever method is on); recent authentication applies (docs/api/me.md#two-factor-by-sms). */
  async disable(auth: AuthContext, dto: DisableSmsTwoFactorDto): Promise<UserProfile> {
    await this.reauth.requireRecentAuth(auth, dto.current_password);
    await this.dataSource.transaction(async (em) => {
      if (!(await this.state.disable(em, auth.user.id))) throw new DomainError(TWO_FACTOR_ERRORS.TWO_FACTOR_NOT_ENABLED);
      await this.activity.record({ event: 'user:two-factor.delete', userId: auth.user.id, auth, properties: { method: auth.user.twoFactorMethod } }, em);
      await this.events.emit(em, 'user.two_factor_disabled', { ...userRef(auth.user), method: auth.user.twoFactorMethod ?? 'sms' });
    });
    return this.profiles.load(auth.user.id);
  }

  /** New recovery codes (the old ones stop working), after the password (an API key never). */
  async regenerateRecoveryCodes(auth: AuthContext, dto: RegenerateRecoveryCodesDto): Promise<ProfileWithRecoveryCodes> {
    await this.reauth.verifyPasswordField(auth, 'password', dto.password);
    const userId = auth.user.id;
    const recoveryCodes = await this.dataSource.transaction(async (em) => {
      // Locks the user row: a concurrent disable either happens before (refused here) or waits for these codes.
      const [row] = (await em.query(`SELECT two_factor_method FROM users WHERE id = $1 FOR UPDATE`, [userId])) as Array<{
        two_factor_method: string | null;
      }>;
      if (!row?.two_factor_method) throw new DomainError(TWO_FACTOR_ERRORS.TWO_FACTOR_NOT_ENABLED);
      const codes = await this.state.issueRecoveryCodes(em, userId);
      await this.activity.record({ event: 'user:two-factor.recovery-codes', userId, auth }, em);
      await announceNewCredential(this.mail, auth, em, { kind: 'recovery-codes' });
      return codes;
    });
    return { profile: await this.profiles.load(userId), recoveryCodes };
  }
}
