import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { SUBSCRIBABLE_EVENT_TYPES, type EventType } from '../../../core/events/event-catalogue.js';
import { OptionalNotNull } from '../../../platform/validation/match.decorator.js';
import { PaginationLinksDto, PaginationMetaDto } from '../../admin/dto/admin-responses.dto.js';

export const WEBHOOK_URL_MAX = 2048;
export const WEBHOOK_DESCRIPTION_MAX = 500;

/** The target URL's input rules; what it may point at is checked by the service (422 on `url`). */
const UrlRules = (): PropertyDecorator =>
  applyDecorators(IsNotEmpty(), IsString(), MaxLength(WEBHOOK_URL_MAX), ApiProperty({ maxLength: WEBHOOK_URL_MAX, format: 'uri' }));

/** Optional, never null: the event types from the catalogue (`webhook.test` excluded). */
const EventsRules = (): PropertyDecorator =>
  applyDecorators(
    OptionalNotNull(),
    IsArray(),
    ArrayMaxSize(SUBSCRIBABLE_EVENT_TYPES.length),
    IsIn(SUBSCRIBABLE_EVENT_TYPES, { each: true }),
    ApiProperty({ enum: SUBSCRIBABLE_EVENT_TYPES, isArray: true, maxItems: SUBSCRIBABLE_EVENT_TYPES.length }),
  );

const DescriptionRules = (): PropertyDecorator =>
  applyDecorators(OptionalNotNull(), IsString(), MaxLength(WEBHOOK_DESCRIPTION_MAX), ApiProperty({ maxLength: WEBHOOK_DESCRIPTION_MAX }));

const EnabledRules = (): PropertyDecorator => applyDecorators(OptionalNotNull(), IsBoolean());

/** What a create and an update share: the events, the description, the switch. */
export class WebhookSettingsDto {
  /**
   * The event types it receives (a repeated type counts once); absent on create, or empty: every type.
   * @example ["user.created", "user.deleted"]
   */
  @EventsRules()
  events?: EventType[];

  /** What it is for. @example "CRM sync" */
  @DescriptionRules()
  description?: string;

  /** Whether deliveries go out (true by default); false disables it (`disabled_reason` `admin`), true enables it again. @example true */
  @EnabledRules()
  enabled?: boolean;
}

export class CreateWebhookDto extends WebhookSettingsDto {
  /**
   * Where deliveries are POSTed: https (plain http only with WEBHOOK_ALLOW_PRIVATE_TARGETS), no user name or
   * password, a host that resolves only to public addresses (checked again at every delivery).
   * @example "https://hooks.example.com/tessera"
   */
  @UrlRules()
  url: string;
}

/** Any of the fields of a create; enabling an endpoint clears its `disabled_reason`. */
export class UpdateWebhookDto extends WebhookSettingsDto {
  /** Checked as on create. @example "https://hooks.example.com/tessera" */
  @OptionalNotNull()
  @UrlRules()
  url?: string;
}

export class WebhookDto {
  /** @example "3c8f6a0e-5d2b-4f7e-9a1c-8b6d4e2f0a13" */
  id: string;
  /** @example "https://hooks.example.com/tessera" */
  url: string;
  /** Empty: every type. @example ["user.created", "user.deleted"] */
  @ApiProperty({ enum: SUBSCRIBABLE_EVENT_TYPES, isArray: true })
  events: EventType[];
  /** @example "CRM sync" */
  description: string;
  /** @example true */
  enabled: boolean;
  /** Why it is disabled: `gone` (the receiver answered 410), `failing` (WEBHOOK_DISABLE_AFTER_HOURS of failures), `admin`. @example null */
  @ApiProperty({ enum: ['gone', 'failing', 'admin'], nullable: true, type: String })
  disabled_reason: 'gone' | 'failing' | 'admin' | null;
  /** @example "2026-12-07 12:04:30" */
  created_at: string;
  /** @example "2026-12-07 12:04:30" */
  updated_at: string;
}

export class WebhookResponseDto {
  data: WebhookDto;
}

export class WebhookSecretMetaDto {
  /** The signing secret, shown this once (Tessera keeps it encrypted and never shows it again). @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" */
  secret: string;
}

/** The endpoint and its new signing secret. */
export class WebhookWithSecretResponseDto {
  data: WebhookDto;
  meta: WebhookSecretMetaDto;
}

export class WebhookListDto {
  data: WebhookDto[];
}

export class WebhookDeliveryDto {
  /** @example "0b7d5a3e-7c1f-4f7e-9a51-3d2f6b1c9e10" */
  id: string;
  /** The `webhook-id` header: the same on every attempt of this message. @example "msg_2b5f0c1e8d4a4f6b9c3e7a1d5f0b2c4e" */
  message_id: string;
  /** @example "user.created" */
  event: string;
  /** Attempts made so far. @example 1 */
  attempt: number;
  /** @example "succeeded" */
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] })
  status: 'pending' | 'succeeded' | 'failed';
  /** The receiver's last HTTP status; null when none came (refused, timed out, blocked). @example 200 */
  @ApiProperty({ type: 'integer', nullable: true })
  response_status: number | null;
  /** The last failure: `http_<status>`, `timeout`, `blocked_target`, `gone`, a connection error code. @example null */
  @ApiProperty({ type: String, nullable: true })
  error: string | null;
  /** @example "2026-12-07 12:04:30" */
  created_at: string;
  /** When a pending delivery is tried next; null once settled. @example null */
  @ApiProperty({ type: String, nullable: true })
  next_attempt_at: string | null;
}

export class WebhookDeliveryResponseDto {
  data: WebhookDeliveryDto;
}

/** One page of an endpoint's deliveries, newest first, Laravel's paginator shape. */
export class WebhookDeliveryPageDto {
  data: WebhookDeliveryDto[];
  links: PaginationLinksDto;
  meta: PaginationMetaDto;
}
