import { Module } from '@nestjs/common';
import type { AppConfig } from '../../platform/config/app-config.js';
import { APP_CONFIG } from '../../platform/config/config.module.js';
import { AvatarImageProcessor } from './avatar-image.processor.js';
import { AvatarFileRemovals } from './avatar-file-removals.service.js';
import { AvatarController } from './avatar.controller.js';
import { AvatarService } from './avatar.service.js';
import { AVATAR_STORAGE } from './storage/avatar-storage.js';
import { createAvatarStorage } from './storage/avatar-storage.factory.js';

@Module({
  controllers: [AvatarController],
  providers: [
    AvatarService,
    AvatarImageProcessor,
    AvatarFileRemovals,
    { provide: AVATAR_STORAGE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createAvatarStorage(config) },
  ],
  // The image processor too: upload interceptors in other modules take their place in its line.
  exports: [AvatarService, AvatarImageProcessor, AvatarFileRemovals, AVATAR_STORAGE],
})
export class AvatarModule {}
