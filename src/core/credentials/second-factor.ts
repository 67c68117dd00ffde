import type { ClientInfo } from '../users/auth-context.js';
import type { User } from '../users/user.entity.js';
import type { SessionMode } from './sessions/session-cookie.js';

export interface LoginChallenge {
  two_factor_required: true;
  challenge_token: string;
  method: 'totp' | 'sms';
}

/**
 * Starts the second step of a login for a user with two-factor on. Implemented by the two-factor capability, which
 * sits above auth in the layers: the assembly binds it (src/app/ports.module.ts).
 */
export abstract class SecondFactorChallenger {
  /** `mode`: the kind of session the login asked for, opened when the challenge is passed. */
  abstract start(user: User, client: ClientInfo, deviceName: string | null, mode?: SessionMode): Promise<LoginChallenge>;
}
