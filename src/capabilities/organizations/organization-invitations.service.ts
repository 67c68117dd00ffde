import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';
import type { AuthContext, ClientInfo } from '../../core/users/auth-context.js';
import { STATUS_ONCE_VERIFIED } from '../../core/users/user.entity.js';
import type { InvitationPreviewView, InvitationView } from '../../dialects/open-badge/organization.presenter.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { addressKey } from '../../platform/rate-limit/client-address.js';
import { RateLimiterService, type RateLimitRule } from '../../platform/rate-limit/rate-limiter.service.js';
import type { CreateInvitationDto, ListInvitationsQueryDto } from './dto/organization-input.dto.js';
import { Organization } from './entities/organization.entity.js';
import { ORGANIZATION_ERRORS } from './errors.js';
import { accessAs, assertUuid } from './organization-access.js';
import type { InvitableRole } from './organization-roles.js';
import { OrganizationsService } from './organizations.service.js';

/** Tokens are 32 random bytes (43 characters of base64url); only their SHA-256 is stored. */
const TOKEN_BYTES = 32;
/** Previews a client address may ask for per minute: a token cannot be guessed through the landing page. */
const PREVIEWS_PER_MINUTE = 30;

const hashOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

interface InvitationRow {
  id: string;
  organization_id: string;
  email: string;
  role: InvitableRole;
  status: 'pending' | 'accepted' | 'declined' | 'revoked' | 'expired';
  expires_at: Date;
  created_at: Date;
  inviter_uuid: string | null;
  inviter_username: string | null;
}

export interface InvitationPage {
  items: InvitationView[];
  total: number;
  page: number;
  perPage: number;
}

/** A pending invitation a token names, locked on the caller's transaction. */
interface SpendableInvitation {
  id: string;
  organizationId: string;
  email: string;
  role: InvitableRole;
}

const INVITATION_COLUMNS = `i.id, i.organization_id, i.email, i.role,
  CASE WHEN i.status = 'pending' AND i.expires_at <= now() THEN 'expired' ELSE i.status END AS status,
  i.expires_at, i.created_at, inviter.uuid AS inviter_uuid, inviter.username AS inviter_username`;

/**
 * Invitations (docs/api/organizations.md#invitations): a random single-use token, mailed, stored as a SHA-256 apart
 * from the invitation's id, bound to the invited address, living ORGANIZATION_INVITATION_TTL. One pending invitation
 * per organization and address (a partial unique index): inviting again renews it with a new token.
 */
@Injectable()
export class OrganizationInvitationsService {
  private readonly previewsByIp: RateLimitRule = { name: 'invitation-preview-ip', points: PREVIEWS_PER_MINUTE, durationSeconds: 60 };

  constructor(
    private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: AppConfig,
    private readonly mail: MailService,
    private readonly rateLimiter: RateLimiterService,
    private readonly organizations: OrganizationsService,
    private readonly events: EventsService,
  ) {}

  /** Invites an address (owners and admins); `created` is false when a pending invitation was renewed instead. */
  async invite(auth: AuthContext, organizationId: string, dto: CreateInvitationDto): Promise<{ invitation: InvitationView; created: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      // The lock orders invitations, accepts and member changes of the organization: the limits below hold.
      const { organization } = await accessAs(manager, auth, organizationId, 'invite', { lock: true });
      const [counts] = (await manager.query(
        `SELECT (SELECT count(*)::int FROM organization_memberships WHERE organization_id = $1) AS members,
                (SELECT count(*)::int FROM organization_invitations WHERE organization_id = $1 AND status = 'pending' AND expires_at > now()) AS pending,
                EXISTS (SELECT 1 FROM organization_memberships m JOIN users u ON u.id = m.user_id
                         WHERE m.organization_id = $1 AND lower(u.email) = lower($2)) AS is_member`,
        [organization.id, dto.email],
      )) as Array<{ members: number; pending: number; is_member: boolean }>;
      if (counts.is_member) throw new DomainError(ORGANIZATION_ERRORS.INVITEE_ALREADY_MEMBER);
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      const expiresAt = new Date(Date.now() + this.config.organizations.invitationTtlSeconds * 1000);
      const [existing] = (await manager.query(
        `SELECT id, expires_at > now() AS live FROM organization_invitations
          WHERE organization_id = $1 AND lower(email) = lower($2) AND status = 'pending' FOR UPDATE`,
        [organization.id, dto.email],
      )) as Array<{ id: string; live: boolean }>;
      let id: string;
      if (existing?.live) {
        // The same invitation, a new token: the link mailed before stops working.
        await manager.query(
          `UPDATE organization_invitations SET token_hash = $1, expires_at = $2, role = $3, invited_by_user_id = $4, updated_at = now() WHERE id = $5`,
          [hashOf(token), expiresAt, dto.role, auth.user.id, existing.id],
        );
        id = existing.id;
      } else {
        if (counts.pending >= this.config.organizations.pendingInvitationsMax) throw new DomainError(ORGANIZATION_ERRORS.PENDING_INVITATIONS_FULL);
        if (counts.members + counts.pending >= this.config.organizations.membersMax) throw new DomainError(ORGANIZATION_ERRORS.MEMBERS_FULL);
        if (existing) await manager.query(`UPDATE organization_invitations SET status = 'expired', updated_at = now() WHERE id = $1`, [existing.id]);
        const [inserted] = (await manager.query(
          `INSERT INTO organization_invitations (organization_id, email, role, token_hash, expires_at, invited_by_user_id)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [organization.id, dto.email, dto.role, hashOf(token), expiresAt, auth.user.id],
        )) as Array<{ id: string }>;
        id = inserted.id;
      }
      await this.mail.sendOrganizationInvitation(manager, dto.email, {
        token,
        organizationName: organization.name,
        invitedBy: auth.user.username,
        role: dto.role,
        expiresAt: expiresAt.toISOString(),
      });
      await this.organizations.record(manager, auth, 'organization:invitation.created', [auth.user.id], organization.id, {
        invitation_id: id,
        role: dto.role,
        renewed: existing?.live === true,
      });
      // A renewal mails a new link too: it is sent again, under the same id.
      await this.events.emit(manager, 'organization.invitation_created', { organization_id: organization.id, ...userRef(auth.user), invitation_id: id });
      return { invitation: await this.viewOf(manager, id), created: !existing?.live };
    });
  }

  /** The organization's invitations, newest first; `status` filters (`expired`: pending past its expiry). */
  async list(auth: AuthContext, organizationId: string, query: ListInvitationsQueryDto): Promise<InvitationPage> {
    const { organization } = await accessAs(this.dataSource.manager, auth, organizationId, 'readInvitations');
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 15;
    const filter =
      query.status === 'pending'
        ? `AND i.status = 'pending' AND i.expires_at > now()`
        : query.status === 'expired'
          ? `AND (i.status = 'expired' OR (i.status = 'pending' AND i.expires_at <= now()))`
          : query.status
            ? `AND i.status = $4`
            : '';
    const values: unknown[] = [organization.id, perPage, (page - 1) * perPage];
    if (query.status && query.status !== 'pending' && query.status !== 'expired') values.push(query.status);
    const rows = (await this.dataSource.query(
      `SELECT ${INVITATION_COLUMNS}, count(*) OVER ()::int AS total
         FROM organization_invitations i LEFT JOIN users inviter ON inviter.id = i.invited_by_user_id
        WHERE i.organization_id = $1 ${filter}
        ORDER BY i.created_at DESC, i.id
        LIMIT $2 OFFSET $3`,
      values,
    )) as Array<InvitationRow & { total: number }>;
    let total = rows[0]?.total ?? 0;
    if (rows.length === 0 && page > 1) {
      const [counted] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM organization_invitations i WHERE i.organization_id = $1 ${filter.replace('$4', '$2')}`, [
        organization.id,
        ...values.slice(3),
      ])) as Array<{ total: number }>;
      total = counted.total;
    }
    return { items: rows.map((row) => this.view(row)), total, page, perPage };
  }

  /** Revokes a pending invitation: its link stops working. */
  async revoke(auth: AuthContext, organizationId: string, invitationId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const { organization } = await accessAs(manager, auth, organizationId, 'invite', { lock: true });
      assertUuid(invitationId, ORGANIZATION_ERRORS.INVITATION_NOT_FOUND);
      const [revoked] = (await manager.query(
        `UPDATE organization_invitations SET status = 'revoked', updated_at = now()
          WHERE id = $1 AND organization_id = $2 AND status = 'pending' RETURNING id`,
        [invitationId, organization.id],
      )) as [Array<{ id: string }>, number];
      if (revoked.length === 0) throw new DomainError(ORGANIZATION_ERRORS.INVITATION_NOT_FOUND);
      await this.organizations.record(manager, auth, 'organization:invitation.revoked', [auth.user.id], organization.id, { invitation_id: invitationId });
    });
  }

  /** What the landing page shows of a live invitation (never its address); 30 a minute per client address. */
  async preview(token: string, client: ClientInfo): Promise<InvitationPreviewView> {
    await this.rateLimiter.consume(this.previewsByIp, addressKey(client.ip));
    const [row] = (await this.dataSource.query(
      `SELECT i.role, i.expires_at, o.id, o.name, o.logo_key
         FROM organization_invitations i JOIN organizations o ON o.id = i.organization_id
        WHERE i.token_hash = $1 AND i.status = 'pending' AND i.expires_at > now()`,
      [hashOf(token)],
    )) as Array<{ role: InvitableRole; expires_at: Date; id: string; name: string; logo_key: string | null }>;
    if (!row) throw new DomainError(ORGANIZATION_ERRORS.INVITATION_INVALID);
    return { organization: { id: row.id, name: row.name, logoKey: row.logo_key }, role: row.role, expiresAt: row.expires_at };
  }

  /**
   * Accepts: the signed-in user's address must be the invited one. Joins with the invitation's role; the address is
   * verified if it was not (the token proves the mailbox); the organization becomes current when there is none.
   */
  async accept(auth: AuthContext, token: string): Promise<Organization> {
    return this.dataSource.transaction(async (manager) => {
      const invitation = await this.spendable(manager, token, auth.user.email);
      await this.join(manager, invitation, auth.user.id, auth);
      return manager.findOneByOrFail(Organization, { id: invitation.organizationId });
    });
  }

  async decline(auth: AuthContext, token: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const invitation = await this.spendable(manager, token, auth.user.email);
      await manager.query(`UPDATE organization_invitations SET status = 'declined', updated_at = now() WHERE id = $1`, [invitation.id]);
    });
  }

  /**
   * Registration through an invitation link, before the account exists: the token must be live and bound to the
   * address being registered. Checked again, and spent, by `joinNewAccount` on the registration's transaction.
   */
  async assertRegistrable(token: string, email: string): Promise<void> {
    const [row] = (await this.dataSource.query(
      `SELECT lower(email) = lower($2) AS same FROM organization_invitations WHERE token_hash = $1 AND status = 'pending' AND expires_at > now()`,
      [hashOf(token), email],
    )) as Array<{ same: boolean }>;
    if (!row) throw new DomainError(ORGANIZATION_ERRORS.INVITATION_INVALID);
    if (!row.same) throw new DomainError(ORGANIZATION_ERRORS.INVITATION_TOKEN_ADDRESS_MISMATCH);
  }

  /** On the registration's transaction: the new account joins through the invitation (its address is verified by it). */
  async joinNewAccount(manager: EntityManager, token: string, user: { id: number; email: string }, client: ClientInfo): Promise<void> {
    const invitation = await this.spendable(manager, token, user.email);
    await this.join(manager, invitation, user.id, { client, actorId: user.id });
  }

  /** The pending, live invitation of `token`, locked; the address must be the invited one. */
  private async spendable(manager: EntityManager, token: string, email: string): Promise<SpendableInvitation> {
    const [row] = (await manager.query(
      `SELECT i.id, i.organization_id, i.email, i.role, o.status AS organization_status
         FROM organization_invitations i JOIN organizations o ON o.id = i.organization_id
        WHERE i.token_hash = $1 AND i.status = 'pending' AND i.expires_at > now()
        FOR UPDATE OF i`,
      [hashOf(token)],
    )) as Array<{ id: string; organization_id: string; email: string; role: InvitableRole; organization_status: string }>;
    if (!row) throw new DomainError(ORGANIZATION_ERRORS.INVITATION_INVALID);
    if (row.email.toLowerCase() !== email.toLowerCase()) throw new DomainError(ORGANIZATION_ERRORS.INVITATION_OTHER_ADDRESS);
    if (row.organization_status === 'disabled') throw new DomainError(ORGANIZATION_ERRORS.ORGANIZATION_DISABLED);
    return { id: row.id, organizationId: row.organization_id, email: row.email, role: row.role };
  }

  private async join(
    manager: EntityManager,
    invitation: SpendableInvitation,
    userId: number,
    actor: AuthContext | { client: ClientInfo; actorId: number },
  ): Promise<void> {
    // The organization's lock orders this join with member changes and the members limit.
    await manager.query(`SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE`, [invitation.organizationId]);
    const [{ members }] = (await manager.query(`SELECT count(*)::int AS members FROM organization_memberships WHERE organization_id = $1`, [
      invitation.organizationId,
    ])) as Array<{ members: number }>;
    const [joined] = (await manager.query(
      `INSERT INTO organization_memberships (organization_id, user_id, role)
       SELECT $1, $2, $3 WHERE $4::int < $5::int
       ON CONFLICT (organization_id, user_id) DO NOTHING RETURNING id`,
      [invitation.organizationId, userId, invitation.role, members, this.config.organizations.membersMax],
    )) as Array<{ id: string }>;
    const [already] = joined ? [] : ((await manager.query(`SELECT 1 FROM organization_memberships WHERE organization_id = $1 AND user_id = $2`, [
      invitation.organizationId,
      userId,
    ])) as unknown[]);
    if (!joined && !already) throw new DomainError(ORGANIZATION_ERRORS.MEMBERS_FULL);
    await manager.query(`UPDATE organization_invitations SET status = 'accepted', updated_at = now() WHERE id = $1`, [invitation.id]);
    await manager.query(`UPDATE users SET current_organization_id = $1 WHERE id = $2 AND current_organization_id IS NULL`, [invitation.organizationId, userId]);
    // The token reached this mailbox: the address is proven (the status leaves Unconfirmed as a verification's does).
    await manager.query(
      `UPDATE users SET email_verified_at = now(), status = ${STATUS_ONCE_VERIFIED()} WHERE id = $1 AND email_verified_at IS NULL`,
      [userId],
    );
    const properties = { organization_id: invitation.organizationId, invitation_id: invitation.id, role: invitation.role };
    for (const event of ['organization:invitation.accepted', 'organization:member.added'] as const) {
      await this.organizations.activityFor(manager, actor, event, userId, properties);
    }
    const ids = { organization_id: invitation.organizationId };
    await this.events.emitForUser(manager, 'organization.invitation_accepted', userId, { ...ids, invitation_id: invitation.id });
    // Accepting while already a member (an invitation sent before they joined otherwise) adds nobody.
    if (joined) await this.events.emitForUser(manager, 'organization.member_added', userId, { ...ids, role: invitation.role });
  }

  private async viewOf(manager: EntityManager, id: string): Promise<InvitationView> {
    const [row] = (await manager.query(
      `SELECT ${INVITATION_COLUMNS} FROM organization_invitations i LEFT JOIN users inviter ON inviter.id = i.invited_by_user_id WHERE i.id = $1`,
      [id],
    )) as InvitationRow[];
    return this.view(row);
  }

  private view(row: InvitationRow): InvitationView {
    return {
      id: row.id,
      email: row.email,
      role: row.role,
      status: row.status,
      expiresAt: row.expires_at,
      invitedBy: row.inviter_uuid && row.inviter_username ? { uuid: row.inviter_uuid, username: row.inviter_username } : null,
      createdAt: row.created_at,
    };
  }
}
