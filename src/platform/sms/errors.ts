import { defineErrors } from '../errors/error-catalogue.js';

/** The errors of sending a text message. */
export const SMS_ERRORS = defineErrors({
  GATEWAY_FAILED: {
    status: 502,
    message: 'The SMS could not be sent. Please try again later.',
    when: 'The SMS gateway did not accept the message.',
  },
  CALLING_CODE_REFUSED: {
    status: 422,
    message: 'Text messages cannot be sent to this country calling code.',
    when: 'The phone’s country calling code is not one SMS_ALLOWED_CALLING_CODES lists.',
    field: { name: 'country_code', rule: 'calling_code' },
  },
});
