import { defineErrors } from '../../platform/errors/error-catalogue.js';

/** The errors of organizations, their members and invitations (docs/api/organizations.md). */
export const ORGANIZATION_ERRORS = defineErrors({
  ORGANIZATION_NOT_FOUND: {
    status: 404,
    message: 'Not Found.',
    when: 'No such organization, or the caller is not one of its members (a non-member learns nothing of it).',
  },
  ORGANIZATION_FORBIDDEN: {
    status: 403,
    message: 'You do not have permission to do this in this organization.',
    when: "The caller's role in the organization does not allow this.",
  },
  ORGANIZATION_DISABLED: {
    status: 403,
    message: 'This organization is disabled.',
    when: 'The organization is disabled: its members may read it and leave it, nothing else.',
  },
  ORGANIZATION_NEEDS_OWNER: {
    status: 422,
    message: 'An organization needs an owner; transfer ownership first.',
    when: 'The change would leave the organization without an owner.',
  },
  ORGANIZATIONS_PER_USER_REACHED: {
    status: 422,
    message: 'You have reached the number of organizations you may create.',
    when: 'The caller already created ORGANIZATIONS_PER_USER organizations that still exist.',
    field: { name: 'name', rule: 'max' },
  },
  MEMBER_NOT_FOUND: {
    status: 404,
    message: 'Not Found.',
    when: 'No member of the organization has this user uuid.',
  },
  ONLY_OWNER_MAKES_OWNER: {
    status: 403,
    message: 'You do not have permission to do this in this organization.',
    when: 'An admin tried to make an owner, or to change or remove an owner.',
  },
  TRANSFER_TO_SELF: {
    status: 422,
    message: 'The user_uuid must be another member of the organization.',
    when: 'The owner named themself.',
    field: { name: 'user_uuid', rule: 'different' },
  },
  TRANSFER_TARGET_NOT_MEMBER: {
    status: 422,
    message: 'The user_uuid must be a member of the organization.',
    when: '`user_uuid` names nobody in the organization.',
    field: { name: 'user_uuid', rule: 'exists' },
  },
  INVITEE_ALREADY_MEMBER: {
    status: 422,
    message: 'This address already belongs to a member of the organization.',
    when: 'The invited address is that of a member.',
    field: { name: 'email', rule: 'unique' },
  },
  PENDING_INVITATIONS_FULL: {
    status: 422,
    message: 'The organization has too many pending invitations; revoke some first.',
    when: 'The organization already has ORGANIZATION_PENDING_INVITATIONS_MAX pending invitations.',
    field: { name: 'email', rule: 'max' },
  },
  MEMBERS_FULL: {
    status: 422,
    message: 'The organization has reached its number of members.',
    when: 'Members and pending invitations together reached ORGANIZATION_MEMBERS_MAX.',
    field: { name: 'email', rule: 'max' },
  },
  INVITATION_NOT_FOUND: {
    status: 404,
    message: 'Not Found.',
    when: 'The organization has no invitation with this id.',
  },
  INVITATION_INVALID: {
    status: 400,
    message: 'This invitation is invalid or has expired.',
    when: 'The token is unknown, already used, revoked, declined or expired.',
  },
  INVITATION_OTHER_ADDRESS: {
    status: 403,
    message: 'This invitation was sent to another address.',
    when: "The signed-in user's address is not the invited one.",
  },
  INVITATION_TOKEN_ADDRESS_MISMATCH: {
    status: 422,
    message: 'The email must be the address the invitation was sent to.',
    when: 'A registration with `invitation_token` gave another address.',
    field: { name: 'email', rule: 'same' },
  },
});

/** Deleting an account that organizations still need. */
export const ACCOUNT_DELETION_ORGANIZATION_ERRORS = defineErrors({
  TRANSFER_OWNERSHIP_FIRST: {
    status: 409,
    message: 'Transfer ownership of <name> first.',
    when: 'The account is the last owner of an organization that has other members.',
  },
});
