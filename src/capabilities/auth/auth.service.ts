import { OrganizationInvitationsService } from '../organizations/organization-invitations.service.js';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { EmailVerificationService } from '../account-recovery/email-verification.service.js';
import { AccountCreation } from '../accounts/account-creation.service.js';
import { ActivityService } from '../../core/activity/activity.service.js';
import type { AuthContext, ClientInfo } from '../../core/users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { AUTH_ERRORS } from './errors.js';
import { RateLimiterService, type RateLimitRule } from '../../platform/rate-limit/rate-limiter.service.js';
import { addressKey } from '../../platform/rate-limit/client-address.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { SessionsService, type TokenPair } from '../../core/credentials/sessions/sessions.service.js';
import { ADMIN_ROLE_SLUG } from '../../core/users/role.entity.js';
import { UserStatus } from '../../core/users/user.entity.js';
import { UsersService } from '../../core/users/users.service.js';
import type { LoginDto } from './dto/login.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import { firstAdminPassword, type FirstAdmin } from './first-admin.js';
import { LoginOutcomeService, type BrowserSignedIn, type SignedIn } from '../../core/credentials/login-outcome.service.js';
import { SameSiteRequests, type RequestSite } from '../../core/credentials/same-site.js';
import { endSessionCookie } from '../../core/credentials/sessions/session-cookie.js';
import { LoginThrottleService } from '../../core/credentials/login-throttle.service.js';
import { PasswordService } from '../../core/credentials/password.service.js';
import { SecondFactorChallenger, type LoginChallenge } from '../../core/credentials/second-factor.js';

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);
  private readonly registrationsByIp: RateLimitRule;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionsService,
    private readonly activity: ActivityService,
    private readonly rateLimiter: RateLimiterService,
    private readonly throttle: LoginThrottleService,
    private readonly emailVerification: EmailVerificationService,
    private readonly accounts: AccountCreation,
    private readonly logins: LoginOutcomeService,
    private readonly secondFactor: SecondFactorChallenger,
    private readonly invitations: OrganizationInvitationsService,
    private readonly sameSite: SameSiteRequests,
  ) {
    this.registrationsByIp = { name: 'register-ip', points: config.rateLimits.registerPerHour, durationSeconds: 3600 };
  }

  /**
   * Creates an Unconfirmed account and mails its verification link. An address that already has an account gets the
   * same answer, and nothing is created: its owner is mailed that someone tried to sign up with it. A refusal would
   * tell anyone whether an address has an account; usernames are public, so a taken one is still refused.
   */
  async register(dto: RegisterDto, client: ClientInfo): Promise<{ requiresEmailConfirmation: boolean }> {
    if (!this.config.registrationEnabled) throw new DomainError(PLATFORM_ERRORS.SWITCHED_OFF);
    // Each account may enrol a phone and have texts sent: sign-ups from one address are budgeted (docs/security.md#other-limits).
    await this.rateLimiter.consume(this.registrationsByIp, addressKey(client.ip));
    const invitationToken = dto.invitation_token;
    // Through an invitation link: the token, bound to this address, proves the mailbox (checked again, and spent, on
    // the creation's transaction).
    if (invitationToken !== undefined) await this.invitations.assertRegistrable(invitationToken, dto.email);
    // The account, its audit entry and its verification token (or its membership) commit together: a failure
    // part-way leaves no unconfirmed account that was never sent a link (and whose username and email would stay taken).
    const outcome = await this.accounts.createUnlessAddressInUse(
      {
        username: dto.username,
        email: dto.email,
        password: { chosen: dto.password },
        firstName: dto.first_name ?? null,
        lastName: dto.last_name ?? null,
        status: invitationToken === undefined ? UserStatus.Unconfirmed : UserStatus.Active,
        emailVerifiedAt: invitationToken === undefined ? null : new Date(),
      },
      async (created, manager) => {
        await this.activity.record({ event: 'user:registered', userId: created.id, actorId: created.id }, manager);
        if (invitationToken !== undefined) return this.invitations.joinNewAccount(manager, invitationToken, created, client);
        return this.emailVerification.issueFor(created, manager);
      },
    );
    if ('addressOwner' in outcome) await this.emailVerification.tellOwnerOfSignUpAttempt(outcome.addressOwner);
    return { requiresEmailConfirmation: invitationToken === undefined };
  }

  /**
   * Password login. Unknown users and wrong passwords get the same 422 after the same argon2 work; a banned user
   * learns so only after proving the password. With two-factor on, the answer is a challenge, not tokens.
   * Failures are throttled per (account, IP), per account and per IP (per (account, device) for a device that sent
   * its device token); while limited even the right password gets 429 (LoginThrottleService), so the limit is no
   * oracle. Successful sign-ins have budgets per IP and per account, counted here (a challenge included).
   * A browser sign-in (`session: "cookie"`) from another site is refused before anything is counted or changed.
   */
  async login(dto: LoginDto, client: ClientInfo, deviceToken?: string, site?: RequestSite): Promise<SignedIn | BrowserSignedIn | LoginChallenge> {
    const mode = dto.session ?? 'bearer';
    if (mode === 'cookie') this.sameSite.assert(site);
    const { accountKey, user } = await this.throttle.resolveAccountKey(dto.username);
    const attempt = await this.throttle.signInAttempt(accountKey, user?.id ?? null, client.ip, deviceToken, true);
    await this.throttle.assertAllowed(attempt);
    let valid: boolean;
    try {
      // An account without a password (created through an identity provider) is judged like an unknown name.
      valid = user?.password ? await this.passwords.verify(user.password, dto.password) : await this.passwords.verifyAgainstDummy(dto.password);
    } catch (error) {
      // Not judged (no hashing slot within 2 s: 503): the attempt does not count.
      await this.throttle.release(attempt);
      throw error;
    }
    if (!user || !valid) throw await this.logins.fail(attempt, user, client, user ? {} : { username: dto.username.slice(0, 191) });
    await this.throttle.recordSuccess(attempt);
    if (user.password && this.passwords.needsRehash(user.password)) {
      await this.users.setPasswordHash(user.id, await this.passwords.hash(dto.password));
    }
    if (user.status === UserStatus.Banned) throw new DomainError(CREDENTIAL_ERRORS.ACCOUNT_BANNED);
    if (user.twoFactorMethod) {
      // A user with two-factor on never gets tokens from the password alone, TWO_FACTOR_ENABLED=false included: the
      // switch closes enrolment, it does not take the second factor away from accounts that have one (fail closed).
      return this.secondFactor.start(user, client, dto.device_name ?? null, mode);
    }
    return this.logins.completeAs(mode, user, client, dto.device_name ?? null, { method: 'password' }, deviceToken);
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.sessions.refresh(refreshToken);
  }

  /**
   * Revokes the caller's session. An API key has none (it ends by being deleted): refused, nothing changes. The
   * guard already closes the route to keys (it declares no scope); this keeps the rule for any other caller.
   * A browser session's cookie is expired by the response.
   */
  async logout(auth: AuthContext): Promise<void> {
    if (!auth.session) throw new DomainError(AUTH_ERRORS.API_KEY_NO_SESSION);
    await this.sessions.revokeSession(auth.session.id);
    endSessionCookie(auth);
    await this.activity.record({ event: 'auth:logout', userId: auth.user.id, auth });
  }

  /** The admin this start created on an empty database; `password` only when it was generated. */
  firstAdmin?: FirstAdmin;

  /** On an empty database, creates the first admin so Swagger UI can be used at once. */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.users.countUsers()) > 0) return;
    const email = this.config.adminEmail ?? 'admin@example.com';
    const { password, generated } = firstAdminPassword(this.config);
    try {
      await this.accounts.create({
        username: 'admin',
        email,
        // The operator's choice is screened like every other password; the process stops naming the variable.
        password: generated ? { generated: password } : { configured: password, variable: 'ADMIN_PASSWORD' },
        firstName: 'Admin',
        status: UserStatus.Active,
        roleSlug: ADMIN_ROLE_SLUG,
        emailVerifiedAt: new Date(),
      });
    } catch (error) {
      // Another instance created it first: seen by the availability check, or, when both instances passed that
      // check at the same moment, by the unique index (a 23505 that stopped the second instance's start).
      if (error instanceof DomainError || isUniqueViolation(error)) return;
      throw error;
    }
    this.logger.log({ email }, 'created the first admin (username "admin")');
    // main.ts shows it once in its ready line, on stderr, outside the JSON log.
    this.firstAdmin = { email, password: generated ? password : undefined };
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string } | undefined)?.code === '23505';
}
