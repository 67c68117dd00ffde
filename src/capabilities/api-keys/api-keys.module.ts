import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import { ApiKeyRevocationController, ApiKeysController } from './api-keys.controller.js';
import { ApiKeysLifecycle } from './api-keys-lifecycle.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKey } from './entities/api-key.entity.js';

/** Personal API keys (issue 7): the /api/client/account/api-keys routes, and ApiKeysService for the bearer guard. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKey]), UsersModule, ActivityModule, CredentialsModule, LifecycleModule],
  controllers: [ApiKeysController, ApiKeyRevocationController],
  providers: [ApiKeysService, ...lifecycleParticipant(ApiKeysLifecycle)],
  exports: [ApiKeysService],
})
export class ApiKeysModule {}
