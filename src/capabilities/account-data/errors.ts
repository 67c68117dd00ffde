import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of exporting and deleting an account. */
export const ACCOUNT_DATA_ERRORS = defineErrors({
  LAST_ADMIN: {
    status: 403,
    message: 'The last administrator cannot delete their own account.',
    when: 'The caller is the only admin who is not banned.',
  },
  // The credentials' RECENT_AUTH_REQUIRED asks for a current_password, which the export (a GET) cannot take.
  EXPORT_RECENT_AUTH_REQUIRED: {
    status: 403,
    message: 'Exporting your data requires a recent login. Log in again, then export.',
    when: 'The session did not sign in within RECENT_AUTH_SECONDS.',
  },
});
