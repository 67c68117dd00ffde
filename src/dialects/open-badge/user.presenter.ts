import { formatDateTime, formatLaravelTimestamp } from '../../platform/format/dates.js';
import type { Role } from '../../core/users/role.entity.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import type {
  OpenBadgeProfileDto,
  OpenBadgeProfileResponseDto,
  OpenBadgeRoleDto,
  OpenBadgeUserDto,
} from './dto/open-badge-user.dto.js';
import type { OrganizationDto } from './dto/organization.dto.js';

const flag = (value: boolean): '1' | '0' => (value ? '1' : '0');

export function presentOpenBadgeRole(role: Role): OpenBadgeRoleDto {
  return { slug: role.slug, name: role.name, description: role.description ?? '', scopes: JSON.stringify(role.scopes) };
}

/** The /api/v1 family's profile (seed 001): the personal part of the user, with the three picture renditions. */
export function presentOpenBadgeProfile({ user, avatar }: UserProfile): OpenBadgeProfileDto {
  return {
    name: user.firstName,
    last_name: user.lastName,
    profile_picture_path: avatar.main,
    profile_picture_high_path: avatar.high,
    profile_picture_thumbnail_path: avatar.thumbnail,
    settings: { public_profile: flag(user.publicProfile), public_badges: flag(user.publicBadges) },
    language: user.language,
    created_at: formatLaravelTimestamp(user.createdAt),
    updated_at: formatLaravelTimestamp(user.updatedAt),
    t_c_accepted_at: user.termsAcceptedAt ? formatLaravelTimestamp(user.termsAcceptedAt) : null,
  };
}

/**
 * The /api/v1 family's user, unwrapped (seed 001). Needs `user.role` loaded; `organization` is the user's current
 * organization (already presented), or null.
 */
export function presentOpenBadgeUser(profile: UserProfile, organization: OrganizationDto | null = null): OpenBadgeUserDto {
  const { user } = profile;
  if (!user.role) throw new Error('presentOpenBadgeUser needs the user with its role');
  return {
    uuid: user.uuid,
    username: user.username,
    email: user.email,
    email_verified_at: user.emailVerifiedAt ? formatDateTime(user.emailVerifiedAt) : null,
    created_at: formatLaravelTimestamp(user.createdAt),
    updated_at: formatLaravelTimestamp(user.updatedAt),
    role: presentOpenBadgeRole(user.role),
    profile: presentOpenBadgeProfile(profile),
    organization,
  };
}

/** `{"data": profile}`. */
export function presentOpenBadgeProfileResponse(profile: UserProfile): OpenBadgeProfileResponseDto {
  return { data: presentOpenBadgeProfile(profile) };
}
