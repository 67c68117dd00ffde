import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AvatarModule } from '../avatar/avatar.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountExportService } from './export/account-export.service.js';
import { EXPORT_SECTIONS, type ExportSection } from './export/export-section.js';
import { EXPORT_SECTION_TYPES } from './export/export-sections.js';

/** What the user owns about their account (issue 22): deleting it, and exporting everything Tessera holds. */
@Module({
  imports: [AvatarModule, ApiKeysModule, PasskeysModule],
  providers: [
    AccountDeletionService,
    AccountExportService,
    ...EXPORT_SECTION_TYPES,
    { provide: EXPORT_SECTIONS, inject: [...EXPORT_SECTION_TYPES], useFactory: (...sections: ExportSection[]) => sections },
  ],
  exports: [AccountDeletionService, AccountExportService],
})
export class AccountDataModule {}
