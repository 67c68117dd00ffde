import { Module } from '@nestjs/common';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountExportService } from './export/account-export.service.js';

/**
 * What the user owns about their account (issue 22): deleting it, and exporting everything Tessera holds. Both
 * iterate the lifecycle participants, so this module names none of the capabilities whose data they cover.
 */
@Module({
  imports: [UsersModule, ActivityModule, CredentialsModule, LifecycleModule],
  providers: [AccountDeletionService, AccountExportService],
  exports: [AccountDeletionService, AccountExportService],
})
export class AccountDataModule {}
