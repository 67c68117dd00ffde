import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { Repository } from 'typeorm';
import type { AppConfig } from '../../../platform/config/app-config.js';
import { InjectConfig } from '../../../platform/config/config.module.js';
import { sha256Hex } from '../sessions/session-tokens.js';
import { DeviceToken } from './device-token.entity.js';

export const DEVICE_TOKEN_TTL_DAYS = 90;
/** 32 random bytes, base64url. */
const DEVICE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const EXPIRY = `now() + interval '${DEVICE_TOKEN_TTL_DAYS} days'`;

/**
 * Device tokens: every sign-in answers one (`device_token`), bound to the account. A device that sends it back
 * (`X-Device-Token`) on a later sign-in is judged on its own failures only, never stopped by the lock-out others'
 * failures set on the account. It opens nothing by itself: the password or passkey is still needed.
 */
@Injectable()
export class DeviceTokensService {
  constructor(
    @InjectRepository(DeviceToken) private readonly tokens: Repository<DeviceToken>,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * The id of `token` when it is a live device token of `userId`; null when none was sent, or it is malformed,
   * expired or another account's. A well-formed token is looked up for an unknown account too (`userId` null), so
   * the answer takes as long either way.
   */
  async recognise(userId: number | null, token: string | undefined): Promise<number | null> {
    if (token === undefined || !DEVICE_TOKEN_PATTERN.test(token)) return null;
    const row = await this.tokens
      .createQueryBuilder('d')
      .select('d.id')
      .where('d.token_hash = :hash AND d.user_id = :userId AND d.expires_at > now()', { hash: sha256Hex(token), userId: userId ?? 0 })
      .getOne();
    return row?.id ?? null;
  }

  /**
   * The device token a sign-in of `userId` answers: the one the device sent, when it is a live one of the account
   * (its 90 days start again), else a new one. An account keeps its MAX_SESSIONS_PER_USER most recently used.
   */
  async issue(userId: number, presented: string | undefined): Promise<string> {
    if (presented !== undefined && DEVICE_TOKEN_PATTERN.test(presented)) {
      const renewed = await this.tokens
        .createQueryBuilder()
        .update(DeviceToken)
        .set({ expiresAt: () => EXPIRY })
        .where('token_hash = :hash AND user_id = :userId AND expires_at > now()', { hash: sha256Hex(presented), userId })
        .execute();
      if (renewed.affected === 1) return presented;
    }
    const token = randomBytes(32).toString('base64url');
    await this.tokens
      .createQueryBuilder()
      .insert()
      .into(DeviceToken)
      .values({ userId, tokenHash: sha256Hex(token), expiresAt: () => EXPIRY })
      .execute();
    // Expired tokens go, and past the bound the least recently used: sign-ins cannot grow the table without end.
    await this.tokens
      .createQueryBuilder()
      .delete()
      .from(DeviceToken)
      .where(
        `user_id = :userId AND (expires_at <= now() OR id IN (
           SELECT id FROM device_tokens WHERE user_id = :userId ORDER BY expires_at DESC, id DESC OFFSET :keep))`,
        { userId, keep: this.config.maxSessionsPerUser },
      )
      .execute();
    return token;
  }
}
