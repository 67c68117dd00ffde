import { defineErrors } from '../../platform/errors/error-catalogue.js';

const INVALID_TWO_FACTOR_CODE = {
  status: 422,
  message: 'Invalid 2FA token.',
  when: 'The code (or recovery code) is wrong or expired, or the challenge is used up.',
  field: { name: 'code', rule: 'two_factor' },
} as const;

/** The errors of turning two-factor on and off and of answering a login's two-factor challenge. */
export const TWO_FACTOR_ERRORS = defineErrors({
  // Authenticator app (the client family). The document shows this one for the three states of set-up, so its
  // `when` names TOTP_NOT_ENABLED's and TOTP_NO_PENDING_SECRET's cases too.
  TWO_FACTOR_STATE: {
    status: 400,
    message: 'Two-factor authentication is already enabled on this account.',
    when: 'Two-factor is already on, or not on, or no secret was requested first.',
  },
  TOTP_NOT_ENABLED: {
    status: 400,
    message: 'Two-factor authentication is not enabled on this account.',
    when: 'Two-factor is not on, so there is nothing to turn off.',
  },
  TOTP_NO_PENDING_SECRET: {
    status: 400,
    message: 'Request a two-factor secret first (GET /api/client/account/two-factor).',
    when: 'A code was sent to turn two-factor on before any secret was requested.',
  },
  TOTP_CODE_INVALID: {
    status: 422,
    message: 'The two-factor code is not valid. Enter the current code from your authenticator app.',
    when: 'The code does not match the pending secret at this time.',
    field: { name: 'code', rule: 'totp' },
  },
  // SMS (the /api/me family).
  SMS_TWO_FACTOR_ALREADY_ENABLED: {
    status: 422,
    message: '2FA is already enabled for this user.',
    when: 'Two-factor is already on.',
  },
  TWO_FACTOR_NOT_ENABLED: {
    status: 422,
    message: '2FA is not enabled for this user.',
    when: 'Two-factor is not on for the user, so there is nothing to turn off or renew.',
  },
  SMS_CODE_INVALID: {
    status: 422,
    message: INVALID_TWO_FACTOR_CODE.message,
    when: 'The texted code is wrong, expired, or its attempts are used up.',
  },
  // The login challenge.
  INVALID_TWO_FACTOR_CODE,
  SECOND_FACTOR_PASSKEY_REFUSED: {
    status: 422,
    message: 'The passkey could not be verified.',
    when: 'The passkey answering the challenge does not verify.',
    field: { name: 'passkey', rule: 'two_factor' },
  },
  TWO_FACTOR_CHALLENGE_DEAD: {
    status: 422,
    message: 'The two-factor challenge has expired or has been used up. Log in again.',
    when: 'The `challenge_token` is unknown, expired or used up, or the account’s password was reset or changed since the password step.',
    field: { name: 'challenge_token', rule: 'challenge' },
  },
  NO_PASSKEY_FOR_CHALLENGE: {
    status: 422,
    message: 'This account has no passkey; answer the challenge with a code.',
    when: 'Passkey options were asked for a challenge whose account has no passkey.',
    field: { name: 'challenge_token', rule: 'passkey' },
  },
  TOO_MANY_ANSWERS: {
    status: 422,
    message: 'Send one of code, recovery_code or passkey.',
    when: 'More than one of `code`, `recovery_code` and `passkey` was sent.',
    field: { name: 'recovery_code', rule: 'prohibited_with' },
  },
});
