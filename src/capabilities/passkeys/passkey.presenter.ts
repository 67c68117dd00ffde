import { formatDateTime } from '../../platform/format/dates.js';
import type { PasskeyDto } from './dto/passkey.dto.js';
import type { Passkey } from './entities/passkey.entity.js';

/** A passkey as the /api/me family shows it: metadata only, never the key or the counter. */
export function presentPasskey(passkey: Passkey): PasskeyDto {
  return {
    id: passkey.id,
    name: passkey.name,
    created_at: formatDateTime(passkey.createdAt),
    last_used_at: passkey.lastUsedAt ? formatDateTime(passkey.lastUsedAt) : null,
    device_type: passkey.deviceType,
    backed_up: passkey.backedUp,
    transports: [...passkey.transports],
  };
}
