import { formatIsoOffset } from '../../platform/format/dates.js';
import type { ApiKeyItemDto, ApiKeyListDto, CreatedApiKeyDto } from './dto/api-key.dto.js';
import type { CreatedApiKey } from './api-keys.service.js';
import type { ApiKey } from './entities/api-key.entity.js';

/** `{object: "api_key", attributes}` of the client family; never the secret or its hash. */
export function presentApiKey(key: ApiKey, now = Date.now()): ApiKeyItemDto {
  return {
    object: 'api_key',
    attributes: {
      identifier: key.identifier,
      description: key.description,
      allowed_ips: key.allowedIps,
      last_used_at: key.lastUsedAt ? formatIsoOffset(key.lastUsedAt) : null,
      created_at: formatIsoOffset(key.createdAt),
      scopes: key.scopes,
      expires_at: key.expiresAt ? formatIsoOffset(key.expiresAt) : null,
      expired: key.expiresAt !== null && key.expiresAt.getTime() <= now,
      last_used_ip: key.lastUsedIp,
    },
  };
}

export function presentApiKeyList(keys: ApiKey[]): ApiKeyListDto {
  const now = Date.now();
  return { object: 'list', data: keys.map((key) => presentApiKey(key, now)) };
}

/** The new key's item plus `meta.secret_token`, the full bearer key shown this once. */
export function presentCreatedApiKey(created: CreatedApiKey): CreatedApiKeyDto {
  return { ...presentApiKey(created.key), meta: { secret_token: created.token } };
}
