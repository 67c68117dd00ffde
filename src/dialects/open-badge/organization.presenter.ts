import { formatDateTime, formatLaravelTimestamp, type Instant } from '../../platform/format/dates.js';
import { AVATAR_PUBLIC_PATH, avatarFileName } from '../../core/users/avatar-urls.js';
import type {
  InvitationPreviewDto,
  MyOrganizationDto,
  OrganizationAddressInfoDto,
  OrganizationBillingInfoDto,
  OrganizationContactInfoDto,
  OrganizationDto,
  OrganizationInvitationDto,
  OrganizationMemberDto,
  OrganizationSettingsDto,
} from './dto/organization.dto.js';

/** An organization as the services hand it over: the entity, or the hot read's row (timestamps as ISO strings). */
export interface OrganizationView {
  id: string;
  type: string | null;
  activity: string | null;
  name: string;
  description: string | null;
  addressInfo: Partial<OrganizationAddressInfoDto>;
  billingInfo: Partial<OrganizationBillingInfoDto>;
  contactInfo: Partial<OrganizationContactInfoDto>;
  settings: Partial<OrganizationSettingsDto>;
  language: string;
  website: string | null;
  status: 'enabled' | 'disabled';
  logoKey: string | null;
  creditsLeft: number;
  badgeTemplatesCount: number;
  badgesCount: number;
  stripeCustomerId: string | null;
  subscriptionId: string | null;
  subscriptionStatus: string | null;
  currentPeriodStart: Instant | null;
  currentPeriodEnd: Instant | null;
  createdAt: Instant;
  updatedAt: Instant;
}

/** Where the organization's URLs point: the app (logo renditions) and ORGANIZATION_PUBLIC_URL's template. */
export interface OrganizationUrls {
  appUrl: string;
  publicUrlTemplate: string;
}

/** The logo's three renditions (served as avatars are), or nulls without a logo. */
export function organizationLogoUrls(logoKey: string | null, appUrl: string): { main: string | null; high: string | null; thumbnail: string | null } {
  if (!logoKey) return { main: null, high: null, thumbnail: null };
  const base = `${appUrl}${AVATAR_PUBLIC_PATH}`;
  return {
    main: `${base}/${avatarFileName(logoKey, 'main')}`,
    high: `${base}/${avatarFileName(logoKey, 'high')}`,
    thumbnail: `${base}/${avatarFileName(logoKey, 'thumbnail')}`,
  };
}

const text = (value: string | null | undefined): string | null => value ?? null;
const flag = (value: number | undefined): 0 | 1 => (value === 1 ? 1 : 0);

/** The `001` family's `organization`, key for key in the seed's order (jsonb keeps its own order, so each object is rebuilt). */
export function presentOrganization(organization: OrganizationView, urls: OrganizationUrls): OrganizationDto {
  const { addressInfo: address, billingInfo: billing, contactInfo: contact, settings } = organization;
  const logo = organizationLogoUrls(organization.logoKey, urls.appUrl);
  return {
    id: organization.id,
    type: organization.type,
    activity: organization.activity,
    name: organization.name,
    description: organization.description,
    address_info: {
      city: text(address.city),
      state: text(address.state),
      region: text(address.region),
      street: text(address.street),
      country: text(address.country),
      postcode: text(address.postcode),
    },
    billing_info: {
      vat: text(billing.vat),
      email: text(billing.email),
      code_dest: text(billing.code_dest),
      fiscal_code: text(billing.fiscal_code),
      certified_email: text(billing.certified_email),
      legal_name: text(billing.legal_name),
    },
    language: organization.language,
    website: organization.website,
    status: organization.status,
    contact_info: {
      name: text(contact.name),
      email: text(contact.email),
      mobile: text(contact.mobile),
      last_name: text(contact.last_name),
      tech_email: text(contact.tech_email),
      legal_email: text(contact.legal_email),
    },
    settings: {
      public_profile: flag(settings.public_profile),
      public_badge_types: flag(settings.public_badge_types),
      public_learning_paths: flag(settings.public_learning_paths),
      public_badge_templates: flag(settings.public_badge_templates),
    },
    logo_path: logo.main,
    logo_high_path: logo.high,
    logo_thumbnail_path: logo.thumbnail,
    credits_left: organization.creditsLeft,
    badge_templates_count: organization.badgeTemplatesCount,
    badges_count: organization.badgesCount,
    created_at: formatLaravelTimestamp(organization.createdAt),
    updated_at: formatLaravelTimestamp(organization.updatedAt),
    public_url: urls.publicUrlTemplate.replaceAll('{id}', organization.id),
    stripe_customer_id: organization.stripeCustomerId,
    subscription_id: organization.subscriptionId,
    subscription_status: organization.subscriptionStatus,
    current_period_start: organization.currentPeriodStart ? formatDateTime(organization.currentPeriodStart) : null,
    current_period_end: organization.currentPeriodEnd ? formatDateTime(organization.currentPeriodEnd) : null,
  };
}

export function presentMyOrganization(
  entry: { organization: OrganizationView; role: MyOrganizationDto['role']; joinedAt: Instant; current: boolean },
  urls: OrganizationUrls,
): MyOrganizationDto {
  return { organization: presentOrganization(entry.organization, urls), role: entry.role, joined_at: formatLaravelTimestamp(entry.joinedAt), current: entry.current };
}

/** A member as a list shows them; `withEmail` for owners and admins only. */
export interface MemberView {
  id: string;
  role: 'owner' | 'admin' | 'member';
  joinedAt: Instant;
  user: { uuid: string; username: string; firstName: string | null; lastName: string | null; email: string; thumbnail: string };
}

export function presentMember(member: MemberView, withEmail: boolean): OrganizationMemberDto {
  return {
    id: member.id,
    user: {
      uuid: member.user.uuid,
      username: member.user.username,
      name: member.user.firstName,
      last_name: member.user.lastName,
      profile_picture_thumbnail_path: member.user.thumbnail,
    },
    ...(withEmail ? { email: member.user.email } : {}),
    role: member.role,
    joined_at: formatLaravelTimestamp(member.joinedAt),
  };
}

export interface InvitationView {
  id: string;
  email: string;
  role: 'admin' | 'member';
  status: OrganizationInvitationDto['status'];
  expiresAt: Instant;
  invitedBy: { uuid: string; username: string } | null;
  createdAt: Instant;
}

export function presentInvitation(invitation: InvitationView): OrganizationInvitationDto {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    status: invitation.status,
    expires_at: formatLaravelTimestamp(invitation.expiresAt),
    invited_by: invitation.invitedBy,
    created_at: formatLaravelTimestamp(invitation.createdAt),
  };
}

export interface InvitationPreviewView {
  organization: { id: string; name: string; logoKey: string | null };
  role: 'admin' | 'member';
  expiresAt: Instant;
}

export function presentInvitationPreview(preview: InvitationPreviewView, appUrl: string): InvitationPreviewDto {
  return {
    organization: {
      id: preview.organization.id,
      name: preview.organization.name,
      logo_thumbnail_path: organizationLogoUrls(preview.organization.logoKey, appUrl).thumbnail,
    },
    role: preview.role,
    expires_at: formatLaravelTimestamp(preview.expiresAt),
  };
}
