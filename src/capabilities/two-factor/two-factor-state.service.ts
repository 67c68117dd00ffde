import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { User, type TwoFactorMethod } from '../../core/users/user.entity.js';
import { RecoveryCode } from './entities/recovery-code.entity.js';
import { TwoFactorChallenge } from './entities/two-factor-challenge.entity.js';
import { TwoFactorSettings } from './entities/two-factor-settings.entity.js';
import { newRecoveryCode, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';
import { matchTotpStep } from './totp.js';
import { TwoFactorCrypto } from './two-factor-crypto.js';

/**
 * The storage rules both methods share: turning two-factor on and off (one method at a time, decided by a
 * conditional UPDATE so concurrent requests cannot both win), recovery codes, and single-use TOTP codes.
 * Every method takes the caller's transaction.
 */
@Injectable()
export class TwoFactorStateService {
  constructor(private readonly crypto: TwoFactorCrypto) {}

  /** Turns `method` on for a user who has none; false when one is already on. */
  async enable(em: EntityManager, userId: number, method: TwoFactorMethod): Promise<boolean> {
    const query = em
      .createQueryBuilder()
      .update(User)
      .set(method === 'totp' ? { twoFactorMethod: method, twoFactorCountryCode: null, twoFactorPhone: null } : { twoFactorMethod: method })
      .where('id = :userId AND two_factor_method IS NULL', { userId });
    // SMS needs the pending phone the code was sent to.
    if (method === 'sms') query.andWhere('two_factor_phone IS NOT NULL');
    return (await query.execute()).affected === 1;
  }

  /** Turns two-factor off and forgets every secret, code and open challenge; false when it was not on. */
  async disable(em: EntityManager, userId: number): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(User)
      .set({ twoFactorMethod: null, twoFactorCountryCode: null, twoFactorPhone: null, twoFactorRecoveryCodesLeft: 0 })
      .where('id = :userId AND two_factor_method IS NOT NULL', { userId })
      .execute();
    if (result.affected !== 1) return false;
    await em.delete(RecoveryCode, { userId });
    await em.delete(TwoFactorChallenge, { userId });
    await em.delete(TwoFactorSettings, { userId });
    return true;
  }

  /**
   * Forgets everything two-factor of the user: the method that was on (returned, else null), its recovery codes,
   * and any set-up still pending (a TOTP secret, a phone awaiting its code).
   */
  async removeAll(em: EntityManager, userId: number): Promise<TwoFactorMethod | null> {
    const [row] = (await em.query(`SELECT two_factor_method FROM users WHERE id = $1`, [userId])) as Array<{ two_factor_method: TwoFactorMethod | null }>;
    if (await this.disable(em, userId)) return row?.two_factor_method ?? null;
    await em.update(User, { id: userId }, { twoFactorCountryCode: null, twoFactorPhone: null });
    await em.delete(TwoFactorSettings, { userId });
    return null;
  }

  /** Writes the given settings columns, creating the row when the user has none yet. */
  async saveSettings(em: EntityManager, userId: number, values: Partial<Omit<TwoFactorSettings, 'userId' | 'updatedAt'>>): Promise<void> {
    const columns = Object.keys(values).map((key) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
    await em
      .createQueryBuilder()
      .insert()
      .into(TwoFactorSettings)
      .values({ userId, ...values })
      .orUpdate([...columns, 'updated_at'], ['user_id'])
      .execute();
  }

  /** The settings row with its ciphertexts and code hash selected. */
  loadSettings(em: EntityManager, userId: number): Promise<TwoFactorSettings | null> {
    return em
      .getRepository(TwoFactorSettings)
      .createQueryBuilder('s')
      .addSelect(['s.totpSecret', 's.pendingTotpSecret', 's.smsCodeHash'])
      .where('s.user_id = :userId', { userId })
      .getOne();
  }

  /**
   * Accepts a TOTP code of the active secret at most once: its time step must be later than the last accepted
   * one, and the compare-and-set makes two concurrent uses of one code resolve to a single success.
   */
  async acceptTotpCode(em: EntityManager, userId: number, code: string, now = new Date()): Promise<boolean> {
    const settings = await this.loadSettings(em, userId);
    if (!settings?.totpSecret) return false;
    const step = matchTotpStep(this.crypto.decrypt(settings.totpSecret, userId), code, now);
    if (step === null) return false;
    const result = await em
      .createQueryBuilder()
      .update(TwoFactorSettings)
      .set({ totpLastStep: step })
      .where('user_id = :userId AND (totp_last_step IS NULL OR totp_last_step < :step)', { userId, step })
      .execute();
    return result.affected === 1;
  }

  /** Replaces the user's recovery codes with 10 new ones and returns them in clear, once. */
  async issueRecoveryCodes(em: EntityManager, userId: number): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode());
    await em.delete(RecoveryCode, { userId });
    await em.insert(
      RecoveryCode,
      codes.map((code) => ({ userId, codeHash: this.crypto.digest(normalizeRecoveryCode(code)) })),
    );
    await em.update(User, { id: userId }, { twoFactorRecoveryCodesLeft: codes.length });
    return codes;
  }

  /** Spends one recovery code. The `used_at IS NULL` condition lets exactly one of two concurrent uses succeed. */
  async consumeRecoveryCode(em: EntityManager, userId: number, input: string): Promise<boolean> {
    const normalized = normalizeRecoveryCode(input);
    if (normalized.length !== 10) return false;
    const result = await em
      .createQueryBuilder()
      .update(RecoveryCode)
      .set({ usedAt: () => 'now()' })
      .where('user_id = :userId AND code_hash = :hash AND used_at IS NULL', { userId, hash: this.crypto.digest(normalized) })
      .execute();
    if (result.affected !== 1) return false;
    await em
      .createQueryBuilder()
      .update(User)
      .set({ twoFactorRecoveryCodesLeft: () => 'GREATEST(two_factor_recovery_codes_left - 1, 0)' })
      .where('id = :userId', { userId })
      .execute();
    return true;
  }
}
