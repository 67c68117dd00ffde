import { Injectable, Logger } from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { AccountCreation } from '../accounts/account-creation.service.js';
import { ActivityService } from '../../core/activity/activity.service.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { LoginOutcomeService, type BrowserSignedIn, type SignedIn } from '../../core/credentials/login-outcome.service.js';
import { LoginThrottleService } from '../../core/credentials/login-throttle.service.js';
import { SameSiteRequests, type RequestSite } from '../../core/credentials/same-site.js';
import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';
import { SecondFactorChallenger, type LoginChallenge } from '../../core/credentials/second-factor.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import { UserStatus, type User } from '../../core/users/user.entity.js';
import { UsersService } from '../../core/users/users.service.js';
import type { AppConfig, OAuthProviderConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { USERNAME_PATTERN } from '../../platform/validation/rules.js';
import type { ExchangeDto } from './dto/oauth.dto.js';
import { Identity } from './entities/identity.entity.js';
import { IDENTITY_ERRORS } from './errors.js';
import { IdentitiesService } from './identities.service.js';
import { IdentityProviders, ProviderFailure, type ProviderAccount } from './identity-providers.service.js';
import { OAuthFlows, randomToken } from './oauth-flows.service.js';
import { withQuery } from './return-urls.js';

/** How a flow ended, as the callback's redirect says it in `oauth_error`. */
export type OAuthErrorCode =
  | 'access_denied'
  | 'invalid_state'
  | 'provider_error'
  | 'email_not_verified'
  | 'account_exists'
  | 'identity_in_use'
  | 'banned'
  | 'registration_closed';

/** The browser's key that binds flows to it, read from and written to the state cookie by the controller. */
export interface BrowserBinding {
  /** The cookie's value when the browser sent one. */
  sent?: string;
}

/** Where the authorize route sends the browser, and the cookie value to set (the browser's key). */
export interface AuthorizeRedirect {
  location: string;
  browserKey: string;
}

/** A well-formed state cookie value: what randomToken() makes. */
const BROWSER_KEY = /^[A-Za-z0-9_-]{43}$/;

/**
 * The flow of signing in (or linking) through an identity provider (docs/api/identities.md): authorize, callback,
 * exchange. Who gets which account (the linking rules) is decided in `signIn`: identities are keyed by issuer and
 * subject; an address links automatically only between two verified ones; nothing is handed to whoever registered
 * an address they do not own.
 */
@Injectable()
export class IdentitySignIn {
  private readonly logger = new Logger(IdentitySignIn.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly providers: IdentityProviders,
    private readonly flows: OAuthFlows,
    private readonly identities: IdentitiesService,
    private readonly users: UsersService,
    private readonly accounts: AccountCreation,
    private readonly activity: ActivityService,
    private readonly logins: LoginOutcomeService,
    private readonly throttle: LoginThrottleService,
    private readonly secondFactor: SecondFactorChallenger,
    private readonly sameSite: SameSiteRequests,
    private readonly events: EventsService,
  ) {}

  /**
   * Begins a flow: 404 for an unknown provider, 422 for a `return_to` outside OAUTH_RETURN_URLS (nothing stored);
   * otherwise a redirect to the provider, or back with `oauth_error` when the link ticket is dead or the provider
   * cannot be reached. The browser keeps its key across flows (two tabs may sign in at once).
   */
  async authorize(providerId: string, query: { return_to?: string; link_ticket?: string }, binding: BrowserBinding): Promise<AuthorizeRedirect> {
    const provider = this.providers.get(providerId);
    const browserKey = binding.sent !== undefined && BROWSER_KEY.test(binding.sent) ? binding.sent : randomToken();
    const withNonce = provider.type === 'oidc';
    let returnTo: string;
    let secrets;
    if (query.link_ticket !== undefined) {
      const begun = await this.flows.beginFromTicket(provider.id, query.link_ticket, browserKey, withNonce);
      if (!begun) return { location: this.failure(this.defaultReturn(), 'invalid_state'), browserKey };
      ({ returnTo, secrets } = begun);
    } else {
      returnTo = this.identities.returnTo(query.return_to);
      secrets = await this.flows.begin(provider.id, returnTo, browserKey, withNonce);
    }
    try {
      return { location: await this.providers.authorizationUrl(provider, secrets), browserKey };
    } catch (error) {
      if (error instanceof ProviderFailure) return { location: this.failure(returnTo, 'provider_error'), browserKey };
      throw error;
    }
  }

  /**
   * The provider's redirect back: takes the flow of `state` (once), checks it is this browser's and live, finishes
   * the code exchange with the provider, then signs in or links. Always a redirect: to `return_to` with
   * `oauth_code`, `oauth_linked=1` or `oauth_error`; to FRONTEND_URL's origin when the state is unknown.
   */
  async callback(providerId: string, query: URLSearchParams, binding: BrowserBinding, client: ClientInfo): Promise<string> {
    const provider = this.providers.get(providerId);
    const state = query.get('state');
    const flow = state ? await this.flows.take(provider.id, state, binding.sent) : null;
    if (!flow) return this.failure(this.defaultReturn(), 'invalid_state');
    if (!flow.sameBrowser || !flow.live) return this.failure(flow.returnTo, 'invalid_state');
    const providerError = query.get('error');
    if (providerError !== null) return this.failure(flow.returnTo, providerError === 'access_denied' ? 'access_denied' : 'provider_error');
    let account: ProviderAccount;
    try {
      account = await this.providers.finish(provider, query, flow.secrets);
    } catch (error) {
      if (error instanceof ProviderFailure) return this.failure(flow.returnTo, 'provider_error');
      throw error;
    }
    const outcome =
      flow.linkUserId !== null
        ? await this.linkToUser(provider, account, flow.linkUserId, flow.credentialVersion, client)
        : await this.signIn(provider, account, client);
    if ('error' in outcome) return this.failure(flow.returnTo, outcome.error);
    return withQuery(flow.returnTo, 'code' in outcome ? { oauth_code: outcome.code } : { oauth_linked: '1' });
  }

  /**
   * Trades a sign-in code (once, within 60 s) for what `POST /api/login` answers: the session's tokens, or the
   * two-factor challenge when two-factor is on. It counts in the sign-in limits like every sign-in; a banned
   * account is refused; a recovery since the callback makes the code worthless. With `session: "cookie"`, a browser
   * session (as at `POST /api/login`).
   */
  async exchange(dto: ExchangeDto, client: ClientInfo, deviceToken?: string, site?: RequestSite): Promise<SignedIn | BrowserSignedIn | LoginChallenge> {
    const mode = dto.session ?? 'bearer';
    // A browser sign-in from another site is refused before the code is spent: the SPA can still exchange it.
    if (mode === 'cookie') this.sameSite.assert(site);
    const spent = await this.flows.spendSignInCode(dto.code);
    if (!spent) throw new DomainError(IDENTITY_ERRORS.SIGN_IN_CODE_INVALID);
    // The version read with the identity at the callback: the session opens only while the account still has it.
    const user: User = { ...(await this.users.getById(spent.userId)), credentialVersion: spent.credentialVersion };
    const attempt = await this.throttle.signInAttempt(this.throttle.accountKeyOfUser(user.id), user.id, client.ip, deviceToken, true);
    await this.throttle.assertAllowed(attempt);
    await this.throttle.recordSuccess(attempt);
    if (user.status === UserStatus.Banned) throw new DomainError(CREDENTIAL_ERRORS.ACCOUNT_BANNED);
    const identity = await this.dataSource.getRepository(Identity).findOneBy({ id: spent.identityId });
    if (!identity) throw new DomainError(IDENTITY_ERRORS.SIGN_IN_CODE_INVALID);
    // A provider's sign-in replaces the password, not the second factor.
    if (user.twoFactorMethod) return this.secondFactor.start(user, client, dto.device_name ?? null, mode);
    return this.logins.completeAs(mode, user, client, dto.device_name ?? null, { method: 'identity', provider: identity.provider }, deviceToken, IDENTITY_ERRORS.SIGN_IN_CODE_INVALID);
  }

  /** Who gets which account (docs/api/identities.md#who-gets-which-account). */
  private async signIn(provider: OAuthProviderConfig, account: ProviderAccount, client: ClientInfo): Promise<{ code: string } | { error: OAuthErrorCode }> {
    const known = await this.identities.findByProviderAccount(account, this.dataSource.manager);
    if (known) {
      const user = await this.users.getById(known.identity.userId);
      if (user.status === UserStatus.Banned) return { error: 'banned' };
      return this.dataSource.transaction(async (manager) => {
        await manager.update(Identity, { id: known.identity.id }, { lastUsedAt: new Date(), ...(account.email ? { email: account.email } : {}) });
        return { code: await this.flows.issueSignInCode({ userId: user.id, identityId: known.identity.id, credentialVersion: known.credentialVersion }, manager) };
      });
    }
    // Unknown identity. Without an address the provider vouches for, nothing is linked or created, and the answer
    // is the same whether or not an account has the address (it tells nothing).
    if (!account.email || !account.emailVerified) return { error: 'email_not_verified' };
    const owner = await this.users.findByEmail(account.email);
    if (owner) return this.linkByAddress(provider, account, owner, client);
    if (!this.config.registrationEnabled) return { error: 'registration_closed' };
    return this.createAccount(provider, account, client);
  }

  /**
   * An account has the provider's verified address: linked only when the account's address is verified too. An
   * unverified account may belong to whoever registered someone else's address first (pre-account takeover):
   * `account_exists`, and its owner links from their settings after signing in (or resets the password first).
   */
  private async linkByAddress(provider: OAuthProviderConfig, account: ProviderAccount, owner: User, client: ClientInfo): Promise<{ code: string } | { error: OAuthErrorCode }> {
    if (!owner.emailVerifiedAt) return { error: 'account_exists' };
    if (owner.status === UserStatus.Banned) return { error: 'banned' };
    try {
      return await this.dataSource.transaction(async (manager) => {
        const state = await this.lockUser(owner.id, manager);
        // Read again under the lock: an email change or a ban committed since the first read decides.
        if (!state || !state.verified || state.email.toLowerCase() !== account.email!.toLowerCase()) return { error: 'account_exists' as const };
        if (state.banned) return { error: 'banned' as const };
        const identity = await this.identities.link(owner, provider.id, account, { client, actorId: owner.id }, manager);
        await manager.update(Identity, { id: identity.id }, { lastUsedAt: new Date() });
        return { code: await this.flows.issueSignInCode({ userId: owner.id, identityId: identity.id, credentialVersion: state.credentialVersion }, manager) };
      });
    } catch (error) {
      // The same identity linked by a sign-in in flight: try again as a known identity.
      if (isUniqueViolation(error, 'identities_issuer_subject_unique')) return this.signIn(provider, account, client);
      throw error;
    }
  }

  /** A new account: the provider's verified address (verified here too), no password, a free username from the provider's. */
  private async createAccount(provider: OAuthProviderConfig, account: ProviderAccount, client: ClientInfo): Promise<{ code: string } | { error: OAuthErrorCode }> {
    for (const username of await this.freeUsernames(account)) {
      try {
        const { followedUp } = await this.accounts.create(
          {
            username,
            email: account.email!,
            password: null,
            firstName: account.firstName?.slice(0, 191) ?? null,
            lastName: account.lastName?.slice(0, 191) ?? null,
            status: UserStatus.Active,
            emailVerifiedAt: new Date(),
          },
          async (user, manager) => {
            await this.activity.record({ event: 'user:registered', userId: user.id, actorId: user.id, client, properties: { provider: provider.id } }, manager);
            const identity = await manager.getRepository(Identity).save(
              manager.getRepository(Identity).create({ userId: user.id, provider: provider.id, issuer: account.issuer, subject: account.subject, email: account.email, lastUsedAt: new Date() }),
            );
            await this.activity.record({ event: 'user:identity.linked', userId: user.id, actorId: user.id, client, properties: { identity_id: identity.id, provider: provider.id } }, manager);
            // Account creation emitted `user.created` on this transaction; the identity it was made with follows it.
            await this.events.emit(manager, 'user.identity_linked', { ...userRef(user), provider: provider.id, identity_id: String(identity.id) });
            const [row] = (await manager.query(`SELECT credential_version FROM users WHERE id = $1`, [user.id])) as Array<{ credential_version: number }>;
            return this.flows.issueSignInCode({ userId: user.id, identityId: identity.id, credentialVersion: row.credential_version }, manager);
          },
        );
        return { code: followedUp };
      } catch (error) {
        const taken = takenField(error);
        // The address was registered meanwhile: it is someone's account now, handled as one.
        if (taken === 'email') return { error: 'account_exists' };
        if (taken === 'username') continue;
        if (isUniqueViolation(error, 'identities_issuer_subject_unique')) return this.signIn(provider, account, client);
        throw error;
      }
    }
    this.logger.warn({ provider: provider.id }, 'no free username for a new account from an identity provider');
    return { error: 'provider_error' };
  }

  /** Usernames to try, in order: the provider's (or the address's local part), cleaned, then with random suffixes. */
  private async freeUsernames(account: ProviderAccount): Promise<string[]> {
    const raw = account.username ?? account.email!.split('@')[0];
    let base = raw.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40);
    if (base.length < 3) base = `${base}user`.slice(0, 40);
    const candidates = [base, ...Array.from({ length: 6 }, () => `${base}-${randomToken().replace(/[^a-z0-9]/gi, '').slice(0, 6).toLowerCase()}`)].filter((name) =>
      USERNAME_PATTERN.test(name),
    );
    const taken = (await this.dataSource.query(`SELECT lower(username) AS name FROM users WHERE lower(username) = ANY($1)`, [candidates.map((name) => name.toLowerCase())])) as Array<{
      name: string;
    }>;
    return candidates.filter((name) => !taken.some((row) => row.name === name.toLowerCase()));
  }

  /**
   * Links the provider's account to the user who asked for the link ticket, unless a recovery or a password change
   * ended their credentials since (the version moved), their address is no longer proven, or another account holds
   * this identity.
   */
  private async linkToUser(
    provider: OAuthProviderConfig,
    account: ProviderAccount,
    userId: number,
    credentialVersion: number | null,
    client: ClientInfo,
  ): Promise<{ linked: true } | { error: OAuthErrorCode }> {
    const known = await this.identities.findByProviderAccount(account, this.dataSource.manager);
    if (known) return known.identity.userId === userId ? { linked: true } : { error: 'identity_in_use' };
    try {
      return await this.dataSource.transaction(async (manager) => {
        const state = await this.lockUser(userId, manager);
        if (!state || state.credentialVersion !== credentialVersion || !state.verified) return { error: 'invalid_state' as const };
        if (state.banned) return { error: 'banned' as const };
        const user = await this.users.getById(userId, manager);
        await this.identities.link(user, provider.id, account, { client, actorId: user.id }, manager);
        return { linked: true as const };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'identities_issuer_subject_unique')) return { error: 'identity_in_use' };
      throw error;
    }
  }

  /**
   * Locks the account's row for the new credential (as lockAccountForNewCredential does): a recovery committing
   * meanwhile either ends the identity with the others or is seen here.
   */
  private async lockUser(userId: number, manager: EntityManager): Promise<{ email: string; verified: boolean; banned: boolean; credentialVersion: number } | null> {
    const [row] = (await manager.query(
      `SELECT email, email_verified_at IS NOT NULL AS verified, status = $2 AS banned, credential_version FROM users WHERE id = $1 FOR NO KEY UPDATE`,
      [userId, UserStatus.Banned],
    )) as Array<{ email: string; verified: boolean; banned: boolean; credential_version: number }>;
    return row ? { email: row.email, verified: row.verified, banned: row.banned, credentialVersion: row.credential_version } : null;
  }

  private defaultReturn(): string {
    return `${new URL(this.config.frontendUrl).origin}/`;
  }

  private failure(returnTo: string, error: OAuthErrorCode): string {
    return withQuery(returnTo, { oauth_error: error });
  }
}

/** The field a creation found taken (the availability check's 422, or the unique index). */
function takenField(error: unknown): 'email' | 'username' | null {
  if (error instanceof DomainError) {
    const field = error.fields.find((candidate) => candidate.rule === 'unique')?.field;
    return field === 'email' || field === 'username' ? field : null;
  }
  if (isUniqueViolation(error, 'users_email_unique')) return 'email';
  if (isUniqueViolation(error, 'users_username_unique')) return 'username';
  return null;
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string }) : undefined;
  return driverError?.code === '23505' && driverError.constraint === constraint;
}
