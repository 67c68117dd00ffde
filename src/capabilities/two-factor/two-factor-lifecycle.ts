import { EventsService } from '../../core/events/events.service.js';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import {
  isoOrNull,
  type CredentialEnding,
  type CredentialHolder,
  type ExportSection,
  type ExportSubject,
  type LifecycleParticipant,
} from '../../core/lifecycle/account-lifecycle.js';
import type { TwoFactorMethod } from '../../core/users/user.entity.js';
import { TwoFactorChallenge } from './entities/two-factor-challenge.entity.js';
import { TwoFactorStateService } from './two-factor-state.service.js';

/** Two-factor settings, recovery codes and login challenges in the account's life. */
@Injectable()
export class TwoFactorLifecycle implements LifecycleParticipant {
  readonly name = 'two-factor';
  readonly tables = ['two_factor_settings', 'two_factor_recovery_codes', 'two_factor_challenges'];
  readonly credentials: CredentialHolder[] = [
    { kind: 'challenges', end: (ending) => this.dropChallenges(ending) },
    { kind: 'twoFactor', end: (ending) => this.endTwoFactor(ending), list: (userId, manager) => this.nameTwoFactor(userId, manager) },
  ];
  readonly exportSections: ExportSection[] = [{ key: 'two_factor', order: 40, write: (subject) => this.exportState(subject) }];

  constructor(
    private readonly dataSource: DataSource,
    private readonly state: TwoFactorStateService,
    private readonly activity: ActivityService,
    private readonly events: EventsService,
  ) {}

  /** Every reason drops the open login challenges: one opened with the old password must not complete afterwards. */
  private async dropChallenges({ userId, manager }: CredentialEnding): Promise<number> {
    return (await manager.delete(TwoFactorChallenge, { userId })).affected ?? 0;
  }

  /**
   * Two-factor protects the owner, so recovery keeps it, but for a reset that proves the address for the first
   * time: then whoever turned it on had not proven the address (whoever registered first on it, perhaps), and a
   * second factor of theirs would lock the owner out. It goes, recovery codes and pending set-up included.
   */
  private async endTwoFactor({ userId, reason, addressFirstProven, by, manager }: CredentialEnding): Promise<number> {
    if (reason !== 'password-reset' || !addressFirstProven) return 0;
    const method = await this.state.removeAll(manager, userId);
    if (!method) return 0;
    await this.activity.record({ event: 'user:two-factor.delete', userId, ...by, properties: { method, reason } }, manager);
    await this.events.emitForUser(manager, 'user.two_factor_disabled', userId, { method });
    return 1;
  }

  /** The method that is on and the recovery codes left, as a notice lists what keeps working. */
  private async nameTwoFactor(userId: number, manager: EntityManager): Promise<string[]> {
    const [row] = (await manager.query(`SELECT two_factor_method, two_factor_recovery_codes_left FROM users WHERE id = $1`, [userId])) as Array<{
      two_factor_method: TwoFactorMethod | null;
      two_factor_recovery_codes_left: number;
    }>;
    if (!row?.two_factor_method) return [];
    const method = row.two_factor_method === 'totp' ? 'an authenticator app' : 'text message';
    return [`Two-factor authentication by ${method}, with ${row.two_factor_recovery_codes_left} unused recovery codes`];
  }

  /** Method, phone and dates; never the TOTP secret, an SMS code or a recovery code (nor their hashes). */
  private async exportState({ profile: { user, twoFactor } }: ExportSubject) {
    const [dates] = await this.dataSource.query(
      `SELECT (SELECT updated_at FROM two_factor_settings WHERE user_id = $1) AS settings_updated_at,
              (SELECT max(created_at) FROM two_factor_recovery_codes WHERE user_id = $1) AS recovery_codes_issued_at`,
      [user.id],
    );
    return {
      enabled: twoFactor?.enabled ?? false,
      method: twoFactor?.method ?? null,
      pending_method: twoFactor?.pending_method ?? null,
      phone: user.twoFactorPhone ? { country_code: user.twoFactorCountryCode, number: user.twoFactorPhone } : null,
      recovery_codes_left: user.twoFactorRecoveryCodesLeft,
      recovery_codes_issued_at: isoOrNull(dates.recovery_codes_issued_at),
      updated_at: isoOrNull(dates.settings_updated_at),
    };
  }
}
