import { Module } from '@nestjs/common';
import { AccountRecoveryModule } from '../capabilities/account-recovery/account-recovery.module.js';
import { EmailVerificationService } from '../capabilities/account-recovery/email-verification.service.js';
import { TwoFactorChallengeService } from '../capabilities/two-factor/two-factor-challenge.service.js';
import { TwoFactorModule } from '../capabilities/two-factor/two-factor.module.js';
import { SecondFactorChallenger } from '../core/credentials/second-factor.js';
import { EmailVerificationRequester } from '../core/users/email-verification.js';

/*
 * The ports core declares and capabilities implement, each bound to its implementation here, in the assembly. The
 * consumer's module is handed its port's module (`AuthModule.register`, `ProfileModule.register`), so it never
 * names the capability behind the port, which may sit above it in the layers (two-factor sits above auth), and no
 * module has to be global for the port to be found.
 */

/** SecondFactorChallenger, for auth's password login: the two-factor capability's login challenge. */
@Module({
  imports: [TwoFactorModule],
  providers: [{ provide: SecondFactorChallenger, useExisting: TwoFactorChallengeService }],
  exports: [SecondFactorChallenger],
})
export class SecondFactorPort {}

/** EmailVerificationRequester, for the profile's email change: account recovery's verification mail. */
@Module({
  imports: [AccountRecoveryModule],
  providers: [{ provide: EmailVerificationRequester, useExisting: EmailVerificationService }],
  exports: [EmailVerificationRequester],
})
export class EmailVerificationPort {}
