import { Module } from '@nestjs/common';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import { AccountRecoveryModule } from '../account-recovery/account-recovery.module.js';
import { CountriesModule } from '../countries/countries.module.js';
import { AccountCreation } from './account-creation.service.js';
import { AccountRules } from './account-rules.service.js';
import { AccountUpdater } from './account-updater.service.js';

/**
 * Account creation and change, one of each, for registration, the profile and the admins. Above account-recovery,
 * whose pending email changes the updater's address rule uses, and below the capabilities that call them.
 */
@Module({
  imports: [UsersModule, CredentialsModule, LifecycleModule, CountriesModule, AccountRecoveryModule],
  providers: [AccountRules, AccountCreation, AccountUpdater],
  exports: [AccountCreation, AccountUpdater],
})
export class AccountsModule {}
