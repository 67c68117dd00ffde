import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../core/credentials/auth.decorators.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { AdminPageQueryDto } from '../admin/dto/admin-user.dto.js';
import { presentPage } from '../admin/pagination.presenter.js';
import {
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookDeliveryPageDto,
  WebhookDeliveryResponseDto,
  WebhookListDto,
  WebhookResponseDto,
  WebhookWithSecretResponseDto,
} from './dto/webhook.dto.js';
import { WEBHOOK_ERRORS } from './errors.js';
import { presentDelivery, presentWebhook } from './webhook.presenter.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Webhook endpoints, for platform admins (an admin's access token or an API key with the `admin` scope). An endpoint
 * is configuration of the platform, not a credential of an account: no proof of a recent sign-in is asked, so
 * provisioning can be automated with an admin key. Its secret is shown once, in `meta.secret` of the create and
 * rotate answers. See docs/guides/webhooks.md.
 */
@ApiTags(TAGS.webhooks)
@AdminOnly()
@Controller('admin/webhooks')
@LaravelErrors(401, CREDENTIAL_ERRORS.NOT_ADMIN)
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Register an endpoint; its `whsec_` signing secret is in `meta.secret`, shown this once. */
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: WebhookWithSecretResponseDto })
  @LaravelErrors(WEBHOOK_ERRORS.URL_NOT_ALLOWED, WEBHOOK_ERRORS.URL_UNRESOLVABLE)
  async adminCreateWebhook(@Body() body: CreateWebhookDto): Promise<WebhookWithSecretResponseDto> {
    const { endpoint, secret } = await this.webhooks.create(body);
    return { data: presentWebhook(endpoint), meta: { secret } };
  }

  /** Every endpoint, oldest first (never a secret). */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: WebhookListDto })
  async adminListWebhooks(): Promise<WebhookListDto> {
    return { data: (await this.webhooks.list()).map(presentWebhook) };
  }

  /** One endpoint. */
  @Get(':id')
  @Header('Cache-Control', 'no-store')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @LaravelErrors(404)
  async adminGetWebhook(@Param('id') id: string): Promise<WebhookResponseDto> {
    return { data: presentWebhook(await this.webhooks.get(id)) };
  }

  /** Change the URL (checked as on create), the events, the description, or switch it off or on (on clears `disabled_reason`). */
  @Patch(':id')
  @Header('Cache-Control', 'no-store')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @LaravelErrors(404, WEBHOOK_ERRORS.URL_NOT_ALLOWED, WEBHOOK_ERRORS.URL_UNRESOLVABLE)
  async adminUpdateWebhook(@Param('id') id: string, @Body() body: UpdateWebhookDto): Promise<WebhookResponseDto> {
    return { data: presentWebhook(await this.webhooks.update(id, body)) };
  }

  /** Delete the endpoint; its pending deliveries are dropped. */
  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @LaravelErrors(404)
  async adminDeleteWebhook(@Param('id') id: string): Promise<void> {
    await this.webhooks.remove(id);
  }

  /** A new signing secret (in `meta.secret`); for 24 h the previous one signs too, so the receiver can switch without a gap. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookWithSecretResponseDto })
  @LaravelErrors(404)
  async adminRotateWebhookSecret(@Param('id') id: string): Promise<WebhookWithSecretResponseDto> {
    const { endpoint, secret } = await this.webhooks.rotateSecret(id);
    return { data: presentWebhook(endpoint), meta: { secret } };
  }

  /** The endpoint's deliveries, newest first (Laravel's paginator shape); never a payload. */
  @Get(':id/deliveries')
  @Header('Cache-Control', 'no-store')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @LaravelErrors(404, 422)
  async adminListWebhookDeliveries(@Param('id') id: string, @Query() query: AdminPageQueryDto): Promise<WebhookDeliveryPageDto> {
    const page = await this.webhooks.deliveries(id, query.page ?? 1, query.per_page);
    return presentPage(page, presentDelivery, { path: `${this.config.appUrl}/api/admin/webhooks/${id}/deliveries`, query });
  }

  /** Send a settled delivery (succeeded or failed) again now, with the same `webhook-id`. */
  @Post(':id/deliveries/:delivery_id/retry')
  @HttpCode(202)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'delivery_id', format: 'uuid' })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto, description: 'Queued; the delivery is pending again.' })
  @LaravelErrors(404, WEBHOOK_ERRORS.DELIVERY_PENDING, WEBHOOK_ERRORS.ENDPOINT_DISABLED)
  async adminRetryWebhookDelivery(@Param('id') id: string, @Param('delivery_id') deliveryId: string): Promise<WebhookDeliveryResponseDto> {
    return { data: presentDelivery(await this.webhooks.retry(id, deliveryId)) };
  }

  /** Send a `webhook.test` event to this endpoint only. */
  @Post(':id/test')
  @HttpCode(202)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto, description: 'Queued; delivered within seconds.' })
  @LaravelErrors(404, WEBHOOK_ERRORS.ENDPOINT_DISABLED)
  async adminTestWebhook(@Param('id') id: string): Promise<WebhookDeliveryResponseDto> {
    return { data: presentDelivery(await this.webhooks.sendTest(id)) };
  }
}
