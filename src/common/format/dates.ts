/** Date formats the three route families use; all UTC. */

/** "2017-04-27 16:47:59" (the /api/me family). */
export function formatDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** "2024-07-03T15:02:45.000000Z" (Laravel's JSON serialization, the /api/v1 family). */
export function formatLaravelTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}.${String(date.getUTCMilliseconds() * 1000).padStart(6, '0')}Z`;
}

/** "2024-10-24T12:04:30+00:00" (ISO 8601 with offset, the /api/client family). */
export function formatIsoOffset(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}
