import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isoOrNull, type AccountErasure, type ExportSection, type ExportSubject, type LifecycleParticipant } from '../lifecycle/account-lifecycle.js';
import type { ActivityProperties } from './activity-log.entity.js';

/** Activity entries read per query: the most the export holds in memory at once. */
export const ACTIVITY_PAGE_SIZE = 1000;

interface ActivityRow {
  id: string;
  event: string;
  description: string;
  actor_id: number | null;
  ip: string | null;
  user_agent: string | null;
  is_api: boolean;
  api_key_identifier: string | null;
  properties: ActivityProperties;
  created_at: Date;
}

/** The activity log in the account's life: exported whole, and kept as an audit trail when the account goes. */
@Injectable()
export class ActivityLifecycle implements LifecycleParticipant {
  readonly name = 'activity';
  readonly tables = ['activity_logs'];
  // Last in the document: the one section without bound.
  readonly exportSections: ExportSection[] = [{ key: 'activity', order: 90, write: (subject) => this.exportEntries(subject) }];

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Entries about the account keep event, description and time; IP, user agent, API key and properties (old
   * usernames, for one) go. Entries the account made about other accounts (an admin's actions) keep their
   * properties, which are about those accounts, and lose IP and user agent. The user references become NULL
   * with the row (ON DELETE SET NULL).
   */
  async erase({ userId, manager }: AccountErasure): Promise<void> {
    await manager.query(
      `UPDATE activity_logs SET ip = NULL, user_agent = NULL, api_key_identifier = NULL, properties = '{}' WHERE user_id = $1`,
      [userId],
    );
    await manager.query(
      `UPDATE activity_logs SET ip = NULL, user_agent = NULL, api_key_identifier = NULL WHERE actor_id = $1 AND user_id IS DISTINCT FROM $1`,
      [userId],
    );
  }

  /**
   * The whole activity log about the account, oldest first, read ACTIVITY_PAGE_SIZE entries at a time by id
   * (keyset, on activity_logs_user_index): each page is one short query, so a download of any length and speed
   * holds no connection between pages. `actor` says who did it without naming anyone else.
   */
  private async *exportEntries({ profile: { user } }: ExportSubject): AsyncGenerator<unknown[]> {
    let after = '0';
    for (;;) {
      const rows: ActivityRow[] = await this.dataSource.query(
        `SELECT id, event, description, actor_id, ip, user_agent, is_api, api_key_identifier, properties, created_at
           FROM activity_logs WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT ${ACTIVITY_PAGE_SIZE}`,
        [user.id, after],
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map((row) => ({
        id: row.id,
        event: row.event,
        description: row.description,
        actor: row.actor_id === null ? null : row.actor_id === user.id ? 'self' : 'other',
        ip: row.ip,
        user_agent: row.user_agent,
        is_api: row.is_api,
        api_key_identifier: row.api_key_identifier,
        properties: row.properties,
        timestamp: isoOrNull(row.created_at),
      }));
      if (rows.length < ACTIVITY_PAGE_SIZE) return;
    }
  }
}
