import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import { AccountLifecycle } from '../../core/lifecycle/account-lifecycle.js';
import { PasswordService } from '../../core/credentials/password.service.js';
import type { AuthContext, ClientInfo } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { ACCOUNT_RECOVERY_ERRORS } from './errors.js';
import { EMAIL_CHANGE_REVERT_DAYS, EMAIL_VERIFICATION_TTL_HOURS, PASSWORD_RESET_TTL_MINUTES } from '../../platform/mail/mail-templates.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { sha256Hex } from '../../core/credentials/sessions/session-tokens.js';
import { STATUS_ONCE_VERIFIED, User } from '../../core/users/user.entity.js';
import { UsersService } from '../../core/users/users.service.js';
import { EmailChange } from './email-change.entity.js';
import { newOneTimeToken, UserTokensService } from './user-tokens.service.js';

const CONFIRM_TTL_SECONDS = EMAIL_VERIFICATION_TTL_HOURS * 3600;
const REVERT_WINDOW_SECONDS = EMAIL_CHANGE_REVERT_DAYS * 86_400;

type Addressee = Pick<User, 'id' | 'email' | 'firstName' | 'username'>;

const nameOf = (user: Pick<User, 'firstName' | 'username'>): string => user.firstName ?? user.username;

interface ChangeRow {
  id: string;
  user_id: number;
  old_email: string;
  new_email: string;
  confirmed: boolean;
}

/**
 * A change of a verified address waits for the new address (docs/security.md#pending-email-change-and-revert): the account keeps its current address
 * for login, mail and password reset until the link mailed to the new one is opened, and the current address gets
 * a notice whose link cancels the change and signs out every session. Both tokens are 32 random bytes, stored as
 * SHA-256; the confirmation lives 24 hours and works once.
 *
 * The cancel link keeps working for EMAIL_CHANGE_REVERT_DAYS after a confirmation, and then undoes it: whoever held
 * a fresh session could confirm an address of their own within seconds, faster than the owner reads the notice. A
 * revert is a recovery: the previous address comes back verified, the password is scrambled, every credential the
 * lifecycle registry ends for a revert ends, and a reset link goes to the restored address. One change is in
 * progress at a time (pending, or confirmed and still revertible), so the previous address is the owner's.
 */
@Injectable()
export class EmailChangeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly tokens: UserTokensService,
    private readonly lifecycle: AccountLifecycle,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
    private readonly events: EventsService,
  ) {}

  /**
   * One change at a time: while a change waits for its confirmation, or was confirmed and can still be reverted, a
   * new address is refused (422 on `email`). Otherwise the owner could move the address on from one of their own,
   * and the cancel link of that later change would restore an address that is not the owner's. On the caller's
   * transaction, with the user's row locked first, so that of concurrent requests only one passes.
   */
  async assertNoneInProgress(userId: number, manager: EntityManager): Promise<void> {
    await manager.query(`SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, [userId]);
    // A statement of its own, after the lock: it sees what a request that held the lock before committed.
    const inProgress: unknown[] = await manager.query(
      `SELECT 1 FROM email_changes
        WHERE user_id = $1 AND CASE WHEN confirmed_at IS NULL THEN expires_at > now() ELSE revert_until > now() END
        LIMIT 1`,
      [userId],
    );
    if (inProgress.length > 0) throw new DomainError(ACCOUNT_RECOVERY_ERRORS.EMAIL_CHANGE_IN_PROGRESS);
  }

  /**
   * Stores the change as pending, on the caller's transaction (which checked assertNoneInProgress), replacing a
   * pending change whose confirmation link expired; both mails go to the outbox on the same transaction.
   */
  async request(auth: AuthContext, newEmail: string, manager: EntityManager): Promise<void> {
    const user = auth.user;
    const confirmToken = newOneTimeToken();
    const cancelToken = newOneTimeToken();
    await manager.query(
      `INSERT INTO email_changes (user_id, old_email, new_email, confirm_token_hash, cancel_token_hash, expires_at, revert_until)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), now() + make_interval(secs => $7))
       ON CONFLICT (user_id) WHERE confirmed_at IS NULL
       DO UPDATE SET old_email = excluded.old_email, new_email = excluded.new_email, confirm_token_hash = excluded.confirm_token_hash,
         cancel_token_hash = excluded.cancel_token_hash, expires_at = excluded.expires_at, revert_until = excluded.revert_until, created_at = now()`,
      [user.id, user.email, newEmail, sha256Hex(confirmToken), sha256Hex(cancelToken), CONFIRM_TTL_SECONDS, REVERT_WINDOW_SECONDS],
    );
    await this.activity.record({ event: 'user:account.email-change-requested', userId: user.id, auth }, manager);
    await this.mail.sendEmailChangeConfirmation(manager, newEmail, { token: confirmToken, name: nameOf(user) });
    await this.mail.sendEmailChangeRequested(manager, user.email, { token: cancelToken, name: nameOf(user), newEmail });
  }

  /**
   * Applies the pending change whose confirmation token this is: the new address, verified (the link proved it).
   * False when the token is no live confirmation token; 422 when the address was taken meanwhile (the change stays
   * pending then).
   */
  async confirm(token: string, client: ClientInfo): Promise<boolean> {
    const applied = await this.dataSource.transaction(async (manager) => {
      const [pending] = (await manager.query(
        `WITH confirmed AS (
           UPDATE email_changes SET confirmed_at = now()
            WHERE confirm_token_hash = $1 AND confirmed_at IS NULL AND expires_at > now()
           RETURNING user_id, new_email
         ) SELECT user_id, new_email FROM confirmed`,
        [sha256Hex(token)],
      )) as Array<{ user_id: number; new_email: string }>;
      if (!pending) return false;
      const before = await this.users.getById(pending.user_id, manager);
      // Checked again now: the address may have been taken since the change was asked for (the unique index
      // stays the guard against a race, mapped to the same 422).
      await this.users.assertAvailable({ email: pending.new_email }, before.id, manager);
      await manager
        .createQueryBuilder()
        .update(User)
        .set({ email: pending.new_email, emailVerifiedAt: () => 'now()', status: STATUS_ONCE_VERIFIED })
        .where('id = :id', { id: before.id })
        .execute();
      await this.activity.record({ event: 'user:account.email-changed', userId: before.id, actorId: before.id, client }, manager);
      await this.events.emit(manager, 'user.email_changed', { ...userRef(before), changes: { email: pending.new_email } });
      await this.mail.sendEmailChangedNotice(manager, before.email, { name: nameOf(before), newEmail: pending.new_email });
      return true;
    });
    return applied;
  }

  /**
   * The cancel link: drops a pending change and signs out every session; undoes a confirmed one within its revert
   * window (see the class comment). 400 for any other token; 422 when the previous address was taken meanwhile.
   */
  async cancel(token: string, client: ClientInfo): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [change] = (await manager.query(
        `SELECT id, user_id, old_email, new_email, confirmed_at IS NOT NULL AS confirmed FROM email_changes
          WHERE cancel_token_hash = $1 AND (confirmed_at IS NULL OR revert_until > now()) FOR UPDATE`,
        [sha256Hex(token)],
      )) as ChangeRow[];
      if (!change) throw new DomainError(ACCOUNT_RECOVERY_ERRORS.INVALID_CANCEL_TOKEN);
      await (change.confirmed ? this.revert(change, client, manager) : this.drop(change, client, manager));
    });
  }

  /** Mails the pending change's confirmation link again (a new token; the old link stops working). False when there is none. */
  async resend(user: Addressee): Promise<boolean> {
    const token = newOneTimeToken();
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `WITH renewed AS (
           UPDATE email_changes SET confirm_token_hash = $2, expires_at = now() + make_interval(secs => $3)
            WHERE user_id = $1 AND confirmed_at IS NULL AND expires_at > now() RETURNING new_email
         ) SELECT new_email FROM renewed`,
        [user.id, sha256Hex(token), CONFIRM_TTL_SECONDS],
      )) as Array<{ new_email: string }>;
      if (!row) return false;
      await this.mail.sendEmailChangeConfirmation(manager, row.new_email, { token, name: nameOf(user) });
      return true;
    });
  }

  /**
   * Drops the user's pending change, if any (how many: 0 or 1): a password reset (its link proved the current
   * address) or an address an admin set. Confirmed changes keep their revert window.
   */
  async dropPending(userId: number, manager: EntityManager): Promise<number> {
    return (await manager.delete(EmailChange, { userId, confirmedAt: IsNull() })).affected ?? 0;
  }

  private async drop(change: ChangeRow, client: ClientInfo, manager: EntityManager): Promise<void> {
    await manager.delete(EmailChange, { id: change.id });
    const ended = await this.lifecycle.end(change.user_id, 'email-change-cancelled', manager);
    await this.activity.record(
      {
        event: 'user:account.email-change-cancelled',
        userId: change.user_id,
        actorId: change.user_id,
        client,
        properties: { revoked_sessions: ended.sessions },
      },
      manager,
    );
  }

  /**
   * Undoes every change of the revert window, whichever of them the link belongs to: the address restored is the one
   * the account had before the first of them. Only one change at a time is let in, but a chain made before that rule
   * (a1, then a1 → a2, whose cancel link went to a1) must not hand the account to a1.
   */
  private async revert(change: ChangeRow, client: ClientInfo, manager: EntityManager): Promise<void> {
    const userId = change.user_id;
    const [{ old_email: restoredEmail }] = (await manager.query(
      `SELECT old_email FROM email_changes
        WHERE user_id = $1 AND confirmed_at IS NOT NULL AND revert_until > now()
        ORDER BY confirmed_at, id LIMIT 1`,
      [userId],
    )) as Array<{ old_email: string }>;
    const taken = await this.users.getById(userId, manager);
    await this.users.assertAvailable({ email: restoredEmail }, userId, manager);
    await manager
      .createQueryBuilder()
      .update(User)
      .set({
        email: restoredEmail,
        emailVerifiedAt: () => 'now()',
        status: STATUS_ONCE_VERIFIED,
        // Nobody knows this password: whoever changed the address may have set the last one.
        password: await this.passwords.hash(randomBytes(32).toString('base64url')),
      })
      .where('id = :userId', { userId })
      .execute();
    await this.events.emit(manager, 'user.email_changed', { ...userRef(taken), changes: { email: restoredEmail } });
    await this.events.emit(manager, 'user.password_changed', { ...userRef(taken), changes: { password: null } });
    const ended = await this.lifecycle.end(userId, 'email-change-reverted', manager, { by: { client, actorId: userId } });
    // Every change goes with it, those of the window and any older ones.
    await manager.delete(EmailChange, { userId });
    const user = { ...taken, email: restoredEmail };
    const resetToken = await this.tokens.issueForUser('password_reset', user, PASSWORD_RESET_TTL_MINUTES * 60, manager);
    await this.activity.record(
      {
        event: 'user:account.email-change-reverted',
        userId,
        actorId: userId,
        client,
        properties: { revoked_sessions: ended.sessions, api_keys_revoked: ended.apiKeys },
      },
      manager,
    );
    await this.mail.sendEmailChangeReverted(manager, user.email, { name: nameOf(user), revertedEmail: taken.email });
    await this.mail.sendPasswordReset(manager, user.email, { token: resetToken, email: user.email, name: user.firstName ?? '' });
  }
}
