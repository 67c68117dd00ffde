import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../activity/activity.module.js';
import { UsersModule } from '../users/users.module.js';
import { LoginOutcomeService } from './login-outcome.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PasswordPolicyService } from './password-policy.service.js';
import { PasswordService } from './password.service.js';
import { ReauthenticationService } from './reauthentication.service.js';
import { Session } from './sessions/session.entity.js';
import { SessionsService } from './sessions/sessions.service.js';

/**
 * The rules every way of proving who you are shares: password hashing and policy, the login throttle, the proof
 * rule, how a login ends, and sessions (the hot read of an access token).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Session]), UsersModule, ActivityModule],
  providers: [PasswordService, PasswordPolicyService, LoginThrottleService, ReauthenticationService, SessionsService, LoginOutcomeService],
  exports: [PasswordService, PasswordPolicyService, LoginThrottleService, ReauthenticationService, SessionsService, LoginOutcomeService],
})
export class CredentialsModule {}
