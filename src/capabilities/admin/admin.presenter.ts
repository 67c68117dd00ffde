import type { ActivityLog } from '../../core/activity/activity-log.entity.js';
import { formatDateTime } from '../../platform/format/dates.js';
import { presentVanguardRole } from '../../dialects/vanguard/user.presenter.js';
import type { RoleWithUserCount } from '../../core/users/users.service.js';
import type { OutboxRow } from '../../platform/outbox/outbox.service.js';
import type { AdminActivityDto, AdminMailDto, AdminRoleDto } from './dto/admin-responses.dto.js';

/** Vanguard's role with `users_count`. */
export function presentAdminRole({ role, usersCount }: RoleWithUserCount): AdminRoleDto {
  return { ...presentVanguardRole(role), users_count: usersCount };
}

/** An activity entry as an admin sees it: actor, IP and user agent included. */
export function presentAdminActivity(entry: ActivityLog): AdminActivityDto {
  return {
    id: Number(entry.id),
    // Listed by user_id, so never null here (only admin:user.deleted entries have none).
    user_id: entry.userId as number,
    actor_id: entry.actorId,
    event: entry.event,
    description: entry.description,
    ip_address: entry.ip,
    user_agent: entry.userAgent,
    is_api: entry.isApi,
    properties: entry.properties,
    created_at: formatDateTime(entry.createdAt),
  };
}

export function presentAdminMail(row: OutboxRow): AdminMailDto {
  return {
    id: row.id,
    kind: row.kind,
    to: row.destination,
    status: row.status,
    attempts: row.attempts,
    last_error: row.lastError,
    created_at: formatDateTime(row.createdAt),
    next_attempt_at: row.status === 'pending' ? formatDateTime(row.nextAttemptAt) : null,
    settled_at: row.settledAt ? formatDateTime(row.settledAt) : null,
  };
}
