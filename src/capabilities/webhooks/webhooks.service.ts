import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { EventsService, WEBHOOK_CHANNEL, WEBHOOK_RETRY_WINDOW_MS } from '../../core/events/events.service.js';
import type { EventType } from '../../core/events/event-catalogue.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { OutboxService, type OutboxRow } from '../../platform/outbox/outbox.service.js';
import type { Page } from '../admin/pagination.presenter.js';
import type { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook.dto.js';
import { WEBHOOK_ERRORS } from './errors.js';
import { WebhookDeliverer } from './webhook-deliverer.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { newWebhookSecret, WebhookSecretBox } from './webhook-secrets.js';
import { checkTarget, TargetRefused } from './webhook-targets.js';

/** After a rotation the previous secret keeps signing this long, beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;
const DELIVERIES_PER_PAGE = 15;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An endpoint and the secret to show once (create, rotate). */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

/** The webhook endpoints platform admins manage (docs/guides/webhooks.md), and their deliveries. */
@Injectable()
export class WebhooksService {
  private readonly secrets: WebhookSecretBox;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(WebhookEndpoint) private readonly endpoints: Repository<WebhookEndpoint>,
    private readonly outbox: OutboxService,
    private readonly events: EventsService,
    private readonly deliverer: WebhookDeliverer,
  ) {
    this.secrets = new WebhookSecretBox(config);
  }

  async create(dto: CreateWebhookDto): Promise<EndpointWithSecret> {
    await this.checkUrl(dto.url);
    const id = randomUUID();
    const secret = newWebhookSecret();
    const enabled = dto.enabled ?? true;
    const endpoint = await this.endpoints.save(
      this.endpoints.create({
        id,
        url: dto.url,
        events: unique(dto.events ?? []),
        description: dto.description ?? '',
        enabled,
        disabledReason: enabled ? null : 'admin',
        secret: this.secrets.seal(id, secret),
      }),
    );
    return { endpoint: await this.get(endpoint.id), secret };
  }

  list(): Promise<WebhookEndpoint[]> {
    return this.endpoints.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async get(id: string): Promise<WebhookEndpoint> {
    const endpoint = UUID.test(id) ? await this.endpoints.findOneBy({ id }) : null;
    if (!endpoint) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    return endpoint;
  }

  async update(id: string, dto: UpdateWebhookDto): Promise<WebhookEndpoint> {
    const endpoint = await this.get(id);
    if (dto.url !== undefined) await this.checkUrl(dto.url);
    const changes: Partial<WebhookEndpoint> = {};
    if (dto.url !== undefined) changes.url = dto.url;
    if (dto.events !== undefined) changes.events = unique(dto.events);
    if (dto.description !== undefined) changes.description = dto.description;
    if (dto.enabled === true) Object.assign(changes, { enabled: true, disabledReason: null, failingSince: null });
    if (dto.enabled === false && endpoint.enabled) Object.assign(changes, { enabled: false, disabledReason: 'admin' });
    if (Object.keys(changes).length > 0) await this.endpoints.update({ id }, changes);
    return this.get(id);
  }

  /** Deletes the endpoint and every delivery of it (pending ones are never sent). */
  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.dataSource.transaction(async (manager) => {
      await this.outbox.forgetDestination(manager, WEBHOOK_CHANNEL, id);
      await manager.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [id]);
    });
  }

  /** A new secret; the current one keeps signing beside it for 24 h (a receiver switches without losing a delivery). */
  async rotateSecret(id: string): Promise<EndpointWithSecret> {
    await this.get(id);
    const secret = newWebhookSecret();
    await this.dataSource.transaction(async (manager) => {
      // Locked, so two rotations at once cannot both keep the same secret as the previous one.
      const [current] = (await manager.query(`SELECT secret FROM webhook_endpoints WHERE id = $1 FOR UPDATE`, [id])) as Array<{ secret: string }>;
      await manager.query(
        `UPDATE webhook_endpoints SET previous_secret = $2, previous_secret_expires_at = now() + make_interval(secs => $3), secret = $4,
                updated_at = now() WHERE id = $1`,
        [id, current.secret, SECRET_OVERLAP_MS / 1000, this.secrets.seal(id, secret)],
      );
    });
    return { endpoint: await this.get(id), secret };
  }

  async deliveries(id: string, page: number, perPage = DELIVERIES_PER_PAGE): Promise<Page<OutboxRow>> {
    await this.get(id);
    const { rows, total } = await this.outbox.listFor(WEBHOOK_CHANNEL, id, page, perPage);
    return { items: rows, total, page, perPage };
  }

  /** Sends a settled delivery again now, with its `webhook-id` (the receiver can tell the repeat). */
  async retry(id: string, deliveryId: string): Promise<OutboxRow> {
    const endpoint = await this.get(id);
    if (!UUID.test(deliveryId)) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    const delivery = await this.outbox.find(WEBHOOK_CHANNEL, id, deliveryId);
    if (!delivery) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    if (!endpoint.enabled) throw new DomainError(WEBHOOK_ERRORS.ENDPOINT_DISABLED);
    const requeued = await this.outbox.requeue(WEBHOOK_CHANNEL, id, deliveryId, WEBHOOK_RETRY_WINDOW_MS);
    if (!requeued) throw new DomainError(WEBHOOK_ERRORS.DELIVERY_PENDING);
    return requeued;
  }

  /** A `webhook.test` event to this endpoint only. */
  async sendTest(id: string): Promise<OutboxRow> {
    const endpoint = await this.get(id);
    if (!endpoint.enabled) throw new DomainError(WEBHOOK_ERRORS.ENDPOINT_DISABLED);
    const rowId = await this.dataSource.transaction((manager) => this.events.enqueue(manager, id, 'webhook.test', { webhook_id: id }));
    const row = await this.outbox.find(WEBHOOK_CHANNEL, id, rowId);
    return row!;
  }

  /** The URL rule of create and update: 422 on `url`, and nothing stored. */
  private async checkUrl(url: string): Promise<void> {
    try {
      await checkTarget(url, this.config.webhooks.allowPrivateTargets, this.deliverer.resolver);
    } catch (error) {
      if (!(error instanceof TargetRefused)) throw error;
      throw new DomainError(error.reason === 'unresolvable' ? WEBHOOK_ERRORS.URL_UNRESOLVABLE : WEBHOOK_ERRORS.URL_NOT_ALLOWED);
    }
  }
}

function unique(events: EventType[]): EventType[] {
  return [...new Set(events)];
}
