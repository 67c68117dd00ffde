import type { ActivityLog } from '../../core/activity/activity-log.entity.js';
import type { ActivityPage } from '../../core/activity/activity-page.js';
import { formatIsoOffset } from '../../platform/format/dates.js';
import { ADMIN_ROLE_SLUG } from '../../core/users/role.entity.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import type { ActivityLogItemDto, ActivityLogListDto, ClientAccountDto } from './dto/client-account.dto.js';

/** The client family's account (seed 004); its names are never null there, so unset ones are "". */
export function presentClientAccount({ user }: UserProfile): ClientAccountDto {
  return {
    object: 'user',
    attributes: {
      id: user.id,
      admin: user.role?.slug === ADMIN_ROLE_SLUG,
      username: user.username,
      email: user.email,
      first_name: user.firstName ?? '',
      last_name: user.lastName ?? '',
      language: user.language,
    },
  };
}

export function presentActivityLog(entry: ActivityLog): ActivityLogItemDto {
  return {
    object: 'activity_log',
    attributes: {
      id: String(entry.id),
      event: entry.event,
      is_api: entry.isApi,
      ip: entry.ip,
      description: entry.description,
      properties: entry.properties,
      timestamp: formatIsoOffset(entry.createdAt),
    },
  };
}

/** `{object: "list", data, meta: {pagination}}`; like Laravel's paginator, there is always at least one page. */
export function presentActivityLogList(page: ActivityPage): ActivityLogListDto {
  return {
    object: 'list',
    data: page.items.map(presentActivityLog),
    meta: {
      pagination: {
        total: page.total,
        count: page.items.length,
        per_page: page.perPage,
        current_page: page.page,
        total_pages: Math.max(1, Math.ceil(page.total / page.perPage)),
      },
    },
  };
}
