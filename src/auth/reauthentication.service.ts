import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../common/auth/auth-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import { PasswordService } from './password.service.js';

export const RECENT_AUTH_MESSAGE = 'This action requires a recent login. Send your current_password to confirm it.';
export const CURRENT_PASSWORD_MESSAGE = 'The current password is incorrect.';

/** Proof of the current password before sensitive changes (CONTRACT §2, "Recent authentication"). */
@Injectable()
export class ReauthenticationService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionsService,
  ) {}

  /**
   * For routes whose body requires the password (the client family): a wrong one is 400 INVALID_PASSWORD.
   * An API key is refused first, whatever it sends (CONTRACT §2).
   */
  async verifyPassword(auth: AuthContext, password: string): Promise<void> {
    this.refuseApiKey(auth);
    if (!(await this.passwords.verify(await this.users.getPasswordHash(auth.user.id), password))) {
      throw new DomainError('INVALID_PASSWORD');
    }
  }

  /**
   * For routes with an optional `current_password`: when given it must be right (422 on that field); when absent
   * the change is allowed only from an access token whose session logged in recently. An API key never is.
   */
  async requireRecentAuth(auth: AuthContext, currentPassword: string | undefined): Promise<void> {
    this.refuseApiKey(auth);
    if (currentPassword !== undefined) {
      if (!(await this.passwords.verify(await this.users.getPasswordHash(auth.user.id), currentPassword))) {
        throw DomainError.invalid('current_password', CURRENT_PASSWORD_MESSAGE, 'current_password');
      }
      return;
    }
    if (!this.sessions.isRecentlyAuthenticated(auth)) throw new DomainError('RECENT_AUTH_REQUIRED', RECENT_AUTH_MESSAGE);
  }

  /** Credential changes need an access token: a stolen API key must not be able to take the account over. */
  private refuseApiKey(auth: AuthContext): void {
    if (auth.apiKey) throw new DomainError('API_KEY_FORBIDDEN');
  }
}
