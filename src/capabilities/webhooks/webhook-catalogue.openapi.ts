import type { OpenAPIObject } from '@nestjs/swagger';
import { EVENT_CATALOGUE, EVENT_DATA_SCHEMAS, type EventType } from '../../core/events/event-catalogue.js';
import { TAGS } from '../../platform/openapi/tags.js';

/** The component name of an event's whole body: `user.created` → `UserCreatedWebhookEvent`. */
export function eventSchemaName(type: EventType): string {
  return `${type
    .split(/[._]/)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('')}WebhookEvent`;
}

const HEADERS = [
  { name: 'webhook-id', description: 'The message id, the same on every attempt: a receiver ignores an id it has seen.', example: 'msg_2b5f0c1e8d4a4f6b9c3e7a1d5f0b2c4e' },
  { name: 'webhook-timestamp', description: 'When this attempt was signed, Unix seconds: refuse one too far from your clock (5 minutes).', example: '1796644800' },
  {
    name: 'webhook-signature',
    description:
      'Space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret: two for 24 h after a rotation. Verify with the ' +
      '`standardwebhooks` package and the endpoint\'s `whsec_` secret.',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
];

/**
 * Puts the event catalogue in the document: each payload's schema (the `data` schemas and one envelope per event
 * type) in `components.schemas`, so generated clients export them, and one POST operation per event type as a
 * path item under the event's name. OpenAPI 3.1 has a `webhooks` section for exactly that; a 3.0 document carries
 * the same map as the `x-webhooks` extension (what Redoc and others read), so moving to 3.1 only renames the key.
 */
export function documentWebhookCatalogue(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  const schemas = document.components.schemas as Record<string, unknown>;
  for (const [name, schema] of Object.entries(EVENT_DATA_SCHEMAS)) schemas[name] = schema;
  const webhooks: Record<string, unknown> = {};
  for (const [type, entry] of Object.entries(EVENT_CATALOGUE) as Array<[EventType, (typeof EVENT_CATALOGUE)[EventType]]>) {
    const name = eventSchemaName(type);
    schemas[name] = {
      type: 'object',
      description: entry.summary,
      properties: {
        type: { type: 'string', enum: [type], description: 'The event type.' },
        timestamp: { type: 'string', format: 'date-time', description: 'When the change happened, ISO 8601 UTC.', example: '2026-12-07T12:04:30.123Z' },
        data: { $ref: `#/components/schemas/${entry.data}` },
      },
      required: ['type', 'timestamp', 'data'],
      additionalProperties: false,
    };
    webhooks[type] = {
      post: {
        operationId: `webhook${name.replace(/WebhookEvent$/, '')}`,
        summary: entry.summary,
        tags: [TAGS.webhookEvents],
        // No bearer credential: the receiver checks the signature headers instead.
        security: [],
        parameters: HEADERS.map(({ name: header, description, example }) => ({
          name: header,
          in: 'header',
          required: true,
          description,
          schema: { type: 'string', example },
        })),
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } },
        responses: {
          '200': { description: 'Any 2xx: received. 410 disables the endpoint; 429, 5xx, timeouts and refused connections are retried (Retry-After honoured).' },
        },
      },
    };
  }
  const key = document.openapi.startsWith('3.1') ? 'webhooks' : 'x-webhooks';
  (document as unknown as Record<string, unknown>)[key] = webhooks;
  return document;
}
