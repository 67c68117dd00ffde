import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../users/auth-context.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { CREDENTIAL_ERRORS } from './errors.js';
import { ActivityService } from '../activity/activity.service.js';
import { SessionsService } from './sessions/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PasswordService } from './password.service.js';

/**
 * The proof rule for credential changes (docs/security.md#proof-for-credential-changes), in one place: an API key never changes credentials; the
 * proof is the current password, or a session that signed in within RECENT_AUTH_SECONDS. A wrong password counts
 * as a failed login of the account.
 */
@Injectable()
export class ReauthenticationService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionsService,
    private readonly activity: ActivityService,
    private readonly throttle: LoginThrottleService,
  ) {}

  /**
   * For routes whose body requires the password (the client family): a wrong one is 400 INVALID_PASSWORD.
   * An API key is refused first, whatever it sends (docs/security.md#proof-for-credential-changes).
   */
  async verifyPassword(auth: AuthContext, password: string): Promise<void> {
    await this.prove(auth, password, () => new DomainError(CREDENTIAL_ERRORS.INVALID_PASSWORD));
  }

  /** For /api/me routes whose body requires the password in `field`: a wrong one is 422 on that field. */
  async verifyPasswordField(auth: AuthContext, field: string, password: string): Promise<void> {
    await this.prove(auth, password, () => new DomainError(CREDENTIAL_ERRORS.PASSWORD_NOT_VALID, { field }));
  }

  /**
   * For routes with an optional `current_password`: when given it must be right (422 on that field); when absent
   * the change is allowed only from an access token whose session logged in recently. An API key never is.
   */
  async requireRecentAuth(auth: AuthContext, currentPassword: string | undefined): Promise<void> {
    if (currentPassword !== undefined) {
      await this.prove(auth, currentPassword, () => new DomainError(CREDENTIAL_ERRORS.CURRENT_PASSWORD_INCORRECT));
      return;
    }
    this.refuseApiKey(auth);
    if (!this.sessions.isRecentlyAuthenticated(auth)) throw new DomainError(CREDENTIAL_ERRORS.RECENT_AUTH_REQUIRED);
  }

  /**
   * Checks the caller's password as a login of the account would be: a wrong one is recorded (`auth:proof-failed`),
   * counted in the account's login counters (the failure that reaches a limit mails the owner, once an hour) and
   * answered with `wrong()`, so a stolen session cannot guess the password either. The session is judged on its own
   * wrong passwords only: past that limit the answer is 429 with Retry-After, before any argon2 work, and the session
   * is revoked. A lock-out others' failures set on the account neither stops the owner's proof nor ends the session.
   */
  private async prove(auth: AuthContext, password: string, wrong: () => DomainError): Promise<void> {
    this.refuseApiKey(auth);
    const user = auth.user;
    const attempt = {
      accountKey: this.throttle.accountKeyOfUser(user.id),
      ip: auth.client.ip,
      ...(auth.session ? { own: `session:${auth.session.id}` } : {}),
    };
    try {
      await this.throttle.assertAllowed(attempt);
    } catch (error) {
      if (error instanceof DomainError && error.is(PLATFORM_ERRORS.TOO_MANY_ATTEMPTS)) await this.revokeCallingSession(auth);
      throw error;
    }
    let valid: boolean;
    try {
      const hash = await this.users.getPasswordHash(user.id);
      // No password (an account created through an identity provider): any password sent is wrong, after the same work.
      valid = hash ? await this.passwords.verify(hash, password) : await this.passwords.verifyAgainstDummy(password);
    } catch (error) {
      // Not judged (no hashing slot, the database away): the attempt does not count.
      await this.throttle.release(attempt);
      throw error;
    }
    if (valid) {
      await this.throttle.recordSuccess(attempt);
      return;
    }
    await this.throttle.recordFailure(attempt, { id: user.id, email: user.email, name: user.firstName ?? user.username });
    await this.activity.record({ event: 'auth:proof-failed', userId: user.id, auth });
    throw wrong();
  }

  /** Whoever keeps guessing the password from a session loses the session (the 429 came from its own counter). */
  private async revokeCallingSession(auth: AuthContext): Promise<void> {
    if (!auth.session) return;
    await this.sessions.revokeSession(auth.session.id);
    await this.activity.record({
      event: 'user:session.revoked',
      userId: auth.user.id,
      auth,
      properties: { session_id_prefix: auth.session.id.slice(0, 8), reason: 'too-many-wrong-passwords' },
    });
  }

  /** Credential changes need an access token: a stolen API key must not be able to take the account over. */
  private refuseApiKey(auth: AuthContext): void {
    if (auth.apiKey) throw new DomainError(CREDENTIAL_ERRORS.API_KEY_FORBIDDEN);
  }
}
