import { formatDateTime, formatIsoOffset, formatLaravelTimestamp } from './dates.js';

describe('date formats', () => {
  const date = new Date(Date.UTC(2024, 6, 3, 15, 2, 45, 123));

  it('formats the /api/me family "Y-m-d H:i:s"', () => {
    expect(formatDateTime(date)).toBe('2024-07-03 15:02:45');
  });

  it('formats Laravel microsecond timestamps', () => {
    expect(formatLaravelTimestamp(date)).toBe('2024-07-03T15:02:45.123000Z');
  });

  it('formats ISO 8601 with offset', () => {
    expect(formatIsoOffset(date)).toBe('2024-07-03T15:02:45+00:00');
  });
});
