import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import { Passkey } from './entities/passkey.entity.js';
import { WebAuthnChallenge } from './entities/webauthn-challenge.entity.js';
import { PasskeyAssertionsService } from './passkey-assertions.service.js';
import { PasskeyLoginController } from './passkey-login.controller.js';
import { PasskeyLoginService } from './passkey-login.service.js';
import { PasskeysController } from './passkeys.controller.js';
import { PasskeysLifecycle } from './passkeys-lifecycle.js';
import { PasskeysService } from './passkeys.service.js';
import { WebAuthnChallengesService } from './webauthn-challenges.service.js';

/**
 * Passkeys (issue 23): registration and management under /api/me, sign-in under /api/login/passkey. The two-factor
 * module uses the assertions and challenges for a passkey as second factor; the admin module lists and removes.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Passkey, WebAuthnChallenge]), UsersModule, ActivityModule, CredentialsModule, LifecycleModule],
  controllers: [PasskeysController, PasskeyLoginController],
  providers: [PasskeysService, PasskeyAssertionsService, PasskeyLoginService, WebAuthnChallengesService, ...lifecycleParticipant(PasskeysLifecycle)],
  exports: [PasskeysService, PasskeyAssertionsService, WebAuthnChallengesService],
})
export class PasskeysModule {}
