import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyAttributesDto } from '../../api-keys/dto/api-key.dto.js';

/** Timestamps in the export are ISO 8601 in UTC (`2026-12-04T01:30:00.000Z`). */

export class ExportNamedDto {
  /** @example "admin" */
  slug: string;
  /** @example "Admin" */
  name: string;
}

export class ExportCountryDto {
  /** ISO 3166-1 numeric. @example 688 */
  id: number;
  /** @example "Serbia" */
  name: string;
}

export class ExportProfileDto {
  /** @example 123 */
  id: number;
  /** @example "8f2d6a3c-5b1e-4f0a-9c7d-2e4b6a8c0d1f" */
  uuid: string;
  /** @example "john.doe" */
  username: string;
  /** @example "john@example.com" */
  email: string;
  /** @example "2026-11-02T09:14:03.000Z" */
  email_verified_at: string | null;
  /** @example "John" */
  first_name: string | null;
  /** @example "Doe" */
  last_name: string | null;
  /** @example "+381641234567" */
  phone: string | null;
  /** @example "Some street 123, Nis, Serbia" */
  address: string | null;
  country: ExportCountryDto | null;
  /** "YYYY-MM-DD". @example "1990-10-18" */
  birthday: string | null;
  role: ExportNamedDto | null;
  /** @example "Active" */
  status: 'Active' | 'Banned' | 'Unconfirmed';
  /** @example "en" */
  language: string;
  /** @example null */
  terms_accepted_at: string | null;
  /** @example "2026-12-04T01:12:44.000Z" */
  last_login: string | null;
  /** @example "2026-11-02T09:13:51.000Z" */
  created_at: string | null;
  /** @example "2026-12-01T18:40:22.000Z" */
  updated_at: string | null;
}

export class ExportSettingsDto {
  /** @example true */
  public_profile: boolean;
  /** @example false */
  public_badges: boolean;
  /** @example "en" */
  language: string;
}

export class ExportAvatarDto {
  /** @example "upload" */
  // The order is stated: the plugin would take the type checker's union order, which moves as files move.
  @ApiProperty({ enum: ['default', 'upload', 'external'] })
  source: 'upload' | 'external' | 'default';
  /** @example "http://localhost:3000/storage/avatars/3f9c0e2a4b6d8f1a3c5e7a9b1d3f5a7c.webp" */
  main: string;
  /** @example "http://localhost:3000/storage/avatars/3f9c0e2a4b6d8f1a3c5e7a9b1d3f5a7c_high.webp" */
  high: string;
  /** @example "http://localhost:3000/storage/avatars/3f9c0e2a4b6d8f1a3c5e7a9b1d3f5a7c_thumbnail.webp" */
  thumbnail: string;
}

export class ExportPhoneDto {
  /** @example 381 */
  country_code: number | null;
  /** @example "641234567" */
  number: string;
}

export class ExportTwoFactorDto {
  /** @example true */
  enabled: boolean;
  /** @example "totp" */
  method: 'totp' | 'sms' | null;
  /** "sms" while a phone awaits verification. @example null */
  pending_method: 'sms' | null;
  phone: ExportPhoneDto | null;
  /** @example 10 */
  recovery_codes_left: number;
  /** @example "2026-11-20T10:00:00.000Z" */
  recovery_codes_issued_at: string | null;
  /** @example "2026-11-20T10:00:00.000Z" */
  updated_at: string | null;
}

export class ExportPasskeyDto {
  /** @example 7 */
  id: number;
  /** @example "MacBook Touch ID" */
  name: string;
  /** @example "multiDevice" */
  device_type: 'singleDevice' | 'multiDevice';
  /** @example true */
  backed_up: boolean;
  /** @example ["internal", "hybrid"] */
  transports: string[];
  /** @example "2026-11-30T09:12:44.000Z" */
  created_at: string | null;
  /** @example "2026-12-01T18:03:10.000Z" */
  last_used_at: string | null;
}

export class ExportIdentityDto {
  /** @example 3 */
  id: number;
  /** @example "google" */
  provider: string;
  /** @example "https://accounts.google.com" */
  issuer: string;
  /** @example "ana@example.com" */
  email: string | null;
  /** @example "2026-11-30T09:12:44.000Z" */
  created_at: string | null;
  /** @example "2026-12-01T18:03:10.000Z" */
  last_used_at: string | null;
}

export class ExportSessionDto {
  /** @example "uFfF2KPoq7XZAOPLhen5ayOArawyzGitjoFIdogV" */
  id: string;
  /** @example "203.0.113.7" */
  ip_address: string;
  /** @example "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36" */
  user_agent: string;
  /** @example "Chrome" */
  browser: string;
  /** @example "OS X" */
  platform: string;
  /** @example "Macintosh" */
  device: string;
  /** @example "Work laptop" */
  device_name: string | null;
  /** @example "2026-12-04T01:12:44.000Z" */
  created_at: string | null;
  /** @example "2026-12-04T01:12:44.000Z" */
  logged_in_at: string | null;
  /** @example "2026-12-04T01:29:10.000Z" */
  last_activity: string | null;
  /** @example "2027-01-03T01:12:44.000Z" */
  expires_at: string | null;
  /** @example null */
  revoked_at: string | null;
}

export class ExportOneTimeLinkDto {
  /** @example "password_reset" */
  purpose: string;
  /** The address the link was mailed to. @example "john@example.com" */
  email: string;
  /** @example "2026-12-03T08:00:00.000Z" */
  created_at: string | null;
  /** @example "2026-12-03T09:00:00.000Z" */
  expires_at: string | null;
  /** @example null */
  used_at: string | null;
}

/** A membership of an organization. */
export class ExportOrganizationMembershipDto {
  /** @example "0f11feda-07f8-4202-9133-4a4e780e857d" */
  organization_id: string;
  /** @example "LearnQuest Academy" */
  organization_name: string;
  /** @example "owner" */
  role: string;
  /** Whether it is the account's current organization. @example true */
  current: boolean;
  /** @example "2026-12-03T08:00:00.000Z" */
  joined_at: string | null;
}

/** An invitation sent to the account's address (never its token). */
export class ExportOrganizationInvitationDto {
  /** @example "c7b0f1d2-3e4a-4b5c-8d6e-7f8091a2b3c4" */
  id: string;
  /** @example "0f11feda-07f8-4202-9133-4a4e780e857d" */
  organization_id: string;
  /** @example "LearnQuest Academy" */
  organization_name: string;
  /** The address it was sent to. @example "john@example.com" */
  email: string;
  /** @example "member" */
  role: string;
  /** @example "accepted" */
  status: string;
  /** @example "2026-12-03T08:00:00.000Z" */
  created_at: string | null;
  /** @example "2026-12-10T08:00:00.000Z" */
  expires_at: string | null;
}

export class ExportActivityDto {
  /** @example "4711" */
  id: string;
  /** @example "auth:login" */
  event: string;
  /** @example "Logged in." */
  description: string;
  /** Who did it: the account itself, someone else (an administrator), or nobody signed in. @example "self" */
  actor: 'self' | 'other' | null;
  /** @example "203.0.113.7" */
  ip: string | null;
  /** @example "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" */
  user_agent: string | null;
  /** @example false */
  is_api: boolean;
  /** @example null */
  api_key_identifier: string | null;
  /** Event details. @example {} */
  properties: Record<string, string | number | boolean | null>;
  /** @example "2026-12-04T01:12:44.000Z" */
  timestamp: string | null;
}

/**
 * Everything Tessera holds about the caller (GDPR articles 15 and 20): no password hash, secret, token or code.
 * `version` changes when a field changes meaning or goes away; new fields and sections keep it.
 */
export class AccountExportDto {
  /** @example "tessera-account-export" */
  format: 'tessera-account-export';
  /** @example 1 */
  version: number;
  /** @example "2026-12-04T01:30:00.000Z" */
  exported_at: string;
  profile: ExportProfileDto;
  settings: ExportSettingsDto;
  avatar: ExportAvatarDto;
  two_factor: ExportTwoFactorDto;
  sessions: ExportSessionDto[];
  /** Metadata only: the secret can never be read back. */
  api_keys: ApiKeyAttributesDto[];
  /** Metadata only: no credential ID, public key or signature counter. */
  passkeys: ExportPasskeyDto[];
  /** Accounts at identity providers linked to this one (no provider token is ever kept). */
  identities: ExportIdentityDto[];
  /** Password reset and verification links mailed to the account (never the token). */
  one_time_links: ExportOneTimeLinkDto[];
  /** The organizations the account belongs to, with its role in each. */
  organizations: ExportOrganizationMembershipDto[];
  /** Invitations to organizations sent to the account's address. */
  organization_invitations: ExportOrganizationInvitationDto[];
  /** The whole activity log about the account, oldest first. */
  activity: ExportActivityDto[];
}
