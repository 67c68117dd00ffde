import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EmailVerificationRequester } from '../../core/users/email-verification.js';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { AccountRecoveryLifecycle } from './account-recovery-lifecycle.js';
import { EmailChange } from './email-change.entity.js';
import { EmailChangeService } from './email-change.service.js';
import { EmailVerificationController } from './email-verification.controller.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordResetController } from './password-reset.controller.js';
import { PasswordResetService } from './password-reset.service.js';
import { UserToken } from './user-token.entity.js';
import { UserTokensService } from './user-tokens.service.js';

/**
 * Password reset, email verification and pending email changes through mailed one-time tokens (issues 4, 17). Global so registration and
 * the email-change flows can call `EmailVerificationService.sendFor`.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([UserToken, EmailChange]), LifecycleModule],
  controllers: [PasswordResetController, EmailVerificationController],
  providers: [
    UserTokensService,
    EmailChangeService,
    PasswordResetService,
    EmailVerificationService,
    ...lifecycleParticipant(AccountRecoveryLifecycle),
    // The profile capability injects this abstract hook to mail a link after an email change.
    { provide: EmailVerificationRequester, useExisting: EmailVerificationService },
  ],
  exports: [EmailVerificationService, EmailVerificationRequester, EmailChangeService],
})
export class AccountRecoveryModule {}
