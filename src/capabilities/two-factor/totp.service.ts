import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import { assertAddressProven, announceNewCredential, lockAccountForNewCredential } from '../../core/credentials/new-credential.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { TWO_FACTOR_ERRORS } from './errors.js';
import type { EnableTotpDto, TotpPasswordDto } from './dto/totp.dto.js';
import { matchTotpStep, newTotpSecret, otpauthUrl, qrCodeDataUrl } from './totp.js';
import { TwoFactorCrypto } from './two-factor-crypto.js';
import { TwoFactorStateService } from './two-factor-state.service.js';

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

/**
 * Authenticator-app two-factor for the /api/client/account family. Only an account whose address is proven may set
 * it up, and turning it on is mailed to that address.
 */
@Injectable()
export class TotpService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly state: TwoFactorStateService,
    private readonly crypto: TwoFactorCrypto,
    private readonly reauth: ReauthenticationService,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
    private readonly events: EventsService,
  ) {}

  /** A new pending secret on every call (it replaces the previous one); stored encrypted until a code confirms it. */
  async getSetup(auth: AuthContext): Promise<TotpSetup> {
    if (auth.user.twoFactorMethod) throw new DomainError(TWO_FACTOR_ERRORS.TWO_FACTOR_STATE);
    assertAddressProven(auth);
    const secret = newTotpSecret();
    await this.state.saveSettings(this.dataSource.manager, auth.user.id, { pendingTotpSecret: this.crypto.encrypt(secret, auth.user.id) });
    const url = otpauthUrl(auth.user.email, secret);
    return { secret, otpauthUrl: url, qrCode: await qrCodeDataUrl(url) };
  }

  /** Confirms the pending secret with a code: the password first (400), then the code. */
  async enable(auth: AuthContext, dto: EnableTotpDto): Promise<string[]> {
    await this.reauth.verifyPassword(auth, dto.password);
    assertAddressProven(auth);
    const userId = auth.user.id;
    const codes = await this.dataSource.transaction(async (em) => {
      await lockAccountForNewCredential(auth, em);
      const settings = await this.state.loadSettings(em, userId);
      if (!settings?.pendingTotpSecret) {
        if (auth.user.twoFactorMethod) throw new DomainError(TWO_FACTOR_ERRORS.TWO_FACTOR_STATE);
        throw new DomainError(TWO_FACTOR_ERRORS.TOTP_NO_PENDING_SECRET);
      }
      const step = matchTotpStep(this.crypto.decrypt(settings.pendingTotpSecret, userId), dto.code);
      if (step === null) throw new DomainError(TWO_FACTOR_ERRORS.TOTP_CODE_INVALID);
      if (!(await this.state.enable(em, userId, 'totp'))) throw new DomainError(TWO_FACTOR_ERRORS.TWO_FACTOR_STATE);
      // The confirming code's step counts as used, so it cannot also complete a login.
      await this.state.saveSettings(em, userId, {
        totpSecret: settings.pendingTotpSecret,
        pendingTotpSecret: null,
        totpLastStep: step,
        smsCodeHash: null,
        smsCodeExpiresAt: null,
        smsCodeAttempts: 0,
      });
      const codes = await this.state.issueRecoveryCodes(em, userId);
      await this.activity.record({ event: 'user:two-factor.create', userId, auth, properties: { method: 'totp' } }, em);
      await announceNewCredential(this.mail, auth, em, { kind: 'two-factor', method: 'totp' });
      await this.events.emit(em, 'user.two_factor_enabled', { ...userRef(auth.user), method: 'totp' });
      return codes;
    });
    return codes;
  }

  /** Turns two-factor off (whichever method is on) after the password. */
  async disable(auth: AuthContext, dto: TotpPasswordDto): Promise<void> {
    await this.reauth.verifyPassword(auth, dto.password);
    await this.dataSource.transaction(async (em) => {
      if (!(await this.state.disable(em, auth.user.id))) throw new DomainError(TWO_FACTOR_ERRORS.TOTP_NOT_ENABLED);
      await this.activity.record({ event: 'user:two-factor.delete', userId: auth.user.id, auth, properties: { method: auth.user.twoFactorMethod } }, em);
      await this.events.emit(em, 'user.two_factor_disabled', { ...userRef(auth.user), method: auth.user.twoFactorMethod ?? 'totp' });
    });
  }
}
