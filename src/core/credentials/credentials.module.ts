import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../activity/activity.module.js';
import { LifecycleModule, lifecycleParticipant } from '../lifecycle/lifecycle.module.js';
import { UsersModule } from '../users/users.module.js';
import { DeviceToken } from './devices/device-token.entity.js';
import { DeviceTokensService } from './devices/device-tokens.service.js';
import { LoginOutcomeService } from './login-outcome.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PasswordPolicyService } from './password-policy.service.js';
import { PasswordService } from './password.service.js';
import { ReauthenticationService } from './reauthentication.service.js';
import { Session } from './sessions/session.entity.js';
import { SessionsService } from './sessions/sessions.service.js';
import { SignInLifecycle } from './sign-in-lifecycle.js';
import { SameSiteRequests } from './same-site.js';

/**
 * The rules every way of proving who you are shares: password hashing and policy, the login throttle and device
 * tokens, the proof rule, how a login ends, and sessions (the hot read of an access token).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Session, DeviceToken]), UsersModule, ActivityModule, LifecycleModule],
  providers: [
    PasswordService,
    PasswordPolicyService,
    DeviceTokensService,
    LoginThrottleService,
    ReauthenticationService,
    SessionsService,
    LoginOutcomeService,
    SameSiteRequests,
    ...lifecycleParticipant(SignInLifecycle),
  ],
  exports: [PasswordService, PasswordPolicyService, LoginThrottleService, ReauthenticationService, SessionsService, LoginOutcomeService, SameSiteRequests],
})
export class CredentialsModule {}
