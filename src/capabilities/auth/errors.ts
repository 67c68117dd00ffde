import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of signing in and out. */
export const AUTH_ERRORS = defineErrors({
  // Every failed login answers alike: nothing tells an unknown account from a wrong password.
  INVALID_CREDENTIALS: {
    status: 422,
    message: 'These credentials do not match our records.',
    when: 'The username (or email) and password do not match an account.',
    field: { name: 'username', rule: 'credentials' },
  },
  API_KEY_NO_SESSION: {
    status: 403,
    message: 'API keys have no session to log out of; delete the key to revoke it.',
    when: 'The caller authenticated with an API key, which has no session to end.',
  },
});
