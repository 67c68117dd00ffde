import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../common/auth/auth-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ActivityService } from '../activity/activity.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import { PasswordService } from './password.service.js';

export const CURRENT_PASSWORD_MESSAGE = 'The current password is incorrect.';
export const PASSWORD_NOT_VALID_MESSAGE = 'The password provided was not valid.';

/**
 * The proof rule for credential changes (CONTRACT §2), in one place: an API key never changes credentials; the
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
  ) {}

  /**
   * For routes whose body requires the password (the client family): a wrong one is 400 INVALID_PASSWORD.
   * An API key is refused first, whatever it sends (CONTRACT §2).
   */
  async verifyPassword(auth: AuthContext, password: string): Promise<void> {
    await this.prove(auth, password, () => new DomainError('INVALID_PASSWORD'));
  }

  /** For /api/me routes whose body requires the password in `field`: a wrong one is 422 on that field. */
  async verifyPasswordField(auth: AuthContext, field: string, password: string): Promise<void> {
    await this.prove(auth, password, () => DomainError.invalid(field, PASSWORD_NOT_VALID_MESSAGE, 'current_password'));
  }

  /**
   * For routes with an optional `current_password`: when given it must be right (422 on that field); when absent
   * the change is allowed only from an access token whose session logged in recently. An API key never is.
   */
  async requireRecentAuth(auth: AuthContext, currentPassword: string | undefined): Promise<void> {
    if (currentPassword !== undefined) {
      await this.prove(auth, currentPassword, () => DomainError.invalid('current_password', CURRENT_PASSWORD_MESSAGE, 'current_password'));
      return;
    }
    this.refuseApiKey(auth);
    if (!this.sessions.isRecentlyAuthenticated(auth)) throw new DomainError('RECENT_AUTH_REQUIRED');
  }

  /** Checks the caller's password; a wrong one is recorded (`auth:proof-failed`) and answered with `wrong()`. */
  private async prove(auth: AuthContext, password: string, wrong: () => DomainError): Promise<void> {
    this.refuseApiKey(auth);
    if (await this.passwords.verify(await this.users.getPasswordHash(auth.user.id), password)) return;
    await this.activity.record({ event: 'auth:proof-failed', userId: auth.user.id, auth });
    throw wrong();
  }

  /** Credential changes need an access token: a stolen API key must not be able to take the account over. */
  private refuseApiKey(auth: AuthContext): void {
    if (auth.apiKey) throw new DomainError('API_KEY_FORBIDDEN');
  }
}
