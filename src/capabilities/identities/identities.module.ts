import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import { AccountsModule } from '../accounts/accounts.module.js';
import { Identity } from './entities/identity.entity.js';
import { AdminUserIdentitiesController } from './admin-user-identities.controller.js';
import { IdentitiesController } from './identities.controller.js';
import { IdentitiesLifecycle } from './identities-lifecycle.js';
import { IdentitiesService } from './identities.service.js';
import { IdentityProviders } from './identity-providers.service.js';
import { IdentitySignIn } from './identity-sign-in.service.js';
import { OAuthController } from './oauth.controller.js';
import { OAuthFlows } from './oauth-flows.service.js';

/**
 * Sign-in with identity providers (issue 32): /api/oauth for the flow, /api/me/identities for the user's linked
 * identities; the admin module lists and unlinks them.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Identity]), UsersModule, ActivityModule, CredentialsModule, LifecycleModule, AccountsModule],
  controllers: [OAuthController, IdentitiesController, AdminUserIdentitiesController],
  providers: [IdentityProviders, OAuthFlows, IdentitiesService, IdentitySignIn, ...lifecycleParticipant(IdentitiesLifecycle)],
  exports: [IdentitiesService],
})
export class IdentitiesModule {
  /** `secondFactor`: a module exporting SecondFactorChallenger (two-factor sits above this capability; see src/app/ports.module.ts). */
  static register(ports: { secondFactor: Type }): DynamicModule {
    return { module: IdentitiesModule, imports: [ports.secondFactor] };
  }
}
