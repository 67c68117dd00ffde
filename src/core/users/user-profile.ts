import type { AvatarUrls } from './avatar-urls.js';
import type { AccountUser } from './account-user.js';

/** What the two-factor state may show to the user: never a secret, a phone code or a recovery code. */
export interface TwoFactorSummary {
  method: 'totp' | 'sms' | null;
  enabled: boolean;
  /** Set while an SMS phone awaits verification. */
  pending_method: 'sms' | null;
  recovery_codes_left: number;
}

/**
 * The domain view of a user that every route family presents in its own shape. Loaded once by
 * UserProfileService; presenters are pure functions of it.
 */
export interface UserProfile {
  /** With `role` loaded; `country` loaded when asked for. */
  user: AccountUser;
  avatar: AvatarUrls;
  /** null before any two-factor set-up. */
  twoFactor: TwoFactorSummary | null;
}
