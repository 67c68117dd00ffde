import { OrganizationsModule } from '../organizations/organizations.module.js';
import { Module } from '@nestjs/common';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import { AccountDataModule } from '../account-data/account-data.module.js';
import { AccountsModule } from '../accounts/accounts.module.js';
import { AvatarModule } from '../avatar/avatar.module.js';
import { AccountActivityService } from './account-activity.service.js';
import { ClientAccountController } from './client-account.controller.js';
import { MeController } from './me.controller.js';
import { OpenBadgeUserController } from './open-badge-user.controller.js';
import { ProfileLifecycle } from './profile-lifecycle.js';
import { ProfileService } from './profile.service.js';

/** The user's own account in the three route families, over one domain service (issue 5). */
@Module({
  imports: [UsersModule, ActivityModule, CredentialsModule, LifecycleModule, AvatarModule, AccountDataModule, AccountsModule, OrganizationsModule],
  controllers: [MeController, OpenBadgeUserController, ClientAccountController],
  providers: [ProfileService, AccountActivityService, ...lifecycleParticipant(ProfileLifecycle)],
})
export class ProfileModule {}
