import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of managing webhook endpoints. */
export const WEBHOOK_ERRORS = defineErrors({
  URL_NOT_ALLOWED: {
    status: 422,
    message: 'The url must be an https URL without credentials whose host resolves only to public addresses.',
    when:
      '`url` is not https (plain http only with WEBHOOK_ALLOW_PRIVATE_TARGETS), carries a user name or password, or its host resolves to a ' +
      'loopback, private, link-local or metadata address (allowed only with WEBHOOK_ALLOW_PRIVATE_TARGETS).',
    field: { name: 'url', rule: 'url' },
  },
  URL_UNRESOLVABLE: {
    status: 422,
    message: 'The url host does not resolve.',
    when: "`url`'s host name has no address.",
    field: { name: 'url', rule: 'url' },
  },
  DELIVERY_PENDING: {
    status: 409,
    message: 'The delivery is still pending; it is retried on its own.',
    when: 'The delivery has not settled yet (it is being delivered or waits for its next attempt).',
  },
  ENDPOINT_DISABLED: {
    status: 409,
    message: 'The webhook endpoint is disabled; enable it first.',
    when: 'A test or a retry was asked of a disabled endpoint.',
  },
});
