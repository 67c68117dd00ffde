import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { ActivityLog } from '../../core/activity/activity-log.entity.js';
import { ActivityService } from '../../core/activity/activity.service.js';
import { AvatarService } from '../avatar/avatar.service.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import type { User } from '../../core/users/user.entity.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { TWO_FACTOR_ERRORS } from '../two-factor/errors.js';
import type { Session } from '../../core/credentials/sessions/session.entity.js';
import { SessionsService } from '../../core/credentials/sessions/sessions.service.js';
import { TwoFactorStateService } from '../two-factor/two-factor-state.service.js';
import { UserProfileService } from '../../core/users/user-profile.service.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import { UsersService } from '../../core/users/users.service.js';
import { PER_PAGE_DEFAULT, type AdminPageQueryDto } from './dto/admin-user.dto.js';
import type { Page } from './pagination.presenter.js';

/**
 * What an admin does to help (or stop) a user: their avatar, a locked-out two-factor, a lost passkey, their sessions
 * and their activity log. The rules are the owning modules'; this service picks the target user, asks the admin's
 * proof before a credential goes, records the admin as actor and tells the user.
 */
@Injectable()
export class AdminUserSecurityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly profiles: UserProfileService,
    private readonly avatars: AvatarService,
    private readonly twoFactor: TwoFactorStateService,
    private readonly sessions: SessionsService,
    private readonly activity: ActivityService,
    private readonly reauthentication: ReauthenticationService,
    private readonly passkeys: PasskeysService,
    private readonly mail: MailService,
    @InjectRepository(ActivityLog) private readonly logs: Repository<ActivityLog>,
    private readonly events: EventsService,
  ) {}

  setExternalAvatar(auth: AuthContext, userId: number, url: string): Promise<UserProfile> {
    return this.avatars.setExternal(auth, url, userId);
  }

  deleteAvatar(auth: AuthContext, userId: number): Promise<UserProfile> {
    return this.avatars.remove(auth, userId);
  }

  /**
   * Turns two-factor off and forgets its secrets, recovery codes and open challenges: the password alone logs in
   * again. A credential change: the admin's proof first, and a notice to the user.
   */
  async resetTwoFactor(auth: AuthContext, userId: number, currentPassword: string | undefined): Promise<UserProfile> {
    const user = await this.users.getById(userId);
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.twoFactor.disable(manager, user.id))) throw new DomainError(TWO_FACTOR_ERRORS.TWO_FACTOR_NOT_ENABLED);
      await this.activity.record(
        { event: 'admin:two-factor.reset', userId: user.id, auth, properties: { method: user.twoFactorMethod } },
        manager,
      );
      await this.events.emit(manager, 'user.two_factor_disabled', { ...userRef(user), method: user.twoFactorMethod ?? 'totp' });
      await this.notify(auth, user, 'two-factor authentication (turned off)', manager);
    });
    return this.profiles.load(user.id);
  }

  /** Removes one of the user's passkeys (a lost or stolen device): the admin's proof first, and a notice to the user. */
  async removePasskey(auth: AuthContext, userId: number, passkeyId: number, currentPassword: string | undefined): Promise<void> {
    const user = await this.users.getById(userId);
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    const passkey = (await this.passkeys.list(user.id)).find((candidate) => candidate.id === passkeyId);
    if (!passkey) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    await this.passkeys.removeForUser(auth, user.id, passkey.id, (manager) => this.notify(auth, user, `passkey “${passkey.name}” (removed)`, manager));
  }

  async listSessions(userId: number): Promise<Session[]> {
    const user = await this.users.getById(userId);
    return this.sessions.listActive(user.id);
  }

  /** Revokes every session of the user; an admin targeting themselves keeps the session they are using. */
  async revokeSessions(auth: AuthContext, userId: number): Promise<void> {
    const user = await this.users.getById(userId);
    const keep = user.id === auth.user.id ? (auth.session?.id ?? null) : null;
    await this.dataSource.transaction(async (manager) => {
      const revoked = await this.sessions.revokeAllForUser(user.id, keep, manager);
      await this.activity.record({ event: 'admin:sessions.revoked', userId: user.id, auth, properties: { count: revoked } }, manager);
    });
  }

  /**
   * Tells the user, at the address of record, what an admin changed (to the outbox, on the change's transaction);
   * an admin's changes to themself go unmailed.
   */
  private async notify(auth: AuthContext, user: User, change: string, manager: EntityManager): Promise<void> {
    if (user.id === auth.user.id) return;
    await this.mail.sendAdminChangedAccount(manager, user.email, { name: user.firstName ?? user.username, changes: [change] });
  }

  /** The user's activity, newest first. */
  async listActivity(userId: number, query: AdminPageQueryDto): Promise<Page<ActivityLog>> {
    const user = await this.users.getById(userId);
    const page = query.page ?? 1;
    const perPage = query.per_page ?? PER_PAGE_DEFAULT;
    const [items, total] = await this.logs
      .createQueryBuilder('a')
      .where('a.user_id = :userId', { userId: user.id })
      .orderBy('a.id', 'DESC')
      .offset((page - 1) * perPage)
      .limit(perPage)
      .getManyAndCount();
    return { items, total, page, perPage };
  }
}
