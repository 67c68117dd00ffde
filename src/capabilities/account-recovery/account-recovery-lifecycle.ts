import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  isoOrNull,
  type CredentialEnding,
  type CredentialHolder,
  type ExportSection,
  type ExportSubject,
  type LifecycleParticipant,
} from '../../core/lifecycle/account-lifecycle.js';
import { EmailChangeService } from './email-change.service.js';

/** Mailed one-time links and pending email changes in the account's life (both go with the user row). */
@Injectable()
export class AccountRecoveryLifecycle implements LifecycleParticipant {
  readonly name = 'account-recovery';
  readonly tables = ['user_tokens', 'email_changes'];
  readonly credentials: CredentialHolder[] = [{ kind: 'emailChanges', end: (ending) => this.dropPendingChange(ending) }];
  readonly exportSections: ExportSection[] = [{ key: 'one_time_links', order: 80, write: (subject) => this.exportLinks(subject) }];

  constructor(
    private readonly dataSource: DataSource,
    private readonly emailChanges: EmailChangeService,
  ) {}

  /**
   * A reset drops the change still waiting for its new address: the reset link proved the current one, and whoever
   * asked for the change may not be its owner. A confirmed change keeps its revert window.
   */
  private async dropPendingChange({ userId, reason, manager }: CredentialEnding): Promise<number> {
    return reason === 'password-reset' ? this.emailChanges.dropPending(userId, manager) : 0;
  }

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
