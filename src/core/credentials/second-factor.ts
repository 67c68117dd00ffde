import type { ClientInfo } from '../users/auth-context.js';
import type { User } from '../users/user.entity.js';

export interface LoginChallenge {
  two_factor_required: true;
  challenge_token: string;
  method: 'totp' | 'sms';
}

/**
 * Starts the second step of a login for a user with two-factor on. Provided by the TwoFactor module; the login
 * refuses users with two-factor on when none is registered (fail closed).
 */
export abstract class SecondFactorChallenger {
  abstract start(user: User, client: ClientInfo, deviceName: string | null): Promise<LoginChallenge>;
}
