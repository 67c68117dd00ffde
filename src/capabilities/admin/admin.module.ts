import { AdminMailController } from './admin-mail.controller.js';
import { AdminMailService } from './admin-mail.service.js';
import { Module } from '@nestjs/common';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import { AccountDataModule } from '../account-data/account-data.module.js';
import { AccountsModule } from '../accounts/accounts.module.js';
import { AccountRecoveryModule } from '../account-recovery/account-recovery.module.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AvatarModule } from '../avatar/avatar.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { TwoFactorModule } from '../two-factor/two-factor.module.js';
import { AdminUserPasskeysController } from './admin-user-passkeys.controller.js';
import { AdminRolesController } from './admin-roles.controller.js';
import { AdminUserSecurityController } from './admin-user-security.controller.js';
import { AdminUserSecurityService } from './admin-user-security.service.js';
import { AdminUsersController } from './admin-users.controller.js';
import { AdminUsersService } from './admin-users.service.js';

/** Administration for the admin role (issue 9): users, roles, bans, two-factor resets, sessions, activity. */
@Module({
  imports: [
    UsersModule,
    ActivityModule,
    CredentialsModule,
    LifecycleModule,
    AvatarModule,
    ApiKeysModule,
    AccountRecoveryModule,
    PasskeysModule,
    TwoFactorModule,
    AccountDataModule,
    AccountsModule,
  ],
  controllers: [AdminUsersController, AdminUserSecurityController, AdminUserPasskeysController, AdminRolesController, AdminMailController],
  providers: [AdminUsersService, AdminUserSecurityService, AdminMailService],
})
export class AdminModule {}
