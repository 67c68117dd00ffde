import { EventsService } from '../../core/events/events.service.js';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import { AccountLifecycle } from '../../core/lifecycle/account-lifecycle.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { ACCOUNT_DATA_ERRORS } from './errors.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { ADMIN_ROLE_SLUG } from '../../core/users/role.entity.js';
import { UserStatus } from '../../core/users/user.entity.js';
import { UsersService } from '../../core/users/users.service.js';

/** Who asked for the deletion: the account's owner, or an administrator (who is recorded as the actor). */
export type Deleter = { kind: 'self' } | { kind: 'admin'; auth: AuthContext };

interface DeletedAccount {
  id: number;
  username: string;
  email: string;
  first_name: string | null;
  role: string;
}

/**
 * Deleting an account (docs/data.md#deletion `DELETE /api/me`, issue 22), for every family and for the admin route. One
 * transaction: each lifecycle participant's deletion step (the activity log keeps its entries as an audit trail but
 * loses what identifies a person; the avatar's files are scheduled for removal), then the row goes and the tables
 * that refer to it cascade. What a step leaves for after the commit (removing files) runs once it committed.
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reauthentication: ReauthenticationService,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
    private readonly lifecycle: AccountLifecycle,
    private readonly users: UsersService,
    private readonly events: EventsService,
  ) {}

  /** `DELETE /api/client/account`: the password in the body is the proof (400 when wrong). */
  async deleteWithPassword(auth: AuthContext, password: string): Promise<void> {
    await this.reauthentication.verifyPassword(auth, password);
    await this.erase(auth.user.id, { kind: 'self' });
  }

  /** `DELETE /api/me`, `DELETE /api/v1/auth/user`: an optional `current_password`, else a recent sign-in. */
  async deleteWithRecentAuth(auth: AuthContext, currentPassword: string | undefined): Promise<void> {
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    await this.erase(auth.user.id, { kind: 'self' });
  }

  /**
   * Deletes the account and writes the notice to its address to the outbox, in one transaction; then does what the
   * deletion steps left for after the commit.
   */
  async erase(userId: number, by: Deleter): Promise<void> {
    const afterCommit = await this.dataSource.transaction(async (manager) => {
      const account = await this.lockAccount(manager, userId, by);
      // Before the deletion's own entry, which keeps its properties: the activity log's step clears those of the account.
      const afterCommit = await this.lifecycle.erase(userId, manager);
      await this.activity.record(
        by.kind === 'self'
          ? // No IP or user agent: the entry outlives the person it would identify.
            { event: 'user:account.deleted', userId, actorId: null, properties: { user_id: userId } }
          : { event: 'admin:user.deleted', userId: null, auth: by.auth, properties: { user_id: userId, username: account.username } },
        manager,
      );
      // Before the row goes: the event reads the user's uuid.
      await this.events.emitForUser(manager, 'user.deleted', userId, {});
      await this.events.forgetSettledFor(manager, userId);
      await this.users.delete(userId, manager);
      await this.mail.sendAccountDeletedNotice(manager, account.email, {
        name: account.first_name ?? account.username,
        username: account.username,
        byAdministrator: by.kind === 'admin',
      });
      return afterCommit;
    });
    await afterCommit();
  }

  /**
   * Locks the row, and refuses the last administrator deleting itself. An admin's deletion locks every admin row
   * first, in id order: two last admins deleting themselves at once cannot both see the other one still there.
   */
  private async lockAccount(manager: EntityManager, userId: number, by: Deleter): Promise<DeletedAccount> {
    const select = `SELECT u.id, u.username, u.email, u.first_name, r.slug AS role
      FROM users u JOIN roles r ON r.id = u.role_id`;
    const [unlocked]: DeletedAccount[] = await manager.query(`${select} WHERE u.id = $1`, [userId]);
    if (!unlocked) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    if (by.kind === 'self' && unlocked.role === ADMIN_ROLE_SLUG) {
      const admins: { id: number }[] = await manager.query(
        `SELECT u.id FROM users u JOIN roles r ON r.id = u.role_id WHERE r.slug = $1 AND u.status <> $2 ORDER BY u.id FOR UPDATE OF u`,
        [ADMIN_ROLE_SLUG, UserStatus.Banned],
      );
      if (!admins.some((admin) => admin.id !== userId)) throw new DomainError(ACCOUNT_DATA_ERRORS.LAST_ADMIN);
    }
    const [account]: DeletedAccount[] = await manager.query(`${select} WHERE u.id = $1 FOR UPDATE OF u`, [userId]);
    if (!account) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    return account;
  }
}
