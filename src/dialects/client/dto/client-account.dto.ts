export class ClientAccountAttributesDto {
  /** @example 1 */
  id: number;
  /** True for the admin role. @example false */
  admin: boolean;
  /** @example "user123" */
  username: string;
  /** @example "user@example.com" */
  email: string;
  /** "" when unset. @example "John" */
  first_name: string;
  /** "" when unset. @example "Doe" */
  last_name: string;
  /** @example "en" */
  language: string;
}

/** The client family's account (seed 004). */
export class ClientAccountDto {
  /** @example "user" */
  object: 'user';
  attributes: ClientAccountAttributesDto;
}

export class ActivityLogAttributesDto {
  /** @example "42" */
  id: string;
  /** @example "user:account.email-changed" */
  event: string;
  /** True when done with an API key. @example false */
  is_api: boolean;
  /** Shown for the user's own actions (and to admins), else null. @example "203.0.113.7" */
  ip: string | null;
  /** @example "Email address changed." */
  description: string;
  /** Event details. @example {} */
  properties: Record<string, string | number | boolean | null>;
  /** @example "2024-10-24T12:04:30+00:00" */
  timestamp: string;
}

export class ActivityLogItemDto {
  /** @example "activity_log" */
  object: 'activity_log';
  attributes: ActivityLogAttributesDto;
}

export class PaginationDto {
  /** @example 42 */
  total: number;
  /** Items on this page. @example 25 */
  count: number;
  /** @example 25 */
  per_page: number;
  /** @example 1 */
  current_page: number;
  /** @example 2 */
  total_pages: number;
}

export class ListMetaDto {
  pagination: PaginationDto;
}

export class ActivityLogListDto {
  /** @example "list" */
  object: 'list';
  data: ActivityLogItemDto[];
  meta: ListMetaDto;
}
