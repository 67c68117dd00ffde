import { Module } from '@nestjs/common';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { APP_CONFIG } from '../../platform/config/config.module.js';
import { AvatarImageProcessor } from './avatar-image.processor.js';
import { AvatarFileRemovals } from './avatar-file-removals.service.js';
import { AvatarLifecycle } from './avatar-lifecycle.js';
import { AvatarController } from './avatar.controller.js';
import { AvatarService } from './avatar.service.js';
import { AVATAR_STORAGE } from './storage/avatar-storage.js';
import { createAvatarStorage } from './storage/avatar-storage.factory.js';

@Module({
  imports: [UsersModule, ActivityModule, LifecycleModule],
  controllers: [AvatarController],
  providers: [
    AvatarService,
    AvatarImageProcessor,
    AvatarFileRemovals,
    ...lifecycleParticipant(AvatarLifecycle),
    { provide: AVATAR_STORAGE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createAvatarStorage(config) },
  ],
  // The image processor too: upload interceptors in other modules take their place in its line.
  exports: [AvatarService, AvatarImageProcessor, AvatarFileRemovals, AVATAR_STORAGE],
})
export class AvatarModule {}
