import { ApiProperty, type SchemaObject } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ALLOWED_IPS_MAX } from '../allowed-ips.js';
import { OptionalNotNull } from '../../common/validation/match.decorator.js';

export const API_KEY_DESCRIPTION_MAX = 500;

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
