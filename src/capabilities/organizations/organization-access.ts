import type { EntityManager } from 'typeorm';
import { DomainError, type ErrorEntry } from '../../platform/errors/domain-error.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { Organization } from './entities/organization.entity.js';
import { OrganizationMembership } from './entities/organization-membership.entity.js';
import { ORGANIZATION_ERRORS } from './errors.js';
import { READ_ACTIONS, roleMay, type MemberRole, type OrganizationAction } from './organization-roles.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path's id that is no uuid names nothing: 404 before any statement. */
export function assertUuid(id: string, notFound: ErrorEntry = ORGANIZATION_ERRORS.ORGANIZATION_NOT_FOUND): void {
  if (!UUID.test(id)) throw new DomainError(notFound);
}

/** The organization and the caller's role in it, read together on every request (a demotion counts at once). */
export interface MemberAccess {
  organization: Organization;
  role: MemberRole;
  membershipId: string;
}

/**
 * Reads the organization and the caller's membership in one statement, on `manager` (with `lock`, the organization
 * row is locked FOR UPDATE: every change of an organization's members takes that lock, so two changes of one
 * organization run one after the other and each sees the other's result). A non-member gets 404, as for an
 * organization that does not exist; a member whose role does not allow `action` 403; anyone but a platform admin
 * changing a disabled organization 403 (reading and leaving stay open).
 */
export async function accessAs(
  manager: EntityManager,
  auth: AuthContext,
  organizationId: string,
  action: OrganizationAction | 'leave',
  options: { lock?: boolean } = {},
): Promise<MemberAccess> {
  assertUuid(organizationId);
  const query = manager
    .createQueryBuilder(Organization, 'o')
    .innerJoin(OrganizationMembership, 'm', 'm.organization_id = o.id AND m.user_id = :userId', { userId: auth.user.id })
    .addSelect(['m.role AS member_role', 'm.id AS membership_id'])
    .where('o.id = :id', { id: organizationId });
  if (options.lock) query.setLock('pessimistic_write', undefined, ['o']);
  const { entities, raw } = await query.getRawAndEntities<{ member_role: MemberRole; membership_id: string }>();
  const organization = entities[0];
  if (!organization) throw new DomainError(ORGANIZATION_ERRORS.ORGANIZATION_NOT_FOUND);
  const role = raw[0].member_role;
  if (action !== 'leave') {
    if (!roleMay(role, action)) throw new DomainError(ORGANIZATION_ERRORS.ORGANIZATION_FORBIDDEN);
    if (!READ_ACTIONS.includes(action) && organization.status === 'disabled') throw new DomainError(ORGANIZATION_ERRORS.ORGANIZATION_DISABLED);
  }
  return { organization, role, membershipId: raw[0].membership_id };
}
