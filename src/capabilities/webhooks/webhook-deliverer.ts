import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { DataSource } from 'typeorm';
import { WEBHOOK_CHANNEL } from '../../core/events/events.service.js';
import { ADMIN_ROLE_SLUG } from '../../core/users/role.entity.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { DeliveryFailure, OutboxService, type DeliveryOutcome, type OutboxDeliverer, type OutboxDelivery } from '../../platform/outbox/outbox.service.js';
import { checkTarget, systemResolver, TargetRefused, type CheckedTarget, type HostResolver } from './webhook-targets.js';
import { signatureHeader, WebhookSecretBox } from './webhook-secrets.js';

/** The delays before retries 1 to 7 (Standard Webhooks' usual schedule); after the eighth attempt the delivery fails. */
export const WEBHOOK_RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
/** Up to a fifth of each delay is added at random, so many deliveries failing at once do not come back at once. */
const JITTER = 0.2;
/** A receiver's answer is read up to this much, then dropped (nothing of it is kept but the status). */
const MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = 'Tessera-Webhooks/1';

interface EndpointRow {
  id: string;
  url: string;
  enabled: boolean;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

/** What a receiver answered. */
interface Answer {
  status: number;
  retryAfter?: string;
}

/** Seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Delivers webhook rows of the outbox (channel 'webhook'): signs each with the endpoint's secret(s) through
 * `standardwebhooks`, checks the target again (a name that resolves to a private address now fails with
 * `blocked_target`), connects to the address it checked, and POSTs without following redirects, within the
 * timeout. 2xx is success; 410 disables the endpoint; 429, 5xx, 3xx, timeouts, refused connections and blocked
 * targets are retried on the schedule (Retry-After honoured); any other 4xx fails the delivery for good (the
 * receiver refused this message, and sending it again would not change that; an admin can retry it). Every failure
 * keeps the endpoint's `failing_since`; one that fails WEBHOOK_DISABLE_AFTER_HOURS after the first disables it and
 * mails the admins.
 */
@Injectable()
export class WebhookDeliverer implements OutboxDeliverer {
  private readonly logger = new Logger(WebhookDeliverer.name);
  private readonly secrets: WebhookSecretBox;
  /** How host names resolve, when endpoints are saved and at each delivery; replaced by tests that need a name to resolve somewhere in particular. */
  resolver: HostResolver = systemResolver;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mail: MailService,
    outbox: OutboxService,
  ) {
    this.secrets = new WebhookSecretBox(config);
    outbox.register(WEBHOOK_CHANNEL, this);
  }

  retryDelayMs(attempts: number): number | undefined {
    const base = WEBHOOK_RETRY_SCHEDULE_MS[attempts - 1];
    return base === undefined ? undefined : Math.round(base * (1 + Math.random() * JITTER));
  }

  async deliver(message: OutboxDelivery): Promise<DeliveryOutcome> {
    const [endpoint] = (await this.dataSource.query(
      `SELECT id, url, enabled, secret, previous_secret, previous_secret_expires_at FROM webhook_endpoints WHERE id = $1`,
      [message.destination],
    )) as EndpointRow[];
    if (!endpoint?.enabled) throw new DeliveryFailure('endpoint_disabled', { final: true });

    let answer: Answer;
    try {
      const target = await checkTarget(endpoint.url, this.config.webhooks.allowPrivateTargets, this.resolver);
      answer = await this.post(target, message, this.signingSecrets(endpoint));
    } catch (error) {
      const reason = error instanceof TargetRefused ? (error.reason === 'unresolvable' ? 'unresolvable_target' : 'blocked_target') : describe(error);
      await this.failed(endpoint);
      throw new DeliveryFailure(reason);
    }
    if (answer.status >= 200 && answer.status < 300) {
      await this.dataSource.query(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, [endpoint.id]);
      return { responseStatus: answer.status };
    }
    if (answer.status === 410) {
      await this.disable(endpoint, 'gone');
      throw new DeliveryFailure('gone', { responseStatus: 410, final: true });
    }
    const disabled = await this.failed(endpoint);
    const retryable = answer.status === 429 || answer.status >= 500 || (answer.status >= 300 && answer.status < 400);
    throw new DeliveryFailure(`http_${answer.status}`, {
      responseStatus: answer.status,
      retryAfterMs: parseRetryAfter(answer.retryAfter),
      final: disabled || !retryable,
    });
  }

  /** The current secret, and the previous one while its overlap lasts. */
  private signingSecrets(endpoint: EndpointRow): string[] {
    const secrets = [this.secrets.open(endpoint.id, endpoint.secret)];
    if (endpoint.previous_secret && endpoint.previous_secret_expires_at && endpoint.previous_secret_expires_at > new Date()) {
      secrets.push(this.secrets.open(endpoint.id, endpoint.previous_secret));
    }
    return secrets;
  }

  private post(target: CheckedTarget, message: OutboxDelivery, secrets: string[]): Promise<Answer> {
    const body = JSON.stringify(message.payload);
    const at = new Date();
    // The connection goes to the address checked above, never to a second resolution of the name.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [target]);
      else callback(null, target.address, target.family);
    };
    const request = target.url.protocol === 'https:' ? https.request : http.request;
    return new Promise<Answer>((resolve, reject) => {
      const req = request(
        target.url,
        {
          method: 'POST',
          lookup: pinned,
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': USER_AGENT,
            'webhook-id': message.messageId,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': signatureHeader(secrets, message.messageId, at, body),
          },
        },
        (res) => {
          let received = 0;
          res.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > MAX_RESPONSE_BYTES) res.destroy();
          });
          const answer = { status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] };
          res.on('end', () => resolve(answer));
          res.on('close', () => resolve(answer));
          res.on('error', () => resolve(answer));
        },
      );
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), this.config.webhooks.timeoutMs);
      req.on('error', reject);
      req.on('close', () => clearTimeout(timer));
      req.end(body);
    });
  }

  /** Records a failure; disables the endpoint once it has failed long enough. Returns whether it was disabled. */
  private async failed(endpoint: EndpointRow): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, now()) WHERE id = $1
       RETURNING failing_since <= now() - make_interval(hours => $2) AS expired`,
      [endpoint.id, this.config.webhooks.disableAfterHours],
    )) as [Array<{ expired: boolean }>, number];
    if (!row[0]?.expired) return false;
    await this.disable(endpoint, 'failing');
    return true;
  }

  /** Disables the endpoint and mails the admins, in one transaction; only the first of racing deliveries does. */
  private async disable(endpoint: EndpointRow, reason: 'gone' | 'failing'): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1 AND enabled RETURNING id`,
        [endpoint.id, reason],
      )) as [unknown[], number];
      if (rows.length === 0) return;
      this.logger.warn({ msg: 'Webhook endpoint disabled', endpoint: endpoint.id, reason });
      // Every admin but a banned one (an admin whose address is not verified yet still runs the platform).
      const admins = (await manager.query(
        `SELECT u.email, COALESCE(u.first_name, '') AS name FROM users u JOIN roles r ON r.id = u.role_id WHERE r.slug = $1 AND u.status <> 'Banned'`,
        [ADMIN_ROLE_SLUG],
      )) as Array<{ email: string; name: string }>;
      for (const admin of admins) {
        await this.mail.sendWebhookDisabled(manager, admin.email, { name: admin.name, url: endpoint.url, reason, hours: this.config.webhooks.disableAfterHours });
      }
    });
  }
}

function describe(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code === 'ETIMEDOUT') return 'timeout';
  return (code ?? message ?? 'request_failed').slice(0, 200);
}
