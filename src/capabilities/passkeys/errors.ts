import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of registering passkeys and signing in with one. */
export const PASSKEY_ERRORS = defineErrors({
  PASSKEY_LIMIT_REACHED: {
    status: 400,
    message: 'You cannot register more than <limit> passkeys.',
    when: 'The account already has as many passkeys as it may.',
  },
  PASSKEY_NOT_VERIFIED: {
    status: 422,
    message: 'The passkey could not be verified. Ask for new options and try again.',
    when: 'The browser’s answer does not verify against this session’s live, unused options.',
    field: { name: 'response', rule: 'passkey' },
  },
  PASSKEY_ALREADY_REGISTERED: {
    status: 422,
    message: 'This passkey is already registered.',
    when: 'The credential is registered already, to this account or another.',
    field: { name: 'response', rule: 'unique' },
  },
  PASSKEY_CHALLENGE_DEAD: {
    status: 422,
    message: 'The passkey challenge has expired or has been used. Ask for new options.',
    when: 'The sign-in options’ `challenge_token` is unknown, used or expired.',
    field: { name: 'challenge_token', rule: 'challenge' },
  },
});
