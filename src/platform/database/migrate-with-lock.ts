import { setTimeout as sleep } from 'node:timers/promises';
import { MigrationExecutor, type DataSource, type Migration } from 'typeorm';

/** Key of the session-level advisory lock every Tessera instance takes around its start-up migrations. */
export const MIGRATION_LOCK_KEY = 7_403_411_712;

export interface MigrateOptions {
  /** How long to wait for another instance's migrations before giving up. */
  waitMs?: number;
  pollMs?: number;
}

/**
 * Applies the pending migrations (all in one transaction) while holding a PostgreSQL advisory lock, so instances
 * starting at once run them one after the other: the first applies them, the others find nothing pending.
 * The lock is polled with pg_try_advisory_lock rather than awaited, so the wait is not cut short by the
 * statement timeout. Lock, migrations and unlock share one connection: the pool may be a single connection.
 */
export async function runMigrationsWithLock(dataSource: DataSource, options: MigrateOptions = {}): Promise<Migration[]> {
  const { waitMs = 120_000, pollMs = 200 } = options;
  const runner = dataSource.createQueryRunner();
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const [row] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY])) as { locked: boolean }[];
      if (row.locked) break;
      if (Date.now() > deadline) throw new Error(`another instance held the migration lock for more than ${waitMs} ms`);
      await sleep(pollMs);
    }
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      return await executor.executePendingMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
