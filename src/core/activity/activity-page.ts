import type { ActivityLog } from './activity-log.entity.js';

/** One page of an account's activity log, as the family presenters receive it. */
export interface ActivityPage {
  items: ActivityLog[];
  total: number;
  page: number;
  perPage: number;
}
