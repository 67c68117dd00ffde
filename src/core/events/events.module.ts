import { Global, Module } from '@nestjs/common';
import { EventsService } from './events.service.js';

/** The account events out (webhooks); global, since every capability that changes an account emits. */
@Global()
@Module({ providers: [EventsService], exports: [EventsService] })
export class EventsModule {}
