/** A member's role: `owner` may do everything, `admin` edits and invites and manages non-owners, `member` reads. */
export const MEMBER_ROLES = ['owner', 'admin', 'member'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** An invitation never makes an owner: ownership is transferred, with proof. */
export const INVITABLE_ROLES = ['admin', 'member'] as const;
export type InvitableRole = (typeof INVITABLE_ROLES)[number];

/** What each role may do in its organization: one table the services check and the role-matrix test reads. */
export const ROLE_PERMISSIONS = {
  read: ['owner', 'admin', 'member'],
  edit: ['owner', 'admin'],
  invite: ['owner', 'admin'],
  readInvitations: ['owner', 'admin'],
  manageMembers: ['owner', 'admin'],
  transfer: ['owner'],
  delete: ['owner'],
} as const satisfies Record<string, readonly MemberRole[]>;

export type OrganizationAction = keyof typeof ROLE_PERMISSIONS;

/** What a disabled organization still allows its members (with the role for it): reading. */
export const READ_ACTIONS: readonly OrganizationAction[] = ['read', 'readInvitations'];

export function roleMay(role: MemberRole, action: OrganizationAction): boolean {
  return (ROLE_PERMISSIONS[action] as readonly MemberRole[]).includes(role);
}
