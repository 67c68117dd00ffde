import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LifecycleModule, lifecycleParticipant } from '../lifecycle/lifecycle.module.js';
import { ActivityLifecycle } from './activity-lifecycle.js';
import { ActivityLog } from './activity-log.entity.js';
import { ActivityService } from './activity.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ActivityLog]), LifecycleModule],
  providers: [ActivityService, ...lifecycleParticipant(ActivityLifecycle)],
  // The repository too: the activity listings (profile, admin) read the log.
  exports: [ActivityService, TypeOrmModule],
})
export class ActivityModule {}
