import { Injectable } from '@nestjs/common';
import type { AccountErasure, AfterErasure, ExportSection, ExportSubject, LifecycleParticipant } from '../../core/lifecycle/account-lifecycle.js';
import { isoOrNull } from '../../core/lifecycle/account-lifecycle.js';
import { EventsService } from '../../core/events/events.service.js';
import { avatarFileNames } from '../../core/users/avatar-urls.js';
import { DataSource } from 'typeorm';
import { DomainError } from '../../platform/errors/domain-error.js';
import { AvatarFileRemovals } from '../avatar/avatar-file-removals.service.js';
import { ACCOUNT_DELETION_ORGANIZATION_ERRORS } from './errors.js';

/**
 * Organizations in the account's life. Deleting an account that is the last owner of an organization with other
 * members is refused (409, nothing changes): ownership is transferred first. An organization whose only member is
 * the account goes with it (its invitations and logo too); memberships of the others go with the user row; the
 * account's name leaves the organizations it created and the invitations it sent (SET NULL).
 */
@Injectable()
export class OrganizationsLifecycle implements LifecycleParticipant {
  readonly name = 'organizations';
  readonly tables = ['organizations', 'organization_memberships', 'organization_invitations'];
  readonly exportSections: ExportSection[] = [
    { key: 'organizations', order: 82, write: (subject) => this.exportMemberships(subject) },
    { key: 'organization_invitations', order: 84, write: (subject) => this.exportInvitations(subject) },
  ];

  constructor(
    private readonly dataSource: DataSource,
    private readonly removals: AvatarFileRemovals,
    private readonly events: EventsService,
  ) {}

  async erase({ userId, manager }: AccountErasure): Promise<AfterErasure | void> {
    // The organizations the account owns, locked: no member joins or is promoted while the rule below is decided.
    const owned = (await manager.query(
      `SELECT o.id, o.name, o.logo_key,
              (SELECT count(*)::int FROM organization_memberships x WHERE x.organization_id = o.id AND x.user_id <> $1) AS others,
              (SELECT count(*)::int FROM organization_memberships x WHERE x.organization_id = o.id AND x.user_id <> $1 AND x.role = 'owner') AS other_owners
         FROM organizations o JOIN organization_memberships m ON m.organization_id = o.id AND m.user_id = $1 AND m.role = 'owner'
        ORDER BY o.created_at, o.id
          FOR UPDATE OF o`,
      [userId],
    )) as Array<{ id: string; name: string; logo_key: string | null; others: number; other_owners: number }>;
    const stranded = owned.find((organization) => organization.others > 0 && organization.other_owners === 0);
    if (stranded) throw new DomainError(ACCOUNT_DELETION_ORGANIZATION_ERRORS.TRANSFER_OWNERSHIP_FIRST, { params: { name: stranded.name } });
    const alone = owned.filter((organization) => organization.others === 0);
    const names = alone.flatMap((organization) => (organization.logo_key ? avatarFileNames(organization.logo_key) : []));
    await this.emitDepartures(manager, userId, new Set(alone.map((organization) => organization.id)));
    if (alone.length > 0) await manager.query(`DELETE FROM organizations WHERE id = ANY($1::uuid[])`, [alone.map((organization) => organization.id)]);
    if (names.length === 0) return;
    await this.removals.schedule(names, manager);
    return async () => {
      await this.removals.removeNow(names);
    };
  }

  /**
   * The events of the account's leaving, while its row (and uuid) is still there: `organization.deleted` for each
   * organization that goes with it (the account deleted it), `organization.member_removed` for each it leaves.
   */
  private async emitDepartures(manager: AccountErasure['manager'], userId: number, deleted: Set<string>): Promise<void> {
    const memberships = (await manager.query(
      `SELECT organization_id, role FROM organization_memberships WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    )) as Array<{ organization_id: string; role: 'owner' | 'admin' | 'member' }>;
    for (const { organization_id, role } of memberships) {
      if (deleted.has(organization_id)) await this.events.emitForUser(manager, 'organization.deleted', userId, { organization_id });
      else await this.events.emitForUser(manager, 'organization.member_removed', userId, { organization_id, role });
    }
  }

  private async exportMemberships({ profile: { user } }: ExportSubject) {
    const rows = (await this.dataSource.query(
      `SELECT o.id, o.name, m.role, m.created_at, (u.current_organization_id = o.id) AS current
         FROM organization_memberships m JOIN organizations o ON o.id = m.organization_id JOIN users u ON u.id = m.user_id
        WHERE m.user_id = $1 ORDER BY m.created_at, m.id`,
      [user.id],
    )) as Array<{ id: string; name: string; role: string; created_at: Date; current: boolean | null }>;
    return rows.map((row) => ({
      organization_id: row.id,
      organization_name: row.name,
      role: row.role,
      current: row.current === true,
      joined_at: isoOrNull(row.created_at),
    }));
  }

  /** Invitations sent to the account's address (what the account received), never their tokens. */
  private async exportInvitations({ profile: { user } }: ExportSubject) {
    const rows = (await this.dataSource.query(
      `SELECT i.id, i.organization_id, o.name, i.email, i.role,
              CASE WHEN i.status = 'pending' AND i.expires_at <= now() THEN 'expired' ELSE i.status END AS status,
              i.created_at, i.expires_at
         FROM organization_invitations i JOIN organizations o ON o.id = i.organization_id
        WHERE lower(i.email) = lower($1) ORDER BY i.created_at, i.id`,
      [user.email],
    )) as Array<{ id: string; organization_id: string; name: string; email: string; role: string; status: string; created_at: Date; expires_at: Date }>;
    return rows.map((row) => ({
      id: row.id,
      organization_id: row.organization_id,
      organization_name: row.name,
      email: row.email,
      role: row.role,
      status: row.status,
      created_at: isoOrNull(row.created_at),
      expires_at: isoOrNull(row.expires_at),
    }));
  }
}
