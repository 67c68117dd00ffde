import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ActivityService } from '../activity/activity.service.js';
import { CredentialRevocationService } from '../auth/credential-revocation.service.js';
import type { AuthContext, ClientInfo } from '../common/auth/auth-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { EMAIL_VERIFICATION_TTL_HOURS } from '../mail/mail-templates.js';
import { MailService } from '../mail/mail.service.js';
import { sha256Hex } from '../sessions/session-tokens.js';
import { STATUS_ONCE_VERIFIED, User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { EmailChange } from './email-change.entity.js';
import { newOneTimeToken } from './user-tokens.service.js';

export const INVALID_CANCEL_TOKEN_MESSAGE = 'This email change token is invalid.';

const TTL_SECONDS = EMAIL_VERIFICATION_TTL_HOURS * 3600;

type Addressee = Pick<User, 'id' | 'email' | 'firstName' | 'username'>;

const nameOf = (user: Pick<User, 'firstName' | 'username'>): string => user.firstName ?? user.username;

/**
 * A change of a verified address waits for the new address (CONTRACT §2): the account keeps its current address
 * for login, mail and password reset until the link mailed to the new one is opened, and the current address gets
 * a notice whose link cancels the change and signs out every session. Both tokens are 32 random bytes, stored as
 * SHA-256; the confirmation lives 24 hours and works once.
 */
@Injectable()
export class EmailChangeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly revocation: CredentialRevocationService,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
  ) {}

  /**
   * Stores the change as pending, replacing an earlier one (whose links stop working), on the caller's
   * transaction; returns the mailing to run once it committed.
   */
  async request(auth: AuthContext, newEmail: string, manager: EntityManager): Promise<() => void> {
    const user = auth.user;
    const confirmToken = newOneTimeToken();
    const cancelToken = newOneTimeToken();
    await manager.query(
      `INSERT INTO email_changes (user_id, new_email, confirm_token_hash, cancel_token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
       ON CONFLICT (user_id) DO UPDATE SET new_email = excluded.new_email, confirm_token_hash = excluded.confirm_token_hash,
         cancel_token_hash = excluded.cancel_token_hash, expires_at = excluded.expires_at, created_at = now()`,
      [user.id, newEmail, sha256Hex(confirmToken), sha256Hex(cancelToken), TTL_SECONDS],
    );
    await this.activity.record({ event: 'user:account.email-change-requested', userId: user.id, auth }, manager);
    return () => {
      this.mail.sendEmailChangeConfirmation(newEmail, { token: confirmToken, name: nameOf(user) });
      this.mail.sendEmailChangeRequested(user.email, { token: cancelToken, name: nameOf(user), newEmail });
    };
  }

  /**
   * Applies the pending change whose confirmation token this is: the new address, verified (the link proved it).
   * False when the token is no live confirmation token; 422 when the address was taken meanwhile.
   */
  async confirm(token: string, client: ClientInfo): Promise<boolean> {
    const applied = await this.dataSource.transaction(async (manager) => {
      const [pending] = (await manager.query(
        `WITH spent AS (DELETE FROM email_changes WHERE confirm_token_hash = $1 AND expires_at > now() RETURNING user_id, new_email)
         SELECT user_id, new_email FROM spent`,
        [sha256Hex(token)],
      )) as Array<{ user_id: number; new_email: string }>;
      if (!pending) return null;
      const before = await this.users.getById(pending.user_id, manager);
      // Checked again now: the address may have been taken since the change was asked for (the unique index
      // stays the guard against a race, mapped to the same 422).
      await this.users.assertAvailable({ email: pending.new_email }, before.id, manager);
      await manager
        .createQueryBuilder()
        .update(User)
        .set({
          email: pending.new_email,
          emailVerifiedAt: () => 'now()',
          status: STATUS_ONCE_VERIFIED,
        })
        .where('id = :id', { id: before.id })
        .execute();
      await this.activity.record({ event: 'user:account.email-changed', userId: before.id, actorId: before.id, client }, manager);
      return { before, newEmail: pending.new_email };
    });
    if (!applied) return false;
    this.mail.sendEmailChangedNotice(applied.before.email, { name: nameOf(applied.before), newEmail: applied.newEmail });
    return true;
  }

  /** Drops the pending change named by the cancellation token and signs out every session (the account may be stolen). */
  async cancel(token: string, client: ClientInfo): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [pending] = (await manager.query(
        `WITH dropped AS (DELETE FROM email_changes WHERE cancel_token_hash = $1 RETURNING user_id) SELECT user_id FROM dropped`,
        [sha256Hex(token)],
      )) as Array<{ user_id: number }>;
      if (!pending) throw new DomainError('INVALID_TOKEN', INVALID_CANCEL_TOKEN_MESSAGE);
      const ended = await this.revocation.end(pending.user_id, {}, manager);
      await this.activity.record(
        {
          event: 'user:account.email-change-cancelled',
          userId: pending.user_id,
          actorId: pending.user_id,
          client,
          properties: { revoked_sessions: ended.sessions },
        },
        manager,
      );
    });
  }

  /** Mails the pending change's confirmation link again (a new token; the old link stops working). False when there is none. */
  async resend(user: Addressee): Promise<boolean> {
    const token = newOneTimeToken();
    const [row] = (await this.dataSource.query(
      `WITH renewed AS (
         UPDATE email_changes SET confirm_token_hash = $2, expires_at = now() + make_interval(secs => $3)
          WHERE user_id = $1 AND expires_at > now() RETURNING new_email
       ) SELECT new_email FROM renewed`,
      [user.id, sha256Hex(token), TTL_SECONDS],
    )) as Array<{ new_email: string }>;
    if (!row) return false;
    this.mail.sendEmailChangeConfirmation(row.new_email, { token, name: nameOf(user) });
    return true;
  }

  /** Drops the user's pending change, if any (a password reset: the link proved the current address). */
  async dropForUser(userId: number, manager: EntityManager): Promise<void> {
    await manager.delete(EmailChange, { userId });
  }
}
