import type { AccountUser } from './account-user.js';

/**
 * Sends the verification mail for a user's new address (after an email change). Provided by the email
 * verification capability (src/account-recovery); without a provider an email change only clears
 * `email_verified_at` and the user can ask for the mail through `POST /api/email/resend`.
 */
export abstract class EmailVerificationRequester {
  /** Issues a verification token for the user's current address and mails it; must not throw for delivery failures. */
  abstract requestVerification(user: AccountUser): Promise<void>;
}
