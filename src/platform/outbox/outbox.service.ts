import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { InjectConfig } from '../config/config.module.js';
import { atRestKey, openAtRest, sealAtRest } from '../crypto/at-rest-cipher.js';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** A message to write to the outbox, on the transaction of the change that causes it. */
export interface OutboxMessage {
  /** Which deliverer takes it: 'mail' (and 'webhook' next). */
  channel: string;
  kind: string;
  /** Where it goes: an address, an endpoint id. */
  destination: string;
  /** Messages sharing a key are meant to go out in order (a user's webhook events); null for mail. */
  orderingKey?: string | null;
  /** What the deliverer needs (tokens included): stored encrypted, dropped once the row is settled. */
  payload: unknown;
  /** How long failures are retried before the row is kept as failed. */
  retryForMs: number;
  /** Delete the row once delivered instead of keeping it as sent (nothing of a deleted account may stay). */
  deleteWhenSent?: boolean;
  /** The id the receiver sees (kept across retries); the row's id when absent. */
  messageId?: string;
  /** Keep the payload once settled, so the message can be sent again on request (only for payloads without secrets). */
  keepPayload?: boolean;
}

/** A claimed row as its deliverer sees it. `id` is stable across retries (a Message-ID, a webhook-id). */
export interface OutboxDelivery {
  id: string;
  kind: string;
  destination: string;
  payload: unknown;
  /** Attempts made before this one. */
  attempts: number;
  /** The id the receiver sees: the message's own, else the row's. */
  messageId: string;
}

/** What a deliverer may report of a delivery: the receiver's status, kept on the row. */
export interface DeliveryOutcome {
  responseStatus?: number;
}

/** A failed delivery with what the outbox needs to settle it; any other error is a plain retryable failure. */
export class DeliveryFailure extends Error {
  constructor(
    message: string,
    readonly details: {
      responseStatus?: number;
      /** The receiver asked not to be called again before this (Retry-After). */
      retryAfterMs?: number;
      /** Never retry: the row is settled as failed now. */
      final?: boolean;
    } = {},
  ) {
    super(message);
  }
}

/** Delivers one channel's messages; throws to have the row retried later. */
export interface OutboxDeliverer {
  deliver(message: OutboxDelivery): Promise<DeliveryOutcome | void>;
  /**
   * The channel's own retry schedule: the delay before retry number `attempts` (1 = the first), or undefined to give
   * up. Absent: the outbox's doubling delay until the row's retry window ends.
   */
  retryDelayMs?(attempts: number): number | undefined;
}

/** A row as an administrator may see it: no payload. */
export interface OutboxRow {
  id: string;
  channel: string;
  kind: string;
  destination: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date;
  settledAt: Date | null;
  messageId: string;
  responseStatus: number | null;
}

export interface OutboxStats {
  /** Rows still to deliver (due or waiting for a retry). */
  pending: number;
  /** Rows given up on after their retry window. */
  failed: number;
  /** Age of the oldest pending row, seconds (0 when none). */
  oldestPendingSeconds: number;
}

interface ClaimedRow {
  id: string;
  channel: string;
  kind: string;
  destination: string;
  ordering_key: string | null;
  payload: string | null;
  attempts: number;
  give_up_at: Date;
  delete_when_sent: boolean;
  keep_payload: boolean;
  message_id: string | null;
}

/** An attempt's result as the row is settled with it. */
type AttemptResult = { ok: true; responseStatus?: number } | { ok: false; error: string; responseStatus?: number; retryAfterMs?: number; final?: boolean };

/** Rows one worker claims (and holds locked) at a time. */
const BATCH_SIZE = 20;
/** Retries never wait longer than this, however many came before. */
const MAX_RETRY_DELAY_MS = 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;
const PAYLOAD_KEY_PURPOSE = 'outbox payload encryption v1';
/** A receiver's Retry-After is honoured up to this. */
const MAX_RETRY_AFTER_MS = 86_400_000;
const ROW_COLUMNS = `id, channel, kind, destination, status, attempts, last_error AS "lastError", created_at AS "createdAt",
  next_attempt_at AS "nextAttemptAt", settled_at AS "settledAt", COALESCE(message_id, id::text) AS "messageId",
  response_status AS "responseStatus"`;

/** The delay before retry number `attempts` (1 = the first): doubling, capped, half of it random (jitter). */
export function retryDelayMs(attempts: number, firstDelayMs: number, random: () => number = Math.random): number {
  const full = Math.min(MAX_RETRY_DELAY_MS, firstDelayMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(full / 2 + (random() * full) / 2);
}

/**
 * The transactional outbox. `add()` writes a row on the caller's EntityManager, so the message exists exactly when
 * the change that causes it commits. A worker in every instance claims due rows with `FOR UPDATE SKIP LOCKED` (a row
 * is held by one worker at a time; a killed worker's locks go with its connection, so the next one takes the row),
 * hands each to its channel's deliverer, and settles it in the same transaction: sent (payload dropped), retried
 * later with exponential backoff and jitter, or failed once its retry window is over (payload dropped, row kept).
 *
 * A deliverer that succeeded but whose settling did not commit (a kill -9 in between) is called again for the row:
 * delivery is at least once, and each message carries its row id so the receiver can tell a repeat.
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap, BeforeApplicationShutdown, EntitySubscriberInterface {
  private readonly logger = new Logger(OutboxService.name);
  private readonly deliverers = new Map<string, OutboxDeliverer>();
  private readonly payloadKey: Buffer;
  /** The runs of this instance, one after the other: a run never skips a row another run of ours holds. */
  private running: Promise<unknown> = Promise.resolve();
  private queued = false;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private lastPrunedAt = 0;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.payloadKey = atRestKey(config, PAYLOAD_KEY_PURPOSE);
    // Told of every commit: one that wrote outbox rows wakes this instance's worker at once.
    this.dataSource.subscribers.push(this);
  }

  register(channel: string, deliverer: OutboxDeliverer): void {
    this.deliverers.set(channel, deliverer);
  }

  /** Writes the message on `manager`: it is delivered once (and only if) that transaction commits. Returns the row's id. */
  async add(manager: EntityManager, message: OutboxMessage): Promise<string> {
    const id = randomUUID();
    const payload = sealAtRest(this.payloadKey, JSON.stringify(message.payload), `outbox:${id}`);
    await manager.query(
      `INSERT INTO outbox (id, channel, kind, destination, ordering_key, payload, give_up_at, delete_when_sent, message_id, keep_payload)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7), $8, $9, $10)`,
      [
        id,
        message.channel,
        message.kind,
        message.destination,
        message.orderingKey ?? null,
        payload,
        message.retryForMs / 1000,
        message.deleteWhenSent ?? false,
        message.messageId ?? null,
        message.keepPayload ?? false,
      ],
    );
    const queryRunner = manager.queryRunner;
    if (queryRunner?.isTransactionActive) queryRunner.data.outboxWritten = true;
    else this.wake();
    return id;
  }

  /** Deletes every row of a channel going to `destination` (any case), on the caller's transaction. */
  async forgetDestination(manager: EntityManager, channel: string, destination: string): Promise<void> {
    await manager.query(`DELETE FROM outbox WHERE channel = $1 AND lower(destination) = lower($2)`, [channel, destination]);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!event.queryRunner.data.outboxWritten) return;
    event.queryRunner.data.outboxWritten = false;
    this.wake();
  }

  /**
   * Delivers every row due now, and resolves once none is left (rows that failed wait for their retry). The test
   * hook behind MailService.flush(), and what the worker runs on each tick.
   */
  deliverDue(): Promise<void> {
    const run = this.running.then(() => this.drain());
    this.running = run.catch(() => undefined);
    return run;
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Finishes the batch this instance holds; rows not claimed yet stay for the next worker. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  async stats(): Promise<OutboxStats> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'pending')), 0)::int AS oldest
         FROM outbox WHERE status <> 'sent'`,
    )) as Array<{ pending: number; failed: number; oldest: number }>;
    return { pending: row.pending, failed: row.failed, oldestPendingSeconds: row.oldest };
  }

  /** One page of a channel's rows in a status, newest first, and how many there are. */
  async list(channel: string, status: OutboxStatus, page: number, perPage: number): Promise<{ rows: OutboxRow[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${ROW_COLUMNS} FROM outbox WHERE channel = $1 AND status = $2 ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
        [channel, status, perPage, (page - 1) * perPage],
      ) as Promise<OutboxRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS total FROM outbox WHERE channel = $1 AND status = $2`, [channel, status]) as Promise<
        Array<{ total: number }>
      >,
    ]);
    return { rows, total };
  }

  /** One page of a channel's rows going to `destination`, newest first, and how many there are. */
  async listFor(channel: string, destination: string, page: number, perPage: number): Promise<{ rows: OutboxRow[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${ROW_COLUMNS} FROM outbox WHERE channel = $1 AND destination = $2 ORDER BY created_at DESC, seq DESC LIMIT $3 OFFSET $4`,
        [channel, destination, perPage, (page - 1) * perPage],
      ) as Promise<OutboxRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS total FROM outbox WHERE channel = $1 AND destination = $2`, [channel, destination]) as Promise<
        Array<{ total: number }>
      >,
    ]);
    return { rows, total };
  }

  /**
   * Sends a settled row again (an admin's retry): pending and due now, with its message id, so the receiver can tell
   * a repeat. Only rows that kept their payload; returns the row as it now is, or undefined when there is none such.
   */
  async requeue(channel: string, destination: string, id: string, retryForMs: number): Promise<OutboxRow | undefined> {
    const [rows] = (await this.dataSource.query(
      `UPDATE outbox SET status = 'pending', next_attempt_at = now(), settled_at = NULL,
              give_up_at = GREATEST(give_up_at, now() + make_interval(secs => $4))
        WHERE id = $3 AND channel = $1 AND destination = $2 AND status <> 'pending' AND payload IS NOT NULL
        RETURNING ${ROW_COLUMNS}`,
      [channel, destination, id, retryForMs / 1000],
    )) as [OutboxRow[], number];
    if (rows.length > 0) this.wake();
    return rows[0];
  }

  /** One row of a channel going to `destination`. */
  async find(channel: string, destination: string, id: string): Promise<OutboxRow | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${ROW_COLUMNS} FROM outbox WHERE id = $3 AND channel = $1 AND destination = $2`, [
      channel,
      destination,
      id,
    ])) as OutboxRow[];
    return rows[0];
  }

  /** Deletes sent rows older than OUTBOX_PRUNE_SENT_AFTER_HOURS; returns how many went. */
  async pruneSent(): Promise<number> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM outbox WHERE status = 'sent' AND settled_at < now() - make_interval(hours => $1)`,
      [this.config.outbox.pruneSentAfterHours],
    )) as [unknown, number];
    return deleted;
  }

  /** Runs the worker soon (coalesced: commits in a burst start one run). */
  private wake(): void {
    if (this.queued || this.stopping) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      if (!this.stopping) void this.deliverDue().catch(() => undefined);
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule(this.config.outbox.pollMs));
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.deliverDue();
      if (Date.now() - this.lastPrunedAt >= PRUNE_EVERY_MS) {
        this.lastPrunedAt = Date.now();
        const pruned = await this.pruneSent();
        if (pruned > 0) this.logger.log({ msg: 'Pruned sent outbox rows', pruned });
      }
    } catch (error) {
      // The database is down or shutting down: the next tick tries again.
      this.logger.warn({ msg: 'Outbox worker run failed', error: (error as Error).message });
    }
  }

  /** Runs batches while one may leave due rows behind: a full batch, or one that took rows of an ordering key (the next of each key is due now). */
  private async drain(): Promise<void> {
    while (!this.stopping && (await this.deliverBatch()));
  }

  /**
   * Claims up to BATCH_SIZE due rows, delivers them and settles each, in one transaction; returns whether another
   * batch may find due rows.
   *
   * Rows sharing an `ordering_key` go out one at a time, oldest first: a row is claimed only when no earlier row of its
   * key is pending and due. An earlier row held by another worker is still pending, so no two workers deliver one
   * key at once; an earlier row waiting for its retry does not hold the later ones back (order is kept while
   * deliveries succeed, and a failing receiver does not stop the rest).
   */
  private async deliverBatch(): Promise<boolean> {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.connect();
    try {
      await queryRunner.startTransaction();
      const rows = (await queryRunner.query(
        `SELECT id, channel, kind, destination, ordering_key, payload, attempts, give_up_at, delete_when_sent, keep_payload, message_id FROM outbox o
          WHERE status = 'pending' AND next_attempt_at <= now()
            AND (ordering_key IS NULL OR NOT EXISTS (
                  SELECT 1 FROM outbox earlier
                   WHERE earlier.ordering_key = o.ordering_key AND earlier.status = 'pending' AND earlier.seq < o.seq
                     AND earlier.next_attempt_at <= now()))
          ORDER BY next_attempt_at, seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH_SIZE],
      )) as ClaimedRow[];
      const outcomes = await Promise.all(rows.map((row) => this.attempt(row)));
      for (const [index, row] of rows.entries()) await this.settle(queryRunner.manager, row, outcomes[index]);
      await queryRunner.commitTransaction();
      return rows.length === BATCH_SIZE || rows.some((row) => row.ordering_key !== null);
    } catch (error) {
      if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await queryRunner.release();
    }
  }

  /** The attempt's result; a failure carries its own words only (never the payload). */
  private async attempt(row: ClaimedRow): Promise<AttemptResult> {
    try {
      const deliverer = this.deliverers.get(row.channel);
      if (!deliverer) throw new Error(`no deliverer for channel ${row.channel}`);
      if (row.payload === null) throw new Error('the row has no payload');
      const payload: unknown = JSON.parse(openAtRest(this.payloadKey, row.payload, `outbox:${row.id}`));
      const messageId = row.message_id ?? row.id;
      const outcome = await deliverer.deliver({ id: row.id, kind: row.kind, destination: row.destination, payload, attempts: row.attempts, messageId });
      return { ok: true, responseStatus: outcome?.responseStatus };
    } catch (error) {
      const { message, code, responseCode } = (error ?? {}) as { message?: string; code?: string; responseCode?: number };
      const described = [code, responseCode, message].filter((part) => part !== undefined && part !== '').join(' ').slice(0, 500);
      this.logger.error({ msg: 'Outbox delivery failed', channel: row.channel, kind: row.kind, id: row.id, attempts: row.attempts + 1, error: described });
      const details = error instanceof DeliveryFailure ? error.details : {};
      return { ok: false, error: described || 'delivery failed', ...details };
    }
  }

  /** When the next attempt may run, or undefined to give up (the channel's schedule, or the window; Retry-After honoured). */
  private nextAttemptAt(row: ClaimedRow, attempts: number, retryAfterMs: number | undefined): Date | undefined {
    const deliverer = this.deliverers.get(row.channel);
    const scheduled = deliverer?.retryDelayMs ? deliverer.retryDelayMs(attempts) : retryDelayMs(attempts, this.config.outbox.retryFirstDelayMs);
    if (scheduled === undefined) return undefined;
    const next = new Date(Date.now() + Math.max(scheduled, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
    return next > row.give_up_at ? undefined : next;
  }

  private async settle(manager: EntityManager, row: ClaimedRow, result: AttemptResult): Promise<void> {
    if (result.ok && row.delete_when_sent) {
      await manager.query(`DELETE FROM outbox WHERE id = $1`, [row.id]);
      return;
    }
    const payloadAfter = row.keep_payload ? 'payload' : 'NULL';
    const responseStatus = result.responseStatus ?? null;
    if (result.ok) {
      await manager.query(
        `UPDATE outbox SET status = 'sent', payload = ${payloadAfter}, attempts = attempts + 1, last_error = NULL, response_status = $2,
                settled_at = now() WHERE id = $1`,
        [row.id, responseStatus],
      );
      return;
    }
    const attempts = row.attempts + 1;
    const nextAttemptAt = result.final ? undefined : this.nextAttemptAt(row, attempts, result.retryAfterMs);
    if (nextAttemptAt === undefined) {
      this.logger.error({ msg: 'Outbox message given up', channel: row.channel, kind: row.kind, id: row.id, attempts, final: result.final ?? false });
      await manager.query(
        `UPDATE outbox SET status = 'failed', payload = ${payloadAfter}, attempts = $2, last_error = $3, response_status = $4, settled_at = now()
          WHERE id = $1`,
        [row.id, attempts, result.error, responseStatus],
      );
      return;
    }
    await manager.query(`UPDATE outbox SET attempts = $2, last_error = $3, next_attempt_at = $4, response_status = $5 WHERE id = $1`, [
      row.id,
      attempts,
      result.error,
      nextAttemptAt,
      responseStatus,
    ]);
  }
}
