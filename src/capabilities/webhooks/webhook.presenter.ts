import type { EventType } from '../../core/events/event-catalogue.js';
import { formatDateTime } from '../../platform/format/dates.js';
import type { OutboxRow } from '../../platform/outbox/outbox.service.js';
import type { WebhookDeliveryDto, WebhookDto } from './dto/webhook.dto.js';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';

export function presentWebhook(endpoint: WebhookEndpoint): WebhookDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events as EventType[],
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabledReason,
    created_at: formatDateTime(endpoint.createdAt),
    updated_at: formatDateTime(endpoint.updatedAt),
  };
}

const DELIVERY_STATUS = { pending: 'pending', sent: 'succeeded', failed: 'failed' } as const;

/** An outbox row of the webhook channel as a delivery: never its payload. */
export function presentDelivery(row: OutboxRow): WebhookDeliveryDto {
  return {
    id: row.id,
    message_id: row.messageId,
    event: row.kind,
    attempt: row.attempts,
    status: DELIVERY_STATUS[row.status],
    response_status: row.responseStatus,
    error: row.lastError,
    created_at: formatDateTime(row.createdAt),
    next_attempt_at: row.status === 'pending' ? formatDateTime(row.nextAttemptAt) : null,
  };
}
