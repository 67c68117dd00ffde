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
  // One change at a time: the cancel link of a change must always give back the address the owner had.
  EMAIL_CHANGE_IN_PROGRESS: {
    status: 422,
    message: 'An email change is already in progress; confirm or cancel it first.',
    when: 'A new address was asked for while an earlier change waits for its confirmation, or was confirmed less than 7 days ago and can still be reverted.',
    field: { name: 'email', rule: 'email_change_in_progress' },
  },
});
