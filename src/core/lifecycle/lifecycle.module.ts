import { Module, type Provider, type Type } from '@nestjs/common';
import { AccountLifecycle, type LifecycleParticipant } from './account-lifecycle.js';

/** The account lifecycle registry: every module with a participant imports this one, so all share one list. */
@Module({ providers: [AccountLifecycle], exports: [AccountLifecycle] })
export class LifecycleModule {}

/**
 * A participant's providers, for its module's `providers` (the module imports LifecycleModule): the participant,
 * and its registration with AccountLifecycle as the application starts.
 */
export function lifecycleParticipant(participant: Type<LifecycleParticipant>): Provider[] {
  return [
    participant,
    {
      provide: Symbol(`${participant.name} registration`),
      inject: [AccountLifecycle, participant],
      useFactory: (lifecycle: AccountLifecycle, registered: LifecycleParticipant) => lifecycle.register(registered),
    },
  ];
}
