import { presentCountry } from './country.presenter.js';
import { formatDateTime } from '../../platform/format/dates.js';
import type { Role } from '../../core/users/role.entity.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import type { VanguardRoleDto, VanguardUserDto, VanguardUserResponseDto } from './dto/vanguard-user.dto.js';

export interface VanguardIncludes {
  role?: boolean;
  country?: boolean;
}

export function presentVanguardRole(role: Role): VanguardRoleDto {
  return {
    id: role.id,
    name: role.slug,
    display_name: role.name,
    description: role.description,
    removable: role.slug !== 'admin' && role.slug !== 'user',
    created_at: formatDateTime(role.createdAt),
    updated_at: formatDateTime(role.updatedAt),
  };
}

/** The /api/me family's user (seed 000), with its documented coercions (docs/api/me.md#the-user-object). */
export function presentVanguardUser({ user, avatar, twoFactor }: UserProfile, includes: VanguardIncludes = {}): VanguardUserDto {
  const body: VanguardUserDto = {
    id: user.id,
    first_name: user.firstName,
    last_name: user.lastName,
    username: user.username,
    email: user.email,
    phone: user.phone,
    avatar: avatar.main,
    address: user.address,
    country_id: user.countryId,
    role_id: user.roleId,
    status: user.status,
    birthday: user.birthday,
    last_login: user.lastLogin ? formatDateTime(user.lastLogin) : '',
    two_factor_country_code: user.twoFactorCountryCode ?? 0,
    two_factor_phone: user.twoFactorPhone ?? '',
    two_factor_options: twoFactor,
    created_at: formatDateTime(user.createdAt),
    updated_at: formatDateTime(user.updatedAt),
  };
  if (includes.role && user.role) body.role = presentVanguardRole(user.role);
  if (includes.country) body.country = user.country ? presentCountry(user.country) : null;
  return body;
}

/** `{"data": user}`. */
export function presentVanguardUserResponse(profile: UserProfile, includes: VanguardIncludes = {}): VanguardUserResponseDto {
  return { data: presentVanguardUser(profile, includes) };
}
