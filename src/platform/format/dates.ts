/** Date formats the three route families use; all UTC. */

/**
 * A point in time as the presenters take it: a Date (an entity TypeORM loaded), or the ISO 8601 UTC string with
 * milliseconds that `Date#toISOString()` writes ("2024-07-03T15:02:45.123Z"), as the bearer guard's read has
 * PostgreSQL format it (see ACCOUNT_COLUMNS), so the hot path builds and formats no Date.
 */
export type Instant = Date | string;

/** The instant as `Date#toISOString()` writes it. */
export const isoOf = (instant: Instant): string => (typeof instant === 'string' ? instant : instant.toISOString());

/** "2017-04-27 16:47:59" (the /api/me family). */
export function formatDateTime(instant: Instant): string {
  const iso = isoOf(instant);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** "2024-07-03T15:02:45.000000Z" (Laravel's JSON serialization, the /api/v1 family): milliseconds, then "000". */
export function formatLaravelTimestamp(instant: Instant): string {
  const iso = isoOf(instant);
  return `${iso.slice(0, 23)}000Z`;
}

/** "2024-10-24T12:04:30+00:00" (ISO 8601 with offset, the /api/client family). */
export function formatIsoOffset(instant: Instant): string {
  return `${isoOf(instant).slice(0, 19)}+00:00`;
}
