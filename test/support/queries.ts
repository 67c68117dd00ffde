import { jest } from '@jest/globals';
import type { Pool } from 'pg';
import { OutboxService } from '../../src/platform/outbox/outbox.service.js';
import type { TestApp } from './app.js';

/**
 * The statements the app sends while `run` runs: those logged through TypeORM's logger (prepared statements
 * included) and, to catch anything that bypasses it, one entry per connection checked out of the pg pool.
 */
export async function queriesDuring(t: TestApp, run: () => Promise<unknown>): Promise<string[]> {
  // The mail outbox's worker sends what earlier commits wrote (a new key's notice, say): let it finish first, so
  // its statements are not counted as the request's.
  await t.app.get(OutboxService).deliverDue();
  const pool = (t.db.driver as unknown as { master: Pool }).master;
  const logged = jest.spyOn(t.db.logger, 'logQuery');
  const connections = jest.spyOn(pool, 'connect');
  try {
    await run();
    return [...logged.mock.calls.map((call) => String(call[0])), ...connections.mock.calls.map(() => '(pool connection)')];
  } finally {
    logged.mockRestore();
    connections.mockRestore();
  }
}
