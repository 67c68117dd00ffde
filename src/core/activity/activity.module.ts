import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LifecycleModule, lifecycleParticipant } from '../lifecycle/lifecycle.module.js';
import { ActivityLifecycle } from './activity-lifecycle.js';
import { ActivityLog } from './activity-log.entity.js';
import { ActivityService } from './activity.service.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ActivityLog]), LifecycleModule],
  providers: [ActivityService, ...lifecycleParticipant(ActivityLifecycle)],
  exports: [ActivityService, TypeOrmModule],
})
export class ActivityModule {}
