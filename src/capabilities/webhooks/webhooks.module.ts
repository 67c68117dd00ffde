import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookDeliverer } from './webhook-deliverer.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/** Webhooks (issue 33): the endpoints admins manage, and the deliverer of the outbox's webhook rows. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEndpoint])],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookDeliverer],
  exports: [WebhookDeliverer],
})
export class WebhooksModule {}
