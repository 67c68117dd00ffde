import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of the mailed links: password reset, email verification, email change. */
export const ACCOUNT_RECOVERY_ERRORS = defineErrors({
  INVALID_RESET_TOKEN: {
    status: 400,
    message: 'This password reset token is invalid.',
    when: 'The reset token from the mail is unknown, used or expired.',
  },
  INVALID_VERIFICATION_TOKEN: {
    status: 400,
    message: 'This verification token is invalid.',
    when: 'The verification token from the mail is unknown, used or expired.',
  },
  INVALID_CANCEL_TOKEN: {
    status: 400,
    message: 'This email change token is invalid.',
    when: 'The cancel token from the mail belongs to no pending email change.',
  },
});
