import { VanguardRoleDto, VanguardUserDto } from '../../../dialects/vanguard/dto/vanguard-user.dto.js';

/** Laravel paginator links: absolute URLs that keep the query; null where there is no such page. */
export class PaginationLinksDto {
  /** @example "http://localhost:3000/api/users?sort=-created_at&page=1" */
  first: string;
  /** @example "http://localhost:3000/api/users?sort=-created_at&page=3" */
  last: string;
  /** @example null */
  prev: string | null;
  /** @example "http://localhost:3000/api/users?sort=-created_at&page=2" */
  next: string | null;
}

/** Laravel paginator meta. */
export class PaginationMetaDto {
  /** @example 1 */
  current_page: number;
  /** Position of the first item on this page; null when the page is empty. @example 1 */
  from: number | null;
  /** @example 3 */
  last_page: number;
  /** The list's URL without a query. @example "http://localhost:3000/api/users" */
  path: string;
  /** @example 15 */
  per_page: number;
  /** Position of the last item on this page; null when the page is empty. @example 15 */
  to: number | null;
  /** Matches over all pages. @example 42 */
  total: number;
}

/** One page of users, Laravel's paginator shape. */
export class AdminUserPageDto {
  data: VanguardUserDto[];
  links: PaginationLinksDto;
  meta: PaginationMetaDto;
}

/** A role with the number of users holding it. */
export class AdminRoleDto extends VanguardRoleDto {
  /** @example 3 */
  users_count: number;
}

export class AdminRoleListDto {
  data: AdminRoleDto[];
}

/** One activity log entry of a user. */
export class AdminActivityDto {
  /** @example 42 */
  id: number;
  /** The user the entry is about. @example 123 */
  user_id: number;
  /** Who did it: the user, an admin, or null for an anonymous caller. @example 1 */
  actor_id: number | null;
  /** @example "admin:user.banned" */
  event: string;
  /** @example "User banned by an administrator." */
  description: string;
  /** @example "203.0.113.7" */
  ip_address: string | null;
  /** @example "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" */
  user_agent: string | null;
  /** True when done with an API key. @example false */
  is_api: boolean;
  /** Event details. @example {"revoked_sessions":2} */
  properties: Record<string, string | number | boolean | null>;
  /** @example "2024-10-24 12:04:30" */
  created_at: string;
}

/** One page of a user's activity, newest first, Laravel's paginator shape. */
export class AdminActivityPageDto {
  data: AdminActivityDto[];
  links: PaginationLinksDto;
  meta: PaginationMetaDto;
}

/** One mail of the outbox, as an administrator may see it: where it goes and how delivery went, never its body. */
export class AdminMailDto {
  /** The outbox row; also the mail's Message-ID (`<id@domain of MAIL_FROM>`). @example "0b7d5a3e-7c1f-4f7e-9a51-3d2f6b1c9e10" */
  id: string;
  /** @example "password-reset" */
  kind: string;
  /** @example "john@example.com" */
  to: string;
  /** @example "failed" */
  status: 'pending' | 'failed' | 'sent';
  /** Delivery attempts made so far. @example 14 */
  attempts: number;
  /** The last attempt's error (the mail server's words, never the message). @example "ESOCKET connect ECONNREFUSED 10.0.0.5:587" */
  last_error: string | null;
  /** When the change that caused it committed. @example "2024-10-24 12:04:30" */
  created_at: string;
  /** When a pending mail is tried next. @example "2024-10-24 12:34:30" */
  next_attempt_at: string | null;
  /** When it was sent or given up. @example "2024-10-25 12:04:30" */
  settled_at: string | null;
}

/** One page of outbox mails, newest first, Laravel's paginator shape. */
export class AdminMailPageDto {
  data: AdminMailDto[];
  links: PaginationLinksDto;
  meta: PaginationMetaDto;
}
