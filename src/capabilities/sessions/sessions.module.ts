import { Module } from '@nestjs/common';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { SessionsLifecycle } from './sessions-lifecycle.js';
import { SessionsController } from './sessions.controller.js';

@Module({
  imports: [LifecycleModule],
  controllers: [SessionsController],
  providers: [...lifecycleParticipant(SessionsLifecycle)],
})
export class SessionsModule {}
