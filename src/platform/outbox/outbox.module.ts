import { Global, Module } from '@nestjs/common';
import { OutboxService } from './outbox.service.js';

/** The transactional outbox and its worker (one per instance); global so any deliverer or reader can use it. */
@Global()
@Module({ providers: [OutboxService], exports: [OutboxService] })
export class OutboxModule {}
