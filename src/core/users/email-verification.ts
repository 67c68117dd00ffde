import type { AccountUser } from './account-user.js';

/**
 * Sends the verification mail for a user's new address (after an email change). Implemented by the
 * account-recovery capability; the assembly binds it (src/app/ports.module.ts).
 */
export abstract class EmailVerificationRequester {
  /** Issues a verification token for the user's current address and mails it; must not throw for delivery failures. */
  abstract requestVerification(user: AccountUser): Promise<void>;
}
