import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import type { AuthContext, ClientInfo } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { ACCOUNT_RECOVERY_ERRORS } from './errors.js';
import { RateLimiterService, type RateLimitRule } from '../../platform/rate-limit/rate-limiter.service.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { EMAIL_VERIFICATION_TTL_HOURS } from '../../platform/mail/mail-templates.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { STATUS_ONCE_VERIFIED, User } from '../../core/users/user.entity.js';
import { EmailChangeService } from './email-change.service.js';
import { UserTokensService } from './user-tokens.service.js';

/** What sendFor and issueFor need of a user: the address to verify and the name to greet. */
export type VerificationRecipient = Pick<User, 'id' | 'email' | 'firstName'>;

/**
 * Email verification (docs/api/auth.md#verify-an-email-address): a mailed single-use link, valid 24 hours, that sets `email_verified_at`
 * and turns an Unconfirmed account Active. Registration and every email change call `sendFor`.
 */
@Injectable()
export class EmailVerificationService {
  readonly resendByUser: RateLimitRule;
  private readonly signUpAttemptsByUser: RateLimitRule;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tokens: UserTokensService,
    private readonly activity: ActivityService,
    private readonly rateLimiter: RateLimiterService,
    private readonly mail: MailService,
    private readonly emailChanges: EmailChangeService,
  ) {
    // Limited like password reminders: RATE_LIMIT_REMIND_PER_HOUR mails per user and hour.
    this.resendByUser = { name: 'verification-resend', points: config.rateLimits.passwordRemindPerHour, durationSeconds: 3600 };
    this.signUpAttemptsByUser = { name: 'sign-up-attempt-notice', points: config.rateLimits.passwordRemindPerHour, durationSeconds: 3600 };
  }

  /**
   * Registration's mail for an address that already has an account, instead of a refusal that would tell whether it
   * has one: its owner learns that someone tried to sign up with it (no link: there is nothing to confirm). At most
   * RATE_LIMIT_REMIND_PER_HOUR an hour per account; beyond, nothing is sent and the registration answers the same.
   */
  async tellOwnerOfSignUpAttempt(owner: Pick<User, 'id' | 'email' | 'firstName' | 'username'>): Promise<void> {
    const { allowed } = await this.rateLimiter.take(this.signUpAttemptsByUser, String(owner.id));
    // Nothing else is written for it: the notice is a change of its own.
    if (allowed) await this.mail.sendSignUpAttemptNotice(this.dataSource.manager, owner.email, { name: owner.firstName ?? owner.username });
  }

  /** Mails a verification link for `user.email`, replacing any earlier verification token of the user. */
  sendFor(user: VerificationRecipient): Promise<void> {
    return this.dataSource.transaction((manager) => this.issueFor(user, manager));
  }

  /**
   * Issues the token and writes its mail to the outbox, both on the caller's transaction: the link goes out only
   * if the token (and the change that asked for it) committed.
   */
  async issueFor(user: VerificationRecipient, manager: EntityManager): Promise<void> {
    const token = await this.tokens.issueForUser('email_verification', user, EMAIL_VERIFICATION_TTL_HOURS * 3600, manager);
    await this.mail.sendEmailVerification(manager, user.email, { token, name: user.firstName ?? '' });
  }

  /**
   * Spends the token and marks the address verified, provided the user still has the address it was mailed to.
   * Unconfirmed becomes Active; Banned stays Banned. A token that is no verification token may be the confirmation
   * of a pending email change, which is applied then.
   */
  async verify(token: string, client: ClientInfo): Promise<void> {
    const verified = await this.dataSource.transaction(async (manager) => {
      const spent = await this.tokens.consume('email_verification', token, null, manager);
      if (!spent) return false;
      await manager
        .createQueryBuilder()
        .update(User)
        .set({
          emailVerifiedAt: () => 'now()',
          status: STATUS_ONCE_VERIFIED,
        })
        .where('id = :id', { id: spent.userId })
        .execute();
      await this.activity.record({ event: 'auth:email-verified', userId: spent.userId, actorId: spent.userId, client }, manager);
      return true;
    });
    if (verified || (await this.emailChanges.confirm(token, client))) return;
    throw new DomainError(ACCOUNT_RECOVERY_ERRORS.INVALID_VERIFICATION_TOKEN);
  }

  /**
   * Mails the pending email change's confirmation link again; else, for an unverified address, a new verification
   * link; else nothing, and still a success.
   */
  async resend(auth: AuthContext): Promise<void> {
    await this.rateLimiter.consume(this.resendByUser, String(auth.user.id));
    if (await this.emailChanges.resend(auth.user)) return;
    if (auth.user.emailVerifiedAt) return;
    await this.sendFor(auth.user);
  }
}
