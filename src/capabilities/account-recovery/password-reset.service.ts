import { EventsService } from '../../core/events/events.service.js';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import { PasswordPolicyService } from '../../core/credentials/password-policy.service.js';
import { AccountLifecycle } from '../../core/lifecycle/account-lifecycle.js';
import { PasswordService } from '../../core/credentials/password.service.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { ACCOUNT_RECOVERY_ERRORS } from './errors.js';
import { RateLimiterService, type RateLimitRule } from '../../platform/rate-limit/rate-limiter.service.js';
import { addressKey } from '../../platform/rate-limit/client-address.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { PASSWORD_RESET_TTL_MINUTES } from '../../platform/mail/mail-templates.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { sha256Hex } from '../../core/credentials/sessions/session-tokens.js';
import { STATUS_ONCE_VERIFIED, User } from '../../core/users/user.entity.js';
import { UsersService } from '../../core/users/users.service.js';
import { UserTokensService } from './user-tokens.service.js';

export const REMIND_MESSAGE = 'If the account exists, an email has been sent to the provided address.';

export interface PasswordResetInput {
  token: string;
  email: string;
  password: string;
}

/**
 * "Forgot password": a mailed single-use link that sets a new password and ends every other way into the account
 * (see reset()). Two-factor still applies at the next login, unless this reset is the first proof of the address;
 * a banned user stays banned.
 */
@Injectable()
export class PasswordResetService {
  readonly remindByEmail: RateLimitRule;
  readonly remindByIp: RateLimitRule;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tokens: UserTokensService,
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly passwordPolicy: PasswordPolicyService,
    private readonly lifecycle: AccountLifecycle,
    private readonly activity: ActivityService,
    private readonly rateLimiter: RateLimiterService,
    private readonly mail: MailService,
    private readonly events: EventsService,
  ) {
    this.remindByEmail = { name: 'remind-email', points: config.rateLimits.passwordRemindPerHour, durationSeconds: 3600 };
    this.remindByIp = { name: 'remind-ip', points: config.rateLimits.passwordRemindPerIpPerHour, durationSeconds: 3600 };
  }

  /**
   * Mails a reset link when the account exists. The caller learns nothing either way: the same rate limits,
   * the same statements until the token exists; the mail is written to the outbox in the token's transaction and
   * sent by the outbox workers (a mail outage delays it, the caller never waits for it).
   * Budgeted per client address and per address of record: the address folded as the database compares it
   * (every spelling of one mailbox shares its budget), hashed so no address sits in Redis in the clear.
   */
  async remind(email: string, client: ClientInfo): Promise<void> {
    const addressOfRecord = sha256Hex(await this.users.foldLogin(email));
    await this.rateLimiter.consumeAll([
      { rule: this.remindByIp, key: addressKey(client.ip) },
      { rule: this.remindByEmail, key: addressOfRecord },
    ]);
    await this.dataSource.transaction(async (manager) => {
      const issued = await this.tokens.issueForEmail('password_reset', email, PASSWORD_RESET_TTL_MINUTES * 60, manager);
      if (issued) await this.mail.sendPasswordReset(manager, issued.email, { token: issued.token, email: issued.email, name: issued.firstName ?? '' });
    });
  }

  /**
   * Spends the token and sets the new password in one transaction, and ends every other way in through the lifecycle
   * registry: every session, API key and passkey, open two-factor and WebAuthn challenges, any pending email change;
   * two-factor too when the link proves the address for the first time (whoever set it up had not proven it). The
   * link proved the address, so it is marked verified. The notice says what ended and what keeps working. The token
   * is checked before any argon2 work, so bad tokens cost nothing.
   */
  async reset(input: PasswordResetInput, client: ClientInfo): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await this.tokens.consume('password_reset', input.token, input.email, manager);
      if (!token) throw new DomainError(ACCOUNT_RECOVERY_ERRORS.INVALID_RESET_TOKEN);
      const userId = token.userId;
      // A refused password rolls the transaction back: the token stays usable for a better one.
      await this.passwordPolicy.assertAcceptable(input.password, await this.users.getById(userId, manager));
      const [{ verified_before: verifiedBefore }] = (await manager.query(`SELECT email_verified_at IS NOT NULL AS verified_before FROM users WHERE id = $1`, [
        userId,
      ])) as Array<{ verified_before: boolean }>;
      await manager
        .createQueryBuilder()
        .update(User)
        .set({
          password: await this.passwords.hash(input.password),
          emailVerifiedAt: () => 'COALESCE(email_verified_at, now())',
          status: STATUS_ONCE_VERIFIED,
        })
        .where('id = :userId', { userId })
        .execute();
      await this.events.emitForUser(manager, 'user.password_changed', userId, { changes: { password: null } });
      const ended = await this.lifecycle.end(userId, 'password-reset', manager, {
        by: { client, actorId: userId },
        addressFirstProven: !verifiedBefore,
      });
      await this.activity.record(
        {
          event: 'auth:password-reset',
          userId,
          actorId: userId,
          client,
          properties: {
            sessions_revoked: ended.sessions,
            api_keys_revoked: ended.apiKeys,
            passkeys_removed: ended.passkeys,
            challenges_dropped: ended.challenges,
            two_factor_removed: ended.twoFactor > 0,
            email_change_dropped: ended.emailChanges > 0,
            email_verified: !verifiedBefore,
          },
        },
        manager,
      );
      await this.mail.sendPasswordResetNotice(manager, token.email, {
        name: token.firstName ?? '',
        ended,
        kept: await this.lifecycle.remaining(userId, manager),
        addressVerified: !verifiedBefore,
      });
    });
  }
}
