import { CurrentPasswordRules, OptionalCurrentPasswordRules } from '../../../core/users/validation/field-rules.js';

/**
 * `DELETE /api/me` and `DELETE /api/v1/auth/user`. Without `current_password` the deletion is allowed only from
 * an access token whose session signed in within RECENT_AUTH_SECONDS (docs/security.md#proof-for-credential-changes).
 */
export class DeleteAccountDto {
  /** Proves the caller's identity when the sign-in is not recent. @example "correct horse battery staple" */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

/** `DELETE /api/client/account`: the password is required (400 when wrong). */
export class DeleteClientAccountDto {
  /** The current password. @example "correct horse battery staple" */
  @CurrentPasswordRules()
  password: string;
}
