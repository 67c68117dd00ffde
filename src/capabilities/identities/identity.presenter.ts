import { formatDateTime } from '../../platform/format/dates.js';
import type { IdentityDto } from './dto/oauth.dto.js';
import type { Identity } from './entities/identity.entity.js';

/** A linked identity as the /api/me family shows it: never the subject or any token. */
export function presentIdentity(identity: Identity): IdentityDto {
  return {
    id: identity.id,
    provider: identity.provider,
    email: identity.email,
    created_at: formatDateTime(identity.createdAt),
    last_used_at: identity.lastUsedAt ? formatDateTime(identity.lastUsedAt) : null,
  };
}
