import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  isoOrNull,
  type CredentialEnding,
  type CredentialHolder,
  type ExportSection,
  type ExportSubject,
  type LifecycleParticipant,
} from '../../core/lifecycle/account-lifecycle.js';
import { formatDateTime } from '../../platform/format/dates.js';
import { IdentitiesService } from './identities.service.js';
import { OAuthFlows } from './oauth-flows.service.js';

/** Linked identities, open link flows and unspent sign-in codes in the account's life. */
@Injectable()
export class IdentitiesLifecycle implements LifecycleParticipant {
  readonly name = 'identities';
  readonly tables = ['identities', 'oauth_flows', 'oauth_sign_in_codes'];
  readonly credentials: CredentialHolder[] = [
    { kind: 'identities', end: (ending) => this.unlinkAll(ending), list: (userId, manager) => this.nameIdentities(userId, manager) },
    { kind: 'challenges', end: (ending) => this.flows.dropForUser(ending.userId, ending.manager) },
  ];
  readonly exportSections: ExportSection[] = [{ key: 'identities', order: 75, write: (subject) => this.exportIdentities(subject) }];

  constructor(
    private readonly identities: IdentitiesService,
    private readonly flows: OAuthFlows,
  ) {}

  /**
   * A reset and a reverted email change unlink every identity: one linked with a stolen session signs in without
   * the password, so recovery must end it. A password change keeps them (the notice lists them); so do a ban
   * (nobody signs in while it lasts) and a cancelled change. Every reason drops open link flows and unspent codes.
   */
  private async unlinkAll({ userId, reason, by, manager }: CredentialEnding): Promise<number> {
    if (reason !== 'password-reset' && reason !== 'email-change-reverted') return 0;
    return this.identities.removeAllForUser(userId, reason, by, manager);
  }

  private async nameIdentities(userId: number, manager: EntityManager): Promise<string[]> {
    const rows: Array<{ provider: string; email: string | null; created_at: Date }> = await manager.query(
      `SELECT provider, email, created_at FROM identities WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
    return rows.map((row) => `Sign-in with ${row.provider}${row.email ? ` (${row.email})` : ''}, linked ${formatDateTime(row.created_at)} UTC`);
  }

  /** Identities as `GET /api/me/identities` lists them, with the issuer: never a subject's token (none is kept). */
  private async exportIdentities({ profile: { user } }: ExportSubject) {
    return (await this.identities.list(user.id)).map((identity) => ({
      id: identity.id,
      provider: identity.provider,
      issuer: identity.issuer,
      email: identity.email,
      created_at: isoOrNull(identity.createdAt),
      last_used_at: isoOrNull(identity.lastUsedAt),
    }));
  }
}
