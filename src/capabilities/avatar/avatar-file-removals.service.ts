import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AVATAR_STORAGE, type AvatarStorage } from './storage/avatar-storage.js';

/** How often the files whose removal failed are tried again. */
export const AVATAR_REMOVAL_RETRY_MS = 5 * 60 * 1000;
const RETRY_BATCH = 100;

/**
 * Avatar files that must go, kept in `avatar_file_removals` until the storage confirmed it. A deleted account's
 * renditions are scheduled inside the transaction that deletes it (so they are never forgotten, whatever
 * happens after the commit), removed right after the commit, and retried every AVATAR_REMOVAL_RETRY_MS (and at
 * start-up) while the storage is down. Removing is idempotent, so several instances may retry the same names.
 */
@Injectable()
export class AvatarFileRemovals implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AvatarFileRemovals.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AVATAR_STORAGE) private readonly storage: AvatarStorage,
  ) {}

  /** Records the names on the caller's transaction. */
  async schedule(names: string[], manager: EntityManager): Promise<void> {
    if (names.length === 0) return;
    await manager.query(`INSERT INTO avatar_file_removals (file_name) SELECT unnest($1::varchar[]) ON CONFLICT DO NOTHING`, [names]);
  }

  /** Removes the files now; true when the storage confirmed it. A failure leaves them scheduled for a retry. */
  async removeNow(names: string[]): Promise<boolean> {
    if (names.length === 0) return true;
    try {
      await this.storage.remove(names);
    } catch (error) {
      this.logger.warn({ err: error, files: names.length }, 'avatar storage unavailable; the files will be removed on a retry');
      await this.dataSource
        .query(`UPDATE avatar_file_removals SET attempts = attempts + 1, last_attempt_at = now() WHERE file_name = ANY($1)`, [names])
        .catch(() => undefined);
      return false;
    }
    await this.dataSource.query(`DELETE FROM avatar_file_removals WHERE file_name = ANY($1)`, [names]);
    return true;
  }

  /** Tries the scheduled removals again, oldest first; returns how many files are still waiting. */
  async retryPending(): Promise<number> {
    for (;;) {
      const rows: { file_name: string }[] = await this.dataSource.query(
        `SELECT file_name FROM avatar_file_removals ORDER BY created_at, file_name LIMIT ${RETRY_BATCH}`,
      );
      if (rows.length === 0) return 0;
      if (!(await this.removeNow(rows.map((row) => row.file_name)))) {
        const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM avatar_file_removals`);
        return count as number;
      }
    }
  }

  onApplicationBootstrap(): void {
    const retry = () => void this.retryPending().catch((error) => this.logger.warn({ err: error }, 'avatar removal retry failed'));
    retry();
    this.timer = setInterval(retry, AVATAR_REMOVAL_RETRY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
