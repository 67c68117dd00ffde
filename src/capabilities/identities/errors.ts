import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of signing in with an identity provider and of managing linked identities. */
export const IDENTITY_ERRORS = defineErrors({
  RETURN_TO_NOT_ALLOWED: {
    status: 422,
    message: 'The return_to URL is not one this service may return to.',
    when: '`return_to` does not start with one of OAUTH_RETURN_URLS: no redirect, nothing stored.',
    field: { name: 'return_to', rule: 'allowed_url' },
  },
  SIGN_IN_CODE_INVALID: {
    status: 400,
    message: 'This sign-in code is invalid or has expired.',
    when: 'The `code` is unknown, spent, older than 60 seconds, or its account’s credentials ended since it was issued.',
  },
  LAST_SIGN_IN_METHOD: {
    status: 422,
    message: 'This is your only way to sign in; set a password or add a passkey first.',
    when: 'Unlinking would leave the account with no password, passkey or other identity.',
  },
});
