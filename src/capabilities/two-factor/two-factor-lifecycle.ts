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
import { TwoFactorChallenge } from './entities/two-factor-challenge.entity.js';

/** Two-factor settings, recovery codes and login challenges in the account's life. */
@Injectable()
export class TwoFactorLifecycle implements LifecycleParticipant {
  readonly name = 'two-factor';
  readonly tables = ['two_factor_settings', 'two_factor_recovery_codes', 'two_factor_challenges'];
  readonly credentials: CredentialHolder = { kind: 'challenges', end: (ending) => this.dropChallenges(ending) };
  readonly exportSections: ExportSection[] = [{ key: 'two_factor', order: 40, write: (subject) => this.exportState(subject) }];

  constructor(private readonly dataSource: DataSource) {}

  /** Every reason drops the open login challenges: one opened with the old password must not complete afterwards. */
  private async dropChallenges({ userId, manager }: CredentialEnding): Promise<number> {
    return (await manager.delete(TwoFactorChallenge, { userId })).affected ?? 0;
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
