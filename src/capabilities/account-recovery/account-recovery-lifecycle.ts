import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isoOrNull, type ExportSection, type ExportSubject, type LifecycleParticipant } from '../../core/lifecycle/account-lifecycle.js';

/** Mailed one-time links and pending email changes in the account's life (both go with the user row). */
@Injectable()
export class AccountRecoveryLifecycle implements LifecycleParticipant {
  readonly name = 'account-recovery';
  readonly tables = ['user_tokens', 'email_changes'];
  readonly exportSections: ExportSection[] = [{ key: 'one_time_links', order: 80, write: (subject) => this.exportLinks(subject) }];

  constructor(private readonly dataSource: DataSource) {}

  /** Mailed links (password reset, email verification): the address they went to and their dates, not the token. */
  private async exportLinks({ profile: { user } }: ExportSubject) {
    const rows: { purpose: string; email: string; created_at: Date; expires_at: Date; used_at: Date | null }[] = await this.dataSource.query(
      `SELECT purpose, email, created_at, expires_at, used_at FROM user_tokens WHERE user_id = $1 ORDER BY created_at, id`,
      [user.id],
    );
    return rows.map((row) => ({
      purpose: row.purpose,
      email: row.email,
      created_at: isoOrNull(row.created_at),
      expires_at: isoOrNull(row.expires_at),
      used_at: isoOrNull(row.used_at),
    }));
  }
}
