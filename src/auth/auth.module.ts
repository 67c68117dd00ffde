import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { CredentialRevocationService } from './credential-revocation.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { PasswordPolicyService } from './password-policy.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PasswordService } from './password.service.js';
import { ReauthenticationService } from './reauthentication.service.js';

@Global()
@Module({
  imports: [PassportModule, ApiKeysModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    PasswordService,
    PasswordPolicyService,
    ReauthenticationService,
    LoginThrottleService,
    CredentialRevocationService,
    JwtStrategy,
    { provide: APP_GUARD, useClass: BearerAuthGuard },
  ],
  exports: [AuthService, PasswordService, PasswordPolicyService, ReauthenticationService, LoginThrottleService, CredentialRevocationService],
})
export class AuthModule {}
