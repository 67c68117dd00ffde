import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ActivityService, type ActivityEvent } from '../../core/activity/activity.service.js';
import type { ActivityProperties } from '../../core/activity/activity-log.entity.js';
import type { AccountUser } from '../../core/users/account-user.js';
import type { AuthContext, ClientInfo } from '../../core/users/auth-context.js';
import { assertAddressProven } from '../../core/credentials/new-credential.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';
import { avatarFileNames } from '../../core/users/avatar-urls.js';
import { presentOrganization, type OrganizationUrls, type OrganizationView } from '../../dialects/open-badge/organization.presenter.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { jsonObject, PreparedQuery } from '../../platform/database/entity-rows.js';
import { escapeLike } from '../../platform/database/escape-like.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { AvatarFileRemovals } from '../avatar/avatar-file-removals.service.js';
import type {
  AdminListOrganizationsQueryDto,
  AdminUpdateOrganizationDto,
  CreateOrganizationDto,
  OrganizationDescriptiveInput,
} from './dto/organization-input.dto.js';
import {
  Organization,
  type AddressInfo,
  type BillingInfo,
  type ContactInfo,
  type OrganizationSettings,
} from './entities/organization.entity.js';
import { OrganizationMembership } from './entities/organization-membership.entity.js';
import { ORGANIZATION_ERRORS } from './errors.js';
import { accessAs, assertUuid } from './organization-access.js';
import { organizationUrlsOf } from './organization.presenters.js';
import { sanitizeDescription } from './organization-description.js';
import type { MemberRole } from './organization-roles.js';

const EMPTY_ADDRESS: AddressInfo = { city: null, state: null, region: null, street: null, country: null, postcode: null };
const EMPTY_BILLING: BillingInfo = { vat: null, email: null, code_dest: null, fiscal_code: null, certified_email: null, legal_name: null };
const EMPTY_CONTACT: ContactInfo = { name: null, email: null, mobile: null, last_name: null, tech_email: null, legal_email: null };
const EMPTY_SETTINGS: OrganizationSettings = { public_profile: 0, public_badge_types: 0, public_learning_paths: 0, public_badge_templates: 0 };

/** The sub-fields a PATCH sent replace those stored; the others stay (only the object's own keys count). */
function merged<T extends object>(stored: T, sent: Partial<T> | undefined): T {
  if (!sent) return stored;
  const given = Object.fromEntries(Object.entries(sent).filter(([key, value]) => value !== undefined && key in stored));
  return { ...stored, ...given };
}

/** `Y-m-d H:i:s` (UTC) or ISO 8601 with an offset, as the host application sends a billing period. */
function periodInstant(field: string, value: string | null | undefined): Date | null | undefined {
  if (value === undefined || value === null) return value;
  const withZone = /([zZ]|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
  const instant = new Date(withZone.replace(' ', 'T'));
  if (Number.isNaN(instant.getTime())) throw DomainError.invalid(field, `The ${field} must be a date-time as Y-m-d H:i:s or ISO 8601.`, 'date');
  return instant;
}

/** One of the caller's organizations with their role in it. */
export interface MyOrganization {
  organization: Organization;
  role: MemberRole;
  joinedAt: Date;
  current: boolean;
}

export interface OrganizationPage {
  items: Organization[];
  total: number;
  page: number;
  perPage: number;
}

/** Fields of the organization object an `organization.updated` event never reports: they move with every change. */
const UNREPORTED_FIELDS = new Set(['updated_at', 'created_at']);

const isoTimestamp = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Each OrganizationView property of the organizations row `o`, for the hot read's one JSON object. */
const ORGANIZATION_FIELDS: Record<keyof OrganizationView, string> = {
  id: 'o.id',
  type: 'o.type',
  activity: 'o.activity',
  name: 'o.name',
  description: 'o.description',
  addressInfo: 'o.address_info',
  billingInfo: 'o.billing_info',
  contactInfo: 'o.contact_info',
  settings: 'o.settings',
  language: 'o.language',
  website: 'o.website',
  status: 'o.status',
  logoKey: 'o.logo_key',
  creditsLeft: 'o.credits_left',
  badgeTemplatesCount: 'o.badge_templates_count',
  badgesCount: 'o.badges_count',
  stripeCustomerId: 'o.stripe_customer_id',
  subscriptionId: 'o.subscription_id',
  subscriptionStatus: 'o.subscription_status',
  currentPeriodStart: isoTimestamp('o.current_period_start'),
  currentPeriodEnd: isoTimestamp('o.current_period_end'),
  createdAt: isoTimestamp('o.created_at'),
  updatedAt: isoTimestamp('o.updated_at'),
};

/**
 * Organizations themselves: create, read, edit, delete, the caller's list and current one, and the platform
 * admins' routes. Each change is one method with its transaction's `manager` in hand, where the activity entries
 * (and any later event) are written.
 */
@Injectable()
export class OrganizationsService {
  /** The `001` family's current organization: one prepared statement, only for a user who has one. */
  private readonly currentRead: PreparedQuery;
  private readonly urls: OrganizationUrls;

  constructor(
    private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: AppConfig,
    private readonly activity: ActivityService,
    private readonly reauthentication: ReauthenticationService,
    private readonly removals: AvatarFileRemovals,
    private readonly events: EventsService,
  ) {
    this.urls = organizationUrlsOf(config);
    this.currentRead = new PreparedQuery(
      dataSource,
      'tessera_current_organization',
      `SELECT ${jsonObject(ORGANIZATION_FIELDS)} FROM organizations o
        WHERE o.id = $1 AND EXISTS (SELECT 1 FROM organization_memberships m WHERE m.organization_id = o.id AND m.user_id = $2)`,
    );
  }

  /**
   * The user's current organization, for GET /api/v1/auth/user: no statement without one, one with one (the
   * membership is checked in it, so a stale pointer shows null).
   */
  async currentOf(user: Pick<AccountUser, 'id' | 'currentOrganizationId'>): Promise<OrganizationView | null> {
    if (!user.currentOrganizationId) return null;
    return (await this.currentRead.value<OrganizationView>([user.currentOrganizationId, user.id])) ?? null;
  }

  /** A new organization, its creator its owner (and on it, when they had no current one). */
  async create(auth: AuthContext, dto: CreateOrganizationDto): Promise<Organization> {
    assertAddressProven(auth);
    return this.dataSource.transaction(async (manager) => {
      // The creator's row orders their creations, so the count below cannot be passed by two requests at once.
      await manager.query(`SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, [auth.user.id]);
      const created = await manager.count(Organization, { where: { createdByUserId: auth.user.id } });
      if (created >= this.config.organizations.perUser) throw new DomainError(ORGANIZATION_ERRORS.ORGANIZATIONS_PER_USER_REACHED);
      const organization = manager.create(Organization, {
        name: dto.name,
        ...this.descriptive(dto, {
          addressInfo: EMPTY_ADDRESS,
          billingInfo: EMPTY_BILLING,
          contactInfo: EMPTY_CONTACT,
          settings: EMPTY_SETTINGS,
        }),
        createdByUserId: auth.user.id,
      });
      await manager.save(organization);
      await manager.insert(OrganizationMembership, { organizationId: organization.id, userId: auth.user.id, role: 'owner' });
      await manager.query(`UPDATE users SET current_organization_id = $1 WHERE id = $2 AND current_organization_id IS NULL`, [
        organization.id,
        auth.user.id,
      ]);
      await this.record(manager, auth, 'organization:created', [auth.user.id], organization.id);
      const actor = { organization_id: organization.id, ...userRef(auth.user) };
      await this.events.emit(manager, 'organization.created', actor);
      // The creator is its first member: receivers that follow memberships see them join like any other.
      await this.events.emit(manager, 'organization.member_added', { ...actor, role: 'owner' });
      return manager.findOneByOrFail(Organization, { id: organization.id });
    });
  }

  /** Every organization the user belongs to, oldest membership first, with the role and which one is current. */
  async listMine(user: Pick<AccountUser, 'id'>): Promise<MyOrganization[]> {
    const { entities, raw } = await this.dataSource
      .createQueryBuilder(Organization, 'o')
      .innerJoin(OrganizationMembership, 'm', 'm.organization_id = o.id AND m.user_id = :userId', { userId: user.id })
      .innerJoin('users', 'u', 'u.id = m.user_id')
      .addSelect(['m.role AS member_role', 'm.created_at AS joined_at', '(u.current_organization_id = o.id) AS is_current'])
      .orderBy('m.created_at', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .getRawAndEntities<{ member_role: MemberRole; joined_at: Date; is_current: boolean | null }>();
    return entities.map((organization, index) => ({
      organization,
      role: raw[index].member_role,
      joinedAt: raw[index].joined_at,
      current: raw[index].is_current === true,
    }));
  }

  /** Chooses the organization the `001` family shows (one of the user's), or none. */
  async setCurrent(auth: AuthContext, organizationId: string | null): Promise<Organization | null> {
    return this.dataSource.transaction(async (manager) => {
      if (organizationId === null) {
        await manager.query(`UPDATE users SET current_organization_id = NULL WHERE id = $1`, [auth.user.id]);
        return null;
      }
      const { organization } = await accessAs(manager, auth, organizationId, 'read');
      await manager.query(`UPDATE users SET current_organization_id = $1 WHERE id = $2`, [organization.id, auth.user.id]);
      return organization;
    });
  }

  async get(auth: AuthContext, organizationId: string): Promise<Organization> {
    return (await accessAs(this.dataSource.manager, auth, organizationId, 'read')).organization;
  }

  /** Owners and admins edit the descriptive fields; the sub-objects keep what a PATCH does not send. */
  async update(auth: AuthContext, organizationId: string, dto: OrganizationDescriptiveInput & { name?: string }): Promise<Organization> {
    return this.dataSource.transaction(async (manager) => {
      const { organization } = await accessAs(manager, auth, organizationId, 'edit', { lock: true });
      return this.applyChanges(manager, auth, organization, dto, {});
    });
  }

  /** The owner deletes it (proof rule; never with an API key): memberships, invitations and logo files go. */
  async delete(auth: AuthContext, organizationId: string, currentPassword: string | undefined): Promise<void> {
    assertUuid(organizationId);
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    const logoKey = await this.dataSource.transaction(async (manager) => {
      const { organization } = await accessAs(manager, auth, organizationId, 'delete', { lock: true });
      return this.deleteLocked(manager, auth, organization);
    });
    if (logoKey) await this.removals.removeNow(avatarFileNames(logoKey));
  }

  /**
   * Deletes a locked organization on `manager`: the activity entry goes to every member's log, the rows go
   * (memberships and invitations by cascade, current pointers by SET NULL), the logo's files are scheduled for
   * removal. Returns the logo key, for removing its files once committed.
   */
  async deleteLocked(manager: EntityManager, auth: AuthContext | null, organization: Organization): Promise<string | null> {
    const members = (await manager.query(`SELECT user_id FROM organization_memberships WHERE organization_id = $1`, [organization.id])) as Array<{
      user_id: number;
    }>;
    const userIds = [...new Set([...(auth ? [auth.user.id] : []), ...members.map((member) => member.user_id)])];
    for (const userId of userIds) {
      await this.activity.record(
        { event: 'organization:deleted', userId, ...(auth ? { auth } : { actorId: null }), properties: { organization_id: organization.id, name: organization.name } },
        manager,
      );
    }
    if (auth) await this.events.emit(manager, 'organization.deleted', { organization_id: organization.id, ...userRef(auth.user) });
    if (organization.logoKey) await this.removals.schedule(avatarFileNames(organization.logoKey), manager);
    await manager.delete(Organization, { id: organization.id });
    return organization.logoKey;
  }

  // Platform admins

  async adminList(query: AdminListOrganizationsQueryDto): Promise<OrganizationPage> {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 15;
    const builder = this.dataSource.createQueryBuilder(Organization, 'o');
    if (query.search) builder.andWhere(`lower(o.name) LIKE :search ESCAPE '\\'`, { search: `%${escapeLike(query.search.toLowerCase())}%` });
    if (query.status) builder.andWhere('o.status = :status', { status: query.status });
    const [items, total] = await builder
      .orderBy('o.created_at', 'DESC')
      .addOrderBy('o.id', 'ASC')
      .skip((page - 1) * perPage)
      .take(perPage)
      .getManyAndCount();
    return { items, total, page, perPage };
  }

  async adminGet(organizationId: string): Promise<Organization> {
    assertUuid(organizationId);
    const organization = await this.dataSource.manager.findOneBy(Organization, { id: organizationId });
    if (!organization) throw new DomainError(ORGANIZATION_ERRORS.ORGANIZATION_NOT_FOUND);
    return organization;
  }

  /** Any field, the host application's included (not a credential change: no proof asked). */
  async adminUpdate(auth: AuthContext, organizationId: string, dto: AdminUpdateOrganizationDto): Promise<Organization> {
    assertUuid(organizationId);
    const start = periodInstant('current_period_start', dto.current_period_start);
    const end = periodInstant('current_period_end', dto.current_period_end);
    return this.dataSource.transaction(async (manager) => {
      const organization = await manager.findOne(Organization, { where: { id: organizationId }, lock: { mode: 'pessimistic_write' } });
      if (!organization) throw new DomainError(ORGANIZATION_ERRORS.ORGANIZATION_NOT_FOUND);
      const host: Partial<Organization> = {};
      if (dto.status !== undefined) host.status = dto.status;
      if (dto.credits_left !== undefined) host.creditsLeft = dto.credits_left;
      if (dto.badge_templates_count !== undefined) host.badgeTemplatesCount = dto.badge_templates_count;
      if (dto.badges_count !== undefined) host.badgesCount = dto.badges_count;
      if (dto.stripe_customer_id !== undefined) host.stripeCustomerId = dto.stripe_customer_id;
      if (dto.subscription_id !== undefined) host.subscriptionId = dto.subscription_id;
      if (dto.subscription_status !== undefined) host.subscriptionStatus = dto.subscription_status;
      if (start !== undefined) host.currentPeriodStart = start;
      if (end !== undefined) host.currentPeriodEnd = end;
      return this.applyChanges(manager, auth, organization, dto, host);
    });
  }

  /** A platform admin deletes it (proof rule; never with an API key). */
  async adminDelete(auth: AuthContext, organizationId: string, currentPassword: string | undefined): Promise<void> {
    assertUuid(organizationId);
    await this.reauthentication.requireRecentAuth(auth, currentPassword);
    const logoKey = await this.dataSource.transaction(async (manager) => {
      const organization = await manager.findOne(Organization, { where: { id: organizationId }, lock: { mode: 'pessimistic_write' } });
      if (!organization) throw new DomainError(ORGANIZATION_ERRORS.ORGANIZATION_NOT_FOUND);
      return this.deleteLocked(manager, auth, organization);
    });
    if (logoKey) await this.removals.removeNow(avatarFileNames(logoKey));
  }

  /** The descriptive fields of a create or a PATCH, over what is stored. */
  private descriptive(
    dto: OrganizationDescriptiveInput,
    stored: Pick<Organization, 'addressInfo' | 'billingInfo' | 'contactInfo' | 'settings'>,
  ): Partial<Organization> {
    const changes: Partial<Organization> = {};
    if (dto.type !== undefined) changes.type = dto.type;
    if (dto.activity !== undefined) changes.activity = dto.activity;
    if (dto.description !== undefined) changes.description = sanitizeDescription(dto.description);
    if (dto.language !== undefined) changes.language = dto.language;
    if (dto.website !== undefined) changes.website = dto.website;
    changes.addressInfo = merged(stored.addressInfo, dto.address_info);
    changes.billingInfo = merged(stored.billingInfo, dto.billing_info);
    changes.contactInfo = merged(stored.contactInfo, dto.contact_info);
    changes.settings = merged(stored.settings, dto.settings);
    return changes;
  }

  private async applyChanges(
    manager: EntityManager,
    auth: AuthContext,
    organization: Organization,
    dto: OrganizationDescriptiveInput & { name?: string },
    host: Partial<Organization>,
  ): Promise<Organization> {
    const changes: Partial<Organization> = { ...this.descriptive(dto, organization), ...host };
    if (dto.name !== undefined) changes.name = dto.name;
    const fields = Object.keys(dto).filter((key) => (dto as Record<string, unknown>)[key] !== undefined);
    if (fields.length === 0) return manager.findOneByOrFail(Organization, { id: organization.id });
    await manager.update(Organization, { id: organization.id }, changes);
    await this.record(manager, auth, 'organization:updated', [auth.user.id], organization.id, { fields: fields.sort().join(',') });
    const updated = await manager.findOneByOrFail(Organization, { id: organization.id });
    await this.emitUpdated(manager, auth, organization, updated);
    return updated;
  }

  /**
   * `organization.updated`, on the change's transaction, when a field the organization routes show changed: each
   * changed field by its API name with its new value as those routes show it (an organization holds nothing secret).
   */
  async emitUpdated(manager: EntityManager, auth: AuthContext, before: Organization, after: Organization): Promise<void> {
    const old = new Map<string, unknown>(Object.entries(presentOrganization(before, this.urls)));
    const changes = Object.fromEntries(
      Object.entries(presentOrganization(after, this.urls)).filter(
        ([field, value]) => !UNREPORTED_FIELDS.has(field) && JSON.stringify(value) !== JSON.stringify(old.get(field)),
      ),
    );
    if (Object.keys(changes).length === 0) return;
    await this.events.emit(manager, 'organization.updated', { organization_id: after.id, ...userRef(auth.user), changes });
  }

  /** One entry in `userId`'s log, by an authenticated caller or (a registration) an anonymous client acting as `actorId`. */
  async activityFor(
    manager: EntityManager,
    actor: AuthContext | { client: ClientInfo; actorId: number },
    event: ActivityEvent,
    userId: number,
    properties: ActivityProperties,
  ): Promise<void> {
    const who = 'user' in actor ? { auth: actor } : actor;
    await this.activity.record({ event, userId, ...who, properties }, manager);
  }

  /** The entry, in the log of each user it concerns (the one who acted first), on the change's transaction. */
  async record(
    manager: EntityManager,
    auth: AuthContext,
    event: ActivityEvent,
    userIds: number[],
    organizationId: string,
    properties: ActivityProperties = {},
  ): Promise<void> {
    for (const userId of new Set(userIds)) {
      await this.activity.record({ event, userId, auth, properties: { organization_id: organizationId, ...properties } }, manager);
    }
  }
}
