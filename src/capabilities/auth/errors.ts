import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of signing out (a failed sign-in is core/credentials' INVALID_CREDENTIALS). */
export const AUTH_ERRORS = defineErrors({
  API_KEY_NO_SESSION: {
    status: 403,
    message: 'API keys have no session to log out of; delete the key to revoke it.',
    when: 'The caller authenticated with an API key, which has no session to end.',
  },
});
