import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import { assertAddressProven } from '../../core/credentials/new-credential.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';
import type { Actor, AuthContext } from '../../core/users/auth-context.js';
import type { User } from '../../core/users/user.entity.js';
import { UsersService } from '../../core/users/users.service.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { Identity } from './entities/identity.entity.js';
import { IDENTITY_ERRORS } from './errors.js';
import { IdentityProviders, type ProviderAccount } from './identity-providers.service.js';
import { OAuthFlows } from './oauth-flows.service.js';
import { allowedReturnUrl } from './return-urls.js';

/** Why every identity of a user was unlinked at once. */
export type IdentityRevocationReason = 'password-reset' | 'email-change-reverted';

/**
 * Linked identities as credentials (docs/api/identities.md): linking needs the proof rule and a proven address and
 * is mailed and logged; unlinking needs the proof rule and leaves the account another way in; a recovery unlinks
 * them all; admins list and unlink them.
 */
@Injectable()
export class IdentitiesService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectRepository(Identity) private readonly identities: Repository<Identity>,
    private readonly providers: IdentityProviders,
    private readonly flows: OAuthFlows,
    private readonly reauthentication: ReauthenticationService,
    private readonly users: UsersService,
    private readonly activity: ActivityService,
    private readonly mail: MailService,
    private readonly events: EventsService,
  ) {}

  /** `return_to` normalised when allowed (default: FRONTEND_URL's origin); 422 on `return_to` otherwise. */
  returnTo(candidate: string | undefined): string {
    const allowed = allowedReturnUrl(candidate ?? new URL(this.config.frontendUrl).origin, this.config.oauth.returnUrls);
    if (allowed === null) throw new DomainError(IDENTITY_ERRORS.RETURN_TO_NOT_ALLOWED);
    return allowed;
  }

  /**
   * The URL that links `provider` to the caller when opened in their browser: a single-use ticket (10 minutes) at
   * the account's credential version now. Proof rule, API keys refused, a proven address.
   */
  async linkUrl(auth: AuthContext, providerId: string, currentPassword: string | undefined, returnTo: string | undefined): Promise<string> {
    const provider = this.providers.get(providerId);
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    assertAddressProven(auth);
    const target = this.returnTo(returnTo);
    const ticket = await this.flows.createLinkTicket(provider.id, auth.user.id, target);
    const authorize = new URL(`${this.config.appUrl.replace(/\/+$/, '')}/api/oauth/${provider.id}/authorize`);
    authorize.searchParams.set('link_ticket', ticket);
    return authorize.href;
  }

  /** A user's identities, oldest first. */
  list(userId: number): Promise<Identity[]> {
    return this.identities.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The identity of (issuer, subject), with its user's credential version read in the same statement. */
  async findByProviderAccount(account: ProviderAccount, manager: EntityManager): Promise<{ identity: Identity; credentialVersion: number } | null> {
    const [row] = (await manager.query(
      `SELECT i.id, i.user_id, u.credential_version FROM identities i JOIN users u ON u.id = i.user_id WHERE i.issuer = $1 AND i.subject = $2`,
      [account.issuer, account.subject],
    )) as Array<{ id: number; user_id: number; credential_version: number }>;
    if (!row) return null;
    const identity = await manager.getRepository(Identity).findOneByOrFail({ id: row.id });
    return { identity, credentialVersion: row.credential_version };
  }

  /**
   * Links the provider's account to `user` on the caller's transaction (the user row locked by the caller): the
   * activity entry and the owner's notice commit with it. `auth` is who linked it (the owner's browser).
   */
  async link(user: User, providerId: string, account: ProviderAccount, by: Actor, manager: EntityManager): Promise<Identity> {
    const provider = this.providers.get(providerId);
    const identity = await manager.getRepository(Identity).save(
      manager.getRepository(Identity).create({ userId: user.id, provider: provider.id, issuer: account.issuer, subject: account.subject, email: account.email, lastUsedAt: null }),
    );
    await this.activity.record({ event: 'user:identity.linked', userId: user.id, ...by, properties: { identity_id: identity.id, provider: provider.id } }, manager);
    await this.events.emit(manager, 'user.identity_linked', { ...userRef(user), provider: provider.id, identity_id: String(identity.id) });
    const client = by.auth?.client ?? by.client ?? { ip: '', userAgent: '' };
    await this.mail.sendCredentialAddedNotice(manager, user.email, {
      name: user.firstName ?? user.username,
      added: { kind: 'identity', provider: provider.name, email: account.email },
      at: new Date(),
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return identity;
  }

  /** Unlinks one of the caller's identities (proof rule), unless it is their only way to sign in; another user's is 404. */
  async unlink(auth: AuthContext, identityId: number, currentPassword: string | undefined): Promise<void> {
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    await this.remove(auth, auth.user.id, identityId, 'user:identity.unlinked');
  }

  /** An admin's view of a user's identities (404 for an unknown user). */
  async listForUser(userId: number): Promise<Identity[]> {
    const user = await this.users.getById(userId);
    return this.list(user.id);
  }

  /**
   * An admin unlinks a user's identity (the admin's proof first); the last-way-in rule holds here too, so an
   * admin never strands an account. The user is mailed at the address of record (unless the admin is the user).
   */
  async unlinkForUser(auth: AuthContext, userId: number, identityId: number, currentPassword: string | undefined): Promise<void> {
    const user = await this.users.getById(userId);
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    await this.remove(auth, user.id, identityId, 'admin:identity.unlinked', async (manager, identity) => {
      if (user.id === auth.user.id) return;
      const provider = this.config.oauth.providers.find((candidate) => candidate.id === identity.provider)?.name ?? identity.provider;
      await this.mail.sendAdminChangedAccount(manager, user.email, { name: user.firstName ?? user.username, changes: [`sign-in with ${provider} (unlinked)`] });
    });
  }

  /** Unlinks every identity of a user (a password reset, a reverted email change) on the caller's transaction; how many. */
  async removeAllForUser(userId: number, reason: IdentityRevocationReason, by: Actor, manager: EntityManager): Promise<number> {
    const [removed] = (await manager.query(`DELETE FROM identities WHERE user_id = $1 RETURNING id, provider`, [userId])) as [Array<{ id: number; provider: string }>, number];
    for (const identity of removed) {
      await this.activity.record({ event: 'user:identity.revoked', userId, ...by, properties: { identity_id: identity.id, provider: identity.provider, reason } }, manager);
      await this.events.emitForUser(manager, 'user.identity_unlinked', userId, { provider: identity.provider, identity_id: String(identity.id) });
    }
    return removed.length;
  }

  private async remove(
    auth: AuthContext,
    userId: number,
    identityId: number,
    event: 'user:identity.unlinked' | 'admin:identity.unlinked',
    alsoWrite?: (manager: EntityManager, identity: Identity) => Promise<void>,
  ): Promise<void> {
    await this.identities.manager.transaction(async (manager) => {
      // The row lock serialises unlinkings (and password changes) of one account: two at once cannot both pass the
      // last-way-in check and leave nothing.
      await manager.query(`SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, [userId]);
      const identity = await manager.getRepository(Identity).findOneBy({ id: identityId, userId });
      if (!identity) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
      const [left] = (await manager.query(
        `SELECT (u.password IS NOT NULL)
                OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id)
                OR EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id AND i.id <> $2) AS other_way_in
           FROM users u WHERE u.id = $1`,
        [userId, identity.id],
      )) as Array<{ other_way_in: boolean }>;
      if (!left?.other_way_in) throw new DomainError(IDENTITY_ERRORS.LAST_SIGN_IN_METHOD);
      await manager.delete(Identity, { id: identity.id });
      await this.activity.record({ event, userId, auth, properties: { identity_id: identity.id, provider: identity.provider } }, manager);
      await this.events.emitForUser(manager, 'user.identity_unlinked', userId, { provider: identity.provider, identity_id: String(identity.id) });
      await alsoWrite?.(manager, identity);
    });
  }
}
