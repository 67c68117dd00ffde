import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthContext } from '../../core/users/auth-context.js';
import { avatarUrlsOf } from '../../core/users/avatar-urls.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import { EventsService } from '../../core/events/events.service.js';
import type { MemberView } from '../../dialects/open-badge/organization.presenter.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { escapeLike } from '../../platform/database/escape-like.js';
import { DomainError, type ErrorEntry } from '../../platform/errors/domain-error.js';
import type { ListMembersQueryDto } from './dto/organization-input.dto.js';
import { ORGANIZATION_ERRORS } from './errors.js';
import { accessAs, assertUuid, type MemberAccess } from './organization-access.js';
import { roleMay, type MemberRole } from './organization-roles.js';
import { OrganizationsService } from './organizations.service.js';

export interface MemberPage {
  items: MemberView[];
  total: number;
  page: number;
  perPage: number;
  /** Owners and admins see addresses. */
  withEmail: boolean;
}

interface MemberRow {
  id: string;
  role: MemberRole;
  joined_at: Date;
  user_id: number;
  uuid: string;
  username: string;
  first_name: string | null;
  last_name: string | null;
  email: string;
  avatar_key: string | null;
  avatar_url: string | null;
}

/** The search of a member list: username and names for everyone, the address too for owners and admins ($3: the pattern or null). */
const SEARCH = `($3::text IS NULL OR u.username ILIKE $3 ESCAPE '\\' OR u.first_name ILIKE $3 ESCAPE '\\' OR u.last_name ILIKE $3 ESCAPE '\\'
                 OR (me.role IN ('owner', 'admin') AND u.email ILIKE $3 ESCAPE '\\'))`;

/**
 * Members and their roles. Every change locks the organization's row first (accessAs with `lock`), so changes of
 * one organization's members run one at a time and the "at least one owner" count each makes is the truth: two
 * owners demoting each other at once leave one owner.
 */
@Injectable()
export class OrganizationMembersService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: AppConfig,
    private readonly organizations: OrganizationsService,
    private readonly reauthentication: ReauthenticationService,
    private readonly events: EventsService,
  ) {}

  /**
   * A page of members, in the order they joined. Two statements whatever the size: the caller's role, the
   * organization and the total in one, the page (an index range of organization_memberships) in the other.
   */
  async list(auth: AuthContext, organizationId: string, query: ListMembersQueryDto): Promise<MemberPage> {
    assertUuid(organizationId);
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 15;
    const pattern = query.search ? `%${escapeLike(query.search)}%` : null;
    const [head] = (await this.dataSource.query(
      // Without a search the count reads the membership index alone; with one it joins the users.
      `SELECT me.role,
              CASE WHEN $3::text IS NULL THEN (SELECT count(*)::int FROM organization_memberships m WHERE m.organization_id = $1)
                   ELSE (SELECT count(*)::int FROM organization_memberships m JOIN users u ON u.id = m.user_id
                          WHERE m.organization_id = $1 AND ${SEARCH}) END AS total
         FROM organization_memberships me
        WHERE me.organization_id = $1 AND me.user_id = $2`,
      [organizationId, auth.user.id, pattern],
    )) as Array<{ role: MemberRole; total: number }>;
    if (!head) throw new DomainError(ORGANIZATION_ERRORS.ORGANIZATION_NOT_FOUND);
    const withEmail = roleMay(head.role, 'manageMembers');
    if (head.total <= (page - 1) * perPage) return { items: [], total: head.total, page, perPage, withEmail };
    const rows = (await this.dataSource.query(
      `SELECT m.id, m.role, m.created_at AS joined_at, u.id AS user_id, u.uuid, u.username, u.first_name, u.last_name, u.email,
              u.avatar_key, u.avatar_url
         FROM organization_memberships m
         JOIN users u ON u.id = m.user_id
         CROSS JOIN (SELECT $4::varchar AS role) me
        WHERE m.organization_id = $1 AND ${SEARCH}
        ORDER BY m.created_at, m.id
        LIMIT $2 OFFSET $5`,
      [organizationId, perPage, pattern, head.role, (page - 1) * perPage],
    )) as MemberRow[];
    return { items: rows.map((row) => this.view(row)), total: head.total, page, perPage, withEmail };
  }

  /** Owners change any role; admins change non-owners, never to owner. The last owner stays an owner. */
  async changeRole(auth: AuthContext, organizationId: string, userUuid: string, role: MemberRole): Promise<{ member: MemberView; withEmail: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const access = await accessAs(manager, auth, organizationId, 'manageMembers', { lock: true });
      const target = await this.member(manager, organizationId, userUuid);
      if ((target.role === 'owner' || role === 'owner') && access.role !== 'owner') throw new DomainError(ORGANIZATION_ERRORS.ONLY_OWNER_MAKES_OWNER);
      if (target.role === 'owner' && role !== 'owner') await this.assertAnotherOwner(manager, organizationId, target.user_id);
      if (target.role !== role) {
        await manager.query(`UPDATE organization_memberships SET role = $1 WHERE id = $2`, [role, target.id]);
        await this.organizations.record(manager, auth, 'organization:member.role-changed', [auth.user.id, target.user_id], organizationId, {
          member_uuid: target.uuid,
          from: target.role,
          to: role,
        });
        await this.emitMembership(manager, 'organization.member_role_changed', organizationId, target, role);
      }
      return { member: this.view({ ...target, role }), withEmail: true };
    });
  }

  /**
   * Removes a member: owners any, admins non-owners, anyone themself (leaving, also from a disabled organization).
   * The last owner can neither leave nor be removed. It stops being the member's current organization.
   */
  async remove(auth: AuthContext, organizationId: string, userUuid: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const leaving = userUuid.toLowerCase() === auth.user.uuid.toLowerCase();
      const access = await accessAs(manager, auth, organizationId, leaving ? 'leave' : 'manageMembers', { lock: true });
      const target = await this.member(manager, organizationId, userUuid);
      if (!leaving && target.role === 'owner' && access.role !== 'owner') throw new DomainError(ORGANIZATION_ERRORS.ONLY_OWNER_MAKES_OWNER);
      if (target.role === 'owner') await this.assertAnotherOwner(manager, organizationId, target.user_id);
      await this.removeMembership(manager, organizationId, target.id, target.user_id);
      await this.organizations.record(manager, auth, 'organization:member.removed', [auth.user.id, target.user_id], organizationId, {
        member_uuid: target.uuid,
        left: leaving,
      });
      await this.emitMembership(manager, 'organization.member_removed', organizationId, target, target.role);
    });
  }

  /** The owner hands ownership to a member (proof rule; never with an API key): they become owner, the caller admin. */
  async transfer(auth: AuthContext, organizationId: string, userUuid: string, currentPassword: string | undefined): Promise<MemberView> {
    assertUuid(organizationId);
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    return this.dataSource.transaction(async (manager) => {
      const access: MemberAccess = await accessAs(manager, auth, organizationId, 'transfer', { lock: true });
      if (userUuid.toLowerCase() === auth.user.uuid.toLowerCase()) throw new DomainError(ORGANIZATION_ERRORS.TRANSFER_TO_SELF);
      const target = await this.member(manager, organizationId, userUuid, ORGANIZATION_ERRORS.TRANSFER_TARGET_NOT_MEMBER);
      await manager.query(`UPDATE organization_memberships SET role = 'owner' WHERE id = $1`, [target.id]);
      await manager.query(`UPDATE organization_memberships SET role = 'admin' WHERE id = $1`, [access.membershipId]);
      await this.organizations.record(manager, auth, 'organization:ownership.transferred', [auth.user.id, target.user_id], organizationId, {
        to_uuid: target.uuid,
      });
      await this.emitMembership(manager, 'organization.member_role_changed', organizationId, target, 'owner');
      await this.emitMembership(manager, 'organization.member_role_changed', organizationId, { user_id: auth.user.id, uuid: auth.user.uuid }, 'admin');
      return this.view({ ...target, role: 'owner' });
    });
  }

  /** Deletes a membership on `manager`; the organization stops being that user's current one. */
  async removeMembership(manager: EntityManager, organizationId: string, membershipId: string, userId: number): Promise<void> {
    await manager.query(`DELETE FROM organization_memberships WHERE id = $1`, [membershipId]);
    await manager.query(`UPDATE users SET current_organization_id = NULL WHERE id = $1 AND current_organization_id = $2`, [userId, organizationId]);
  }

  /** A membership event about `member` (its `role`: the new one, or the one held when removed), on the change's transaction. */
  private async emitMembership(
    manager: EntityManager,
    type: 'organization.member_role_changed' | 'organization.member_removed',
    organizationId: string,
    member: Pick<MemberRow, 'user_id' | 'uuid'>,
    role: MemberRole,
  ): Promise<void> {
    await this.events.emit(manager, type, { organization_id: organizationId, user_id: member.user_id, user_uuid: member.uuid, role });
  }

  private async member(
    manager: EntityManager,
    organizationId: string,
    userUuid: string,
    missing: ErrorEntry = ORGANIZATION_ERRORS.MEMBER_NOT_FOUND,
  ): Promise<MemberRow> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(userUuid)) throw new DomainError(missing);
    const [row] = (await manager.query(
      `SELECT m.id, m.role, m.created_at AS joined_at, u.id AS user_id, u.uuid, u.username, u.first_name, u.last_name, u.email,
              u.avatar_key, u.avatar_url
         FROM organization_memberships m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 AND u.uuid = $2`,
      [organizationId, userUuid],
    )) as MemberRow[];
    if (!row) throw new DomainError(missing);
    return row;
  }

  /** Another owner than `userId` must remain (the organization row is locked by the caller). */
  private async assertAnotherOwner(manager: EntityManager, organizationId: string, userId: number): Promise<void> {
    const [{ others }] = (await manager.query(
      `SELECT count(*)::int AS others FROM organization_memberships WHERE organization_id = $1 AND role = 'owner' AND user_id <> $2`,
      [organizationId, userId],
    )) as Array<{ others: number }>;
    if (others === 0) throw new DomainError(ORGANIZATION_ERRORS.ORGANIZATION_NEEDS_OWNER);
  }

  private view(row: MemberRow): MemberView {
    return {
      id: row.id,
      role: row.role,
      joinedAt: row.joined_at,
      user: {
        uuid: row.uuid,
        username: row.username,
        firstName: row.first_name,
        lastName: row.last_name,
        email: row.email,
        thumbnail: avatarUrlsOf({ avatarKey: row.avatar_key, avatarUrl: row.avatar_url }, this.config.appUrl).thumbnail,
      },
    };
  }
}
