import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
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
 * Password reset, email verification and pending email changes through mailed one-time tokens (issues 4, 17).
 * Registration and the account updater mail their verification links through EmailVerificationService; the
 * account updater keeps a change pending, or drops it, through EmailChangeService.
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserToken, EmailChange]), UsersModule, ActivityModule, CredentialsModule, LifecycleModule],
  controllers: [PasswordResetController, EmailVerificationController],
  providers: [UserTokensService, EmailChangeService, PasswordResetService, EmailVerificationService, ...lifecycleParticipant(AccountRecoveryLifecycle)],
  exports: [EmailVerificationService, EmailChangeService],
})
export class AccountRecoveryModule {}
