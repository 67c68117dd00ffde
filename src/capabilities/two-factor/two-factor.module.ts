import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { RecoveryCode } from './entities/recovery-code.entity.js';
import { TwoFactorChallenge } from './entities/two-factor-challenge.entity.js';
import { TwoFactorSettings } from './entities/two-factor-settings.entity.js';
import { SmsTwoFactorController } from './sms-two-factor.controller.js';
import { SmsTwoFactorService } from './sms-two-factor.service.js';
import { TotpController } from './totp.controller.js';
import { TotpService } from './totp.service.js';
import { TwoFactorChallengeService } from './two-factor-challenge.service.js';
import { TwoFactorCrypto } from './two-factor-crypto.js';
import { TwoFactorEnabledGuard } from './two-factor-enabled.guard.js';
import { TwoFactorLifecycle } from './two-factor-lifecycle.js';
import { TwoFactorLoginController } from './two-factor-login.controller.js';
import { TwoFactorLoginService } from './two-factor-login.service.js';
import { TwoFactorStateService } from './two-factor-state.service.js';

/** TOTP and SMS two-factor, recovery codes and the login challenge (issue 6). */
@Module({
  imports: [
    TypeOrmModule.forFeature([TwoFactorSettings, RecoveryCode, TwoFactorChallenge]),
    UsersModule,
    ActivityModule,
    CredentialsModule,
    LifecycleModule,
    PasskeysModule,
  ],
  controllers: [TotpController, SmsTwoFactorController, TwoFactorLoginController],
  providers: [
    TwoFactorCrypto,
    TwoFactorStateService,
    TotpService,
    SmsTwoFactorService,
    TwoFactorChallengeService,
    TwoFactorLoginService,
    TwoFactorEnabledGuard,
    ...lifecycleParticipant(TwoFactorLifecycle),
  ],
  // The challenge service is auth's SecondFactorChallenger (bound in src/app/ports.module.ts); the admin module
  // resets a locked-out user's two-factor through the same state rules.
  exports: [TwoFactorChallengeService, TwoFactorStateService],
})
export class TwoFactorModule {}
