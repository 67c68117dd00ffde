import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActivityService } from '../activity/activity.service.js';
import { PasswordService } from '../auth/password.service.js';
import type { ClientInfo } from '../common/auth/auth-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { RateLimiterService, type RateLimitRule } from '../common/rate-limit/rate-limiter.service.js';
import type { AppConfig } from '../config/app-config.js';
import { InjectConfig } from '../config/config.module.js';
import { PASSWORD_RESET_TTL_MINUTES } from '../mail/mail-templates.js';
import { MailService } from '../mail/mail.service.js';
import { sha256Hex } from '../sessions/session-tokens.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import { UserTokensService } from './user-tokens.service.js';

export const REMIND_MESSAGE = 'If the account exists, an email has been sent to the provided address.';
export const INVALID_RESET_TOKEN_MESSAGE = 'This password reset token is invalid.';

export interface PasswordResetInput {
  token: string;
  email: string;
  password: string;
}

/**
 * "Forgot password" (CONTRACT §3, §5): a mailed single-use link that sets a new password. It changes only the
 * password: two-factor still applies at the next login, and a banned user stays banned.
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
    private readonly sessions: SessionsService,
    private readonly activity: ActivityService,
    private readonly rateLimiter: RateLimiterService,
    private readonly mail: MailService,
  ) {
    this.remindByEmail = { name: 'remind-email', points: config.rateLimits.passwordRemindPerHour, durationSeconds: 3600 };
    this.remindByIp = { name: 'remind-ip', points: config.rateLimits.passwordRemindPerIpPerHour, durationSeconds: 3600 };
  }

  /**
   * Mails a reset link when the account exists. The caller learns nothing either way: the same rate limits,
   * the same database statements, and the mail is sent in the background (a mail outage is only logged).
   * Budgeted per client address and per address of record: the address folded as the database compares it
   * (every spelling of one mailbox shares its budget), hashed so no address sits in Redis in the clear.
   */
  async remind(email: string, client: ClientInfo): Promise<void> {
    const addressOfRecord = sha256Hex(await this.users.foldLogin(email));
    await this.rateLimiter.consumeAll([
      { rule: this.remindByIp, key: client.ip },
      { rule: this.remindByEmail, key: addressOfRecord },
    ]);
    const issued = await this.tokens.issueForEmail('password_reset', email, PASSWORD_RESET_TTL_MINUTES * 60);
    if (!issued) return;
    this.mail.sendPasswordReset(issued.email, { token: issued.token, email: issued.email, name: issued.firstName ?? '' });
  }

  /**
   * Spends the token and sets the new password, revoking every session of the user, in one transaction.
   * The token is checked before any argon2 work, so bad tokens cost nothing.
   */
  async reset(input: PasswordResetInput, client: ClientInfo): Promise<void> {
    const spent = await this.dataSource.transaction(async (manager) => {
      const token = await this.tokens.consume('password_reset', input.token, input.email, manager);
      if (!token) throw new DomainError('INVALID_TOKEN', INVALID_RESET_TOKEN_MESSAGE);
      await this.users.setPasswordHash(token.userId, await this.passwords.hash(input.password), manager);
      const revoked = await this.sessions.revokeAllForUser(token.userId, null, manager);
      await this.activity.record(
        { event: 'auth:password-reset', userId: token.userId, actorId: token.userId, client, properties: { sessions_revoked: revoked } },
        manager,
      );
      return token;
    });
    this.mail.sendPasswordChangedNotice(spent.email, { name: spent.firstName ?? '' });
  }
}
