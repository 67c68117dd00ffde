import { ApiProperty, type SchemaObject } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../../core/users/api-key-scopes.js';
import { OptionalCurrentPasswordRules } from '../../../core/users/validation/field-rules.js';
import { ALLOWED_IPS_MAX } from '../allowed-ips.js';
import { OptionalNotNull } from '../../../platform/validation/match.decorator.js';

export const API_KEY_DESCRIPTION_MAX = 500;
/** Keys reported in one revocation request. */
export const REVOKE_TOKENS_MAX = 100;
/** Longer than any key (48): room for a stray space, small enough to bound the work. */
const REVOKE_TOKEN_MAX_LENGTH = 128;
/** A date-time with its offset, so the instant is never the server's guess: `2026-06-30T00:00:00+00:00`, `…Z`. */
const DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An IPv4 or IPv6 address, or a CIDR range of either (what allowed-ips.ts parses). */
const ALLOWED_IP_SCHEMA: SchemaObject = {
  type: 'string',
  // IPv4 with an optional /0-32; or IPv6 (loosely: hex digits, colons, an embedded IPv4) with an optional /0-128.
  pattern:
    '^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}(/(3[0-2]|[12]?\\d))?' +
    '|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/(12[0-8]|1[01]\\d|[1-9]?\\d))?)$',
  maxLength: 49,
  example: '10.0.0.0/8',
};

export class CreateApiKeyDto {
  /**
   * What the key is for.
   * @example "Deploy script"
   */
  @IsNotEmpty()
  @IsString()
  @MaxLength(API_KEY_DESCRIPTION_MAX)
  @ApiProperty({ maxLength: API_KEY_DESCRIPTION_MAX })
  description: string;

  /**
   * IPv4/IPv6 addresses and CIDR ranges the key may be used from (at most 50); empty or absent allows any address.
   * Each entry is checked on its own and reported as `allowed_ips.<index>`.
   * @example ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32"]
   */
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(ALLOWED_IPS_MAX)
  @ApiProperty({ type: 'array', items: ALLOWED_IP_SCHEMA, maxItems: ALLOWED_IPS_MAX })
  allowed_ips?: string[];

  /**
   * What the key may do (a repeated scope counts once); absent: every scope but `admin`. `admin` (the admin
   * routes) only an admin may grant (422 otherwise). Access tokens are not limited by scopes; credential changes
   * stay refused to every key.
   * @example ["account.read", "activity.read"]
   */
  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @IsIn(API_KEY_SCOPES, { each: true })
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, minItems: 1, maxItems: API_KEY_SCOPES.length })
  scopes?: ApiKeyScope[];

  /**
   * When the key stops working (401 from then on; it stays listed as expired): an ISO 8601 date-time with an offset,
   * in the future and at most API_KEY_MAX_LIFETIME_DAYS (365 by default) ahead. Absent: API_KEY_DEFAULT_LIFETIME_DAYS
   * from now when that is configured, else the key does not expire.
   * @example "2026-06-30T00:00:00+00:00"
   */
  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @IsString()
  @Matches(DATE_TIME_WITH_OFFSET, { message: '$property must be an ISO 8601 date-time with an offset (2026-06-30T00:00:00+00:00).' })
  @IsISO8601({ strict: true, strictSeparator: true })
  @ApiProperty({ type: 'string', format: 'date-time' })
  expires_at?: string;

  /** Proves the caller's identity when the login is older than 15 minutes (creating a key is a credential change). */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

/** Full keys found where they should not be; each valid one is revoked and its owner mailed. */
export class RevokeApiKeysDto {
  /**
   * At most 100 full keys (`ptlc_…`, 48 characters). Anything that is not a valid key is ignored, silently.
   * @example ["ptlc_aB3dE5fG7hJkLmNoPqRsTuVwXyZ0123456789abcdef"]
   */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(REVOKE_TOKENS_MAX)
  @IsString({ each: true })
  @MaxLength(REVOKE_TOKEN_MAX_LENGTH, { each: true })
  @ApiProperty({ type: [String], minItems: 1, maxItems: REVOKE_TOKENS_MAX })
  tokens: string[];
}

export class ApiKeyAttributesDto {
  /** @example "ptlc_aB3dE5fG7hJ" */
  identifier: string;
  /** @example "Deploy script" */
  description: string;
  /** @example ["203.0.113.7", "10.0.0.0/8"] */
  allowed_ips: string[];
  /**
   * Null until the key is first used; updated at most once a minute.
   * @example "2024-10-24T12:04:30+00:00"
   */
  last_used_at: string | null;
  /** @example "2024-10-24T12:04:30+00:00" */
  created_at: string;
  /** @example ["account.read", "account.write", "activity.read", "sessions.read", "sessions.write"] */
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  scopes: ApiKeyScope[];
  /**
   * Null when the key does not expire.
   * @example "2025-10-24T12:04:30+00:00"
   */
  expires_at: string | null;
  /**
   * True once `expires_at` has passed: the key is refused (401) and can only be deleted.
   * @example false
   */
  expired: boolean;
  /**
   * The address of the last use, written with `last_used_at` (so at most once a minute).
   * @example "203.0.113.7"
   */
  last_used_ip: string | null;
}

export class ApiKeyItemDto {
  /** @example "api_key" */
  object: 'api_key';
  attributes: ApiKeyAttributesDto;
}

export class ApiKeyListDto {
  /** @example "list" */
  object: 'list';
  data: ApiKeyItemDto[];
}

export class ApiKeySecretMetaDto {
  /**
   * The full bearer key (identifier + secret). Shown only in this response; Tessera keeps just a hash of the secret.
   * @example "ptlc_aB3dE5fG7hJkLmNoPqRsTuVwXyZ0123456789abcdef"
   */
  secret_token: string;
}

export class CreatedApiKeyDto extends ApiKeyItemDto {
  meta: ApiKeySecretMetaDto;
}
