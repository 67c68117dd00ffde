import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SessionsService } from '../../core/credentials/sessions/sessions.service.js';
import { isoOrNull, type CredentialHolder, type ExportSection, type ExportSubject, type LifecycleParticipant } from '../../core/lifecycle/account-lifecycle.js';
import { describeUserAgent } from './session.presenter.js';

interface SessionRow {
  id: string;
  ip_address: string;
  user_agent: string;
  device_name: string | null;
  created_at: Date;
  logged_in_at: Date;
  last_activity: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

/** Sessions in the account's life: core keeps the table and the hot read; this capability lists, exports and ends them. */
@Injectable()
export class SessionsLifecycle implements LifecycleParticipant {
  readonly name = 'sessions';
  readonly tables = ['sessions'];
  /**
   * Every reason ends the sessions, but for the caller's own when they changed their own password: that one moves to
   * the new credential version (it proved the new password by setting it).
   */
  readonly credentials: CredentialHolder[] = [
    {
      kind: 'sessions',
      end: async ({ userId, keepSessionId, credentialVersion, manager }) => {
        if (keepSessionId) await this.sessions.moveToCredentialVersion(keepSessionId, credentialVersion, manager);
        return this.sessions.revokeAllForUser(userId, keepSessionId, manager);
      },
    },
  ];
  readonly exportSections: ExportSection[] = [{ key: 'sessions', order: 50, write: (subject) => this.exportSessions(subject) }];

  constructor(
    private readonly sessions: SessionsService,
    private readonly dataSource: DataSource,
  ) {}

  /** Every session Tessera keeps, revoked ones too, with the parsed device; never a refresh-token hash. */
  private async exportSessions({ profile: { user } }: ExportSubject) {
    const rows: SessionRow[] = await this.dataSource.query(
      `SELECT id, ip_address, user_agent, device_name, created_at, logged_in_at, last_activity, expires_at, revoked_at
         FROM sessions WHERE user_id = $1 ORDER BY created_at, id`,
      [user.id],
    );
    return rows.map((row) => ({
      id: row.id,
      ip_address: row.ip_address,
      user_agent: row.user_agent,
      ...describeUserAgent(row.user_agent),
      device_name: row.device_name,
      created_at: isoOrNull(row.created_at),
      logged_in_at: isoOrNull(row.logged_in_at),
      last_activity: isoOrNull(row.last_activity),
      expires_at: isoOrNull(row.expires_at),
      revoked_at: isoOrNull(row.revoked_at),
    }));
  }
}
