import { ApiProperty } from '@nestjs/swagger';
import { OrganizationDto } from './organization.dto.js';

export class OpenBadgeRoleDto {
  /** @example "user" */
  slug: string;
  /** @example "User" */
  name: string;
  /** @example "Default system user." */
  description: string;
  /** The role's scopes, JSON-encoded. @example "[\"user\"]" */
  scopes: string;
}

export class OpenBadgeProfileSettingsDto {
  /** "1" or "0". @example "1" */
  public_profile: '1' | '0';
  /** "1" or "0". @example "0" */
  public_badges: '1' | '0';
}

/** The profile of the /api/v1 family (seed 001). */
export class OpenBadgeProfileDto {
  /** First name. @example "John Yu" */
  name: string | null;
  /** @example "Donovan" */
  last_name: string | null;
  /** Main rendition (512 px), the external URL, or the default picture. @example "http://localhost:3000/storage/default-avatar.png" */
  profile_picture_path: string;
  /** 1024 px rendition. @example "http://localhost:3000/storage/default-avatar.png" */
  profile_picture_high_path: string;
  /** 160 px rendition. @example "http://localhost:3000/storage/default-avatar.png" */
  profile_picture_thumbnail_path: string;
  settings: OpenBadgeProfileSettingsDto;
  /** @example "it" */
  language: string;
  /** @example "2024-07-03T15:02:45.000000Z" */
  created_at: string;
  /** @example "2024-09-12T17:26:04.000000Z" */
  updated_at: string;
  /** When the terms were accepted, or null. @example null */
  t_c_accepted_at: string | null;
}

/** The user of the /api/v1 family, unwrapped, exactly as seed 001 shows it. */
export class OpenBadgeUserDto {
  /** @example "56e5824b-eb63-4250-80f3-370ff4142fe7" */
  uuid: string;
  /** @example "j.doe" */
  username: string;
  /** @example "j.doe@example.com" */
  email: string;
  /** "Y-m-d H:i:s", or null while unverified. @example "2024-07-18 14:18:21" */
  email_verified_at: string | null;
  /** @example "2024-07-03T15:02:45.000000Z" */
  created_at: string;
  /** @example "2024-07-21T13:04:55.000000Z" */
  updated_at: string;
  role: OpenBadgeRoleDto;
  profile: OpenBadgeProfileDto;
  /** The user's current organization (`PUT /api/me/organization`), or null without one. */
  @ApiProperty({ type: () => OrganizationDto, nullable: true })
  organization: OrganizationDto | null;
}

export class OpenBadgeProfileResponseDto {
  data: OpenBadgeProfileDto;
}
