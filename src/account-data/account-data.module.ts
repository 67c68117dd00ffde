import { Module } from '@nestjs/common';
import { AvatarModule } from '../avatar/avatar.module.js';
import { AccountDeletionService } from './account-deletion.service.js';

/** What the user owns about their account (issue 22): deleting it, and exporting everything Tessera holds. */
@Module({
  imports: [AvatarModule],
  providers: [AccountDeletionService],
  exports: [AccountDeletionService],
})
export class AccountDataModule {}
