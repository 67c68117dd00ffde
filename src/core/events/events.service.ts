import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { OutboxService } from '../../platform/outbox/outbox.service.js';
import type { EventData, EventEnvelope, EventType, UserEventType } from './event-catalogue.js';

/** The outbox channel of webhook deliveries: one row per (event, endpoint), the endpoint's id as destination. */
export const WEBHOOK_CHANNEL = 'webhook';
/**
 * A delivery row stays in the outbox this long at most; the retry schedule (about 28 h) or the endpoint's
 * disabling ends it first.
 */
export const WEBHOOK_RETRY_WINDOW_MS = 7 * 86_400_000;

/** A new message id in Standard Webhooks' usual shape (`msg_` and a random part): the `webhook-id` a receiver dedups on. */
export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/**
 * Emits account events to the webhook endpoints. `emit()` writes, on the caller's EntityManager (the transaction of
 * the change), one outbox row per enabled endpoint that subscribes to the type: the event goes out exactly when the
 * change commits, and a rollback sends nothing. The workers of every instance deliver the rows
 * (capabilities/webhooks signs and posts them).
 *
 * Fanned out here rather than by the worker: each endpoint's delivery has its own attempts, retries and status
 * from the start, rows of one (endpoint, user) keep their order through the outbox's ordering key, and with no
 * endpoint an event costs one small SELECT and writes nothing. The endpoints table belongs to
 * capabilities/webhooks, which sits above every capability that emits; this one read of it is the exception.
 */
@Injectable()
export class EventsService {
  constructor(private readonly outbox: OutboxService) {}

  async emit<T extends EventType>(manager: EntityManager, type: T, data: EventData<T>, at: Date = new Date()): Promise<void> {
    const endpoints = (await manager.query(
      `SELECT id FROM webhook_endpoints WHERE enabled AND (cardinality(events) = 0 OR $1 = ANY(events))`,
      [type],
    )) as Array<{ id: string }>;
    for (const endpoint of endpoints) await this.enqueue(manager, endpoint.id, type, data, at);
  }

  /**
   * `emit()` for an event about a user known by id: the user's uuid is read with the endpoints, in the same
   * statement (nothing is read or written when no endpoint wants the type).
   */
  async emitForUser<T extends UserEventType>(
    manager: EntityManager,
    type: T,
    userId: number,
    fields: Omit<EventData<T>, 'user_id' | 'user_uuid'>,
    at: Date = new Date(),
  ): Promise<void> {
    const rows = (await manager.query(
      `SELECT e.id, u.uuid FROM webhook_endpoints e JOIN users u ON u.id = $2
        WHERE e.enabled AND (cardinality(e.events) = 0 OR $1 = ANY(e.events))`,
      [type, userId],
    )) as Array<{ id: string; uuid: string }>;
    for (const row of rows) {
      await this.enqueue(manager, row.id, type, { user_id: userId, user_uuid: row.uuid, ...fields } as EventData<T>, at);
    }
  }

  /**
   * On an account's deletion: the settled deliveries about the user go (their bodies were kept only so an admin
   * could send them again); those still pending go out, then stay no longer than sent rows do.
   */
  async forgetSettledFor(manager: EntityManager, userId: number): Promise<void> {
    await manager.query(`DELETE FROM outbox WHERE channel = $1 AND status <> 'pending' AND ordering_key LIKE '%' || $2`, [
      WEBHOOK_CHANNEL,
      userOrderingSuffix(userId),
    ]);
  }

  /** Writes one event for one endpoint (the admin's test event; what emit() does for each endpoint); returns the outbox row's id. */
  async enqueue<T extends EventType>(manager: EntityManager, endpointId: string, type: T, data: EventData<T>, at: Date = new Date()): Promise<string> {
    const envelope: EventEnvelope<T> = { type, timestamp: at.toISOString(), data };
    return this.outbox.add(manager, {
      channel: WEBHOOK_CHANNEL,
      kind: type,
      destination: endpointId,
      orderingKey: orderingKey(endpointId, data),
      payload: envelope,
      retryForMs: WEBHOOK_RETRY_WINDOW_MS,
      messageId: newMessageId(),
      keepPayload: true,
    });
  }
}

/** A user's events to one endpoint go out in order (an organization's when the event has no user). */
function orderingKey(endpointId: string, data: object): string | null {
  if ('user_id' in data) return `${endpointId}${userOrderingSuffix(Number(data.user_id))}`;
  if ('organization_id' in data) return `${endpointId}:organization:${String(data.organization_id)}`;
  return null;
}

function userOrderingSuffix(userId: number): string {
  return `:user:${userId}`;
}
