import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of managing personal API keys (those of authenticating with one are the credentials'). */
export const API_KEY_ERRORS = defineErrors({
  LIMIT_REACHED: {
    status: 400,
    message: 'You have reached the account limit for number of API keys.',
    when: 'The account already has as many API keys as it may.',
  },
  ADMIN_SCOPE_NOT_GRANTABLE: {
    status: 422,
    message: 'Only an administrator may grant the admin scope.',
    when: 'A caller without the admin role asked for the `admin` scope.',
    field: { name: 'scopes', rule: 'in' },
  },
  EXPIRY_MALFORMED: {
    status: 422,
    message: 'The expires_at must be a valid ISO 8601 date-time.',
    when: '`expires_at` is not a date-time.',
    field: { name: 'expires_at', rule: 'date' },
  },
  EXPIRY_PAST: {
    status: 422,
    message: 'The expires_at must be a date-time in the future.',
    when: '`expires_at` is not in the future.',
    field: { name: 'expires_at', rule: 'after' },
  },
  EXPIRY_TOO_FAR: {
    status: 422,
    message: 'The expires_at must be at most <days> days from now.',
    when: '`expires_at` is further ahead than API_KEY_MAX_LIFETIME_DAYS.',
    field: { name: 'expires_at', rule: 'before_or_equal' },
  },
});
