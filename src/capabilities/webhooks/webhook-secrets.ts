import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { AppConfig } from '../../platform/config/app-config.js';
import { atRestKey, openAtRest, sealAtRest } from '../../platform/crypto/at-rest-cipher.js';

const SECRET_PREFIX = 'whsec_';
/** 32 random bytes: Standard Webhooks asks for 24 to 64. */
const SECRET_BYTES = 32;
const KEY_PURPOSE = 'webhook secret encryption v1';

/** A new signing secret in Standard Webhooks' form: `whsec_` and the key in base64. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** Seals and opens endpoint secrets at rest, each bound to its endpoint and slot (a sealed secret copied elsewhere does not open). */
export class WebhookSecretBox {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = atRestKey(config, KEY_PURPOSE);
  }

  seal(endpointId: string, secret: string): string {
    return sealAtRest(this.key, secret, `webhook:${endpointId}`);
  }

  open(endpointId: string, sealed: string): string {
    return openAtRest(this.key, sealed, `webhook:${endpointId}`);
  }
}

/**
 * The `webhook-signature` header: `v1,<signature>` for each secret, space-separated (Standard Webhooks), computed by
 * the `standardwebhooks` package over `id.timestamp.body`. After a rotation both the new and the previous secret
 * sign, so a receiver that still has the old one keeps verifying.
 */
export function signatureHeader(secrets: readonly string[], messageId: string, at: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' ');
}
