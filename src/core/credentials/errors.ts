import { defineErrors } from '../../platform/errors/error-catalogue.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';

const INVALID_PASSWORD = {
  status: 400,
  message: 'The password provided was not valid.',
  when: 'The password sent to confirm the change is wrong.',
} as const;

/** The errors of proving who the caller is, and of what its credential may do. */
export const CREDENTIAL_ERRORS = defineErrors({
  // Every failed sign-in answers alike: nothing tells an unknown account from a wrong password or passkey.
  INVALID_CREDENTIALS: {
    status: 422,
    message: 'These credentials do not match our records.',
    when: 'The username (or email) and password do not match an account, or stopped matching while the login was checked (a password reset or change committed meanwhile).',
    field: { name: 'username', rule: 'credentials' },
  },
  ACCOUNT_BANNED: { status: 403, message: 'Your account is banned by administrator.', when: 'The account is banned.' },
  CROSS_SITE_REFUSED: {
    status: 403,
    message: 'Cross-site request refused.',
    when:
      'Authenticated by the browser session cookie (or a `session: "cookie"` sign-in), the request lacks an allowed `Origin` or ' +
      '`X-Requested-With`, or its `Sec-Fetch-Site` is `cross-site`: nothing changed.',
  },
  IP_NOT_ALLOWED: {
    status: 403,
    message: 'This API key may not be used from your IP address.',
    when: 'The API key is restricted to addresses that do not include the caller’s.',
  },
  // An admin route refuses everyone else with the generic words.
  NOT_ADMIN: {
    ...PLATFORM_ERRORS.FORBIDDEN,
    when: 'The caller does not have the admin role, or the change is one an admin may not make to themself.',
  },
  RECENT_AUTH_REQUIRED: {
    status: 403,
    message: 'This action requires a recent login. Send your current_password to confirm it.',
    when: 'The last login is older than RECENT_AUTH_SECONDS and no `current_password` was sent.',
  },
  API_KEY_SCOPE_MISSING: {
    status: 403,
    message: 'This API key lacks the scope <scope>.',
    when: 'The API key was not given the scope this operation needs (see the operation\'s description).',
  },
  API_KEY_ROUTE_CLOSED: {
    status: 403,
    message: 'API keys cannot use this route.',
    when: 'The caller authenticated with an API key, and this operation takes access tokens only.',
  },
  API_KEY_FORBIDDEN: {
    status: 403,
    message: 'API keys cannot change credentials.',
    when: 'The caller authenticated with an API key: only a login may change credentials.',
  },
  ADDRESS_NOT_VERIFIED: {
    status: 403,
    message: 'Verify your email address first.',
    when: 'The account’s email address is not verified yet: no passkey, two-factor method or API key can be added before it is.',
  },
  INVALID_PASSWORD,
  // The same words on the field that carried the password, where the route's family reports it so.
  PASSWORD_NOT_VALID: {
    ...INVALID_PASSWORD,
    status: 422,
    when: 'The password sent to confirm the change is wrong (reported on the field that carried it).',
    field: { name: 'password', rule: 'current_password' },
  },
  CURRENT_PASSWORD_INCORRECT: {
    status: 422,
    message: 'The current password is incorrect.',
    when: 'The `current_password` sent to confirm the change is wrong.',
    field: { name: 'current_password', rule: 'current_password' },
  },
  // One message for every refusal: it says why without saying which check caught the password.
  PASSWORD_REFUSED: {
    status: 422,
    message: 'This password is too common or has appeared in a data breach; choose another.',
    when: 'The new password is too easy to guess, or appears in a known data breach.',
    // Laravel's name for the rule (`Password::uncompromised()`), reported in the client family's `meta.rule`.
    field: { name: 'password', rule: 'uncompromised' },
  },
});
