import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of an account's own fields. */
export const USER_ERRORS = defineErrors({
  UNKNOWN_COUNTRY: {
    status: 422,
    message: 'The selected country_id is invalid.',
    when: 'No country has this `country_id`.',
    field: { name: 'country_id', rule: 'exists' },
  },
});
