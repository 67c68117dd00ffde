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
import { WebAuthnChallenge } from './entities/webauthn-challenge.entity.js';
import { PasskeysService } from './passkeys.service.js';

/** Passkeys and their WebAuthn challenges in the account's life. */
@Injectable()
export class PasskeysLifecycle implements LifecycleParticipant {
  readonly name = 'passkeys';
  readonly tables = ['passkeys', 'webauthn_challenges'];
  readonly credentials: CredentialHolder[] = [
    { kind: 'passkeys', end: (ending) => this.endPasskeys(ending), list: (userId, manager) => this.namePasskeys(userId, manager) },
    { kind: 'challenges', end: (ending) => this.dropChallenges(ending) },
  ];
  readonly exportSections: ExportSection[] = [{ key: 'passkeys', order: 70, write: (subject) => this.exportPasskeys(subject) }];

  constructor(private readonly passkeys: PasskeysService) {}

  /**
   * A reset and a reverted email change remove every passkey: one added with a stolen session signs in without the
   * password, so recovery must end it. A password change keeps them (the notice lists them); so do a ban (nobody
   * signs in while it lasts) and a cancelled change.
   */
  private async endPasskeys({ userId, reason, by, manager }: CredentialEnding): Promise<number> {
    if (reason !== 'password-reset' && reason !== 'email-change-reverted') return 0;
    return this.passkeys.removeAllForUser(userId, reason, by, manager);
  }

  /**
   * Every reason drops the open ceremonies naming the user (registrations, sign-ins by username, second factors):
   * one begun before the change must not finish after it. Sign-ins without a username name nobody until the
   * passkey answers; a removed passkey cannot.
   */
  private async dropChallenges({ userId, manager }: CredentialEnding): Promise<number> {
    return (await manager.delete(WebAuthnChallenge, { userId })).affected ?? 0;
  }

  /** Each passkey by its name and when it was added, as a notice lists what keeps working. */
  private async namePasskeys(userId: number, manager: EntityManager): Promise<string[]> {
    const rows: Array<{ name: string; created_at: Date }> = await manager.query(
      `SELECT name, created_at FROM passkeys WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
    return rows.map((row) => `Passkey “${row.name}”, added ${formatDateTime(row.created_at)} UTC`);
  }

  /** Passkeys as `GET /api/me/passkeys` lists them: metadata only (not the credential ID, public key or counter). */
  private async exportPasskeys({ profile: { user } }: ExportSubject) {
    return (await this.passkeys.list(user.id)).map((passkey) => ({
      id: passkey.id,
      name: passkey.name,
      device_type: passkey.deviceType,
      backed_up: passkey.backedUp,
      transports: passkey.transports,
      created_at: isoOrNull(passkey.createdAt),
      last_used_at: isoOrNull(passkey.lastUsedAt),
    }));
  }
}
