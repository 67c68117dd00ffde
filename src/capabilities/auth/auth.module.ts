import { OrganizationsModule } from '../organizations/organizations.module.js';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import { AccountsModule } from '../accounts/accounts.module.js';
import { AccountRecoveryModule } from '../account-recovery/account-recovery.module.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { SessionCookieInterceptor } from './session-cookie.interceptor.js';

@Module({
  imports: [UsersModule, ActivityModule, CredentialsModule, AccountRecoveryModule, ApiKeysModule, AccountsModule, OrganizationsModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    { provide: APP_GUARD, useClass: BearerAuthGuard },
    { provide: APP_INTERCEPTOR, useClass: SessionCookieInterceptor },
  ],
})
export class AuthModule {
  /**
   * `secondFactor`: a module exporting SecondFactorChallenger. Its implementation (two-factor) sits above auth in the
   * layers, so the assembly names it (src/app/ports.module.ts).
   */
  static register(ports: { secondFactor: Type }): DynamicModule {
    return { module: AuthModule, imports: [ports.secondFactor] };
  }
}
