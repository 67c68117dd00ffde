import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of the admin's changes to users; an admin's own account is changed through /api/me. */
export const ADMIN_ERRORS = defineErrors({
  CANNOT_DEMOTE_SELF: {
    status: 403,
    message: 'You cannot remove the admin role from your own account.',
    when: 'The admin gave their own account a role other than admin.',
  },
  CANNOT_BAN_SELF: { status: 403, message: 'You cannot ban your own account.', when: 'The admin set their own status to Banned.' },
  CANNOT_DELETE_SELF: { status: 403, message: 'You cannot delete your own account.', when: 'The admin deleted their own account here.' },
  UNKNOWN_ROLE: {
    status: 422,
    message: 'The selected role_id is invalid.',
    when: 'No role has this `role_id`.',
    field: { name: 'role_id', rule: 'exists' },
  },
});
