import { Module } from '@nestjs/common';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { SessionsLifecycle } from './sessions-lifecycle.js';
import { SessionsController } from './sessions.controller.js';

@Module({
  imports: [CredentialsModule, LifecycleModule],
  controllers: [SessionsController],
  providers: [...lifecycleParticipant(SessionsLifecycle)],
})
export class SessionsModule {}
