import { CountryDto } from './country.dto.js';

export class VanguardRoleDto {
  /** @example 1 */
  id: number;
  /** @example "admin" */
  name: string;
  /** @example "Admin" */
  display_name: string;
  /** @example "System administrator." */
  description: string | null;
  /** @example false */
  removable: boolean;
  /** @example "2017-04-20 16:47:59" */
  created_at: string;
  /** @example "2017-04-20 16:47:59" */
  updated_at: string;
}

export class TwoFactorOptionsDto {
  /** The active method, or null. @example "sms" */
  method: 'totp' | 'sms' | null;
  /** @example true */
  enabled: boolean;
  /** "sms" while a phone awaits verification. */
  pending_method: 'sms' | null;
  /** Unused recovery codes. @example 10 */
  recovery_codes_left: number;
}

/** The user of the /api/me family, exactly as seed 000 shows it. */
export class VanguardUserDto {
  /** @example 123 */
  id: number;
  /** @example "John" */
  first_name: string | null;
  /** @example "Doe" */
  last_name: string | null;
  /** @example "johndoe" */
  username: string;
  /** @example "john@example.com" */
  email: string;
  /** @example "+381641234567" */
  phone: string | null;
  /** Always a URL: the uploaded picture, the external URL, or the default picture. @example "http://localhost:3000/storage/default-avatar.png" */
  avatar: string;
  /** @example "Some random street, 123, Serbia" */
  address: string | null;
  /** @example 688 */
  country_id: number | null;
  /** @example 1 */
  role_id: number;
  /** @example "Active" */
  status: 'Active' | 'Banned' | 'Unconfirmed';
  /** "Y-m-d". @example "1989-01-03" */
  birthday: string | null;
  /** "Y-m-d H:i:s", or "" if never. @example "2017-04-27 16:47:59" */
  last_login: string;
  /** Calling code of the two-factor phone, 0 if unset. @example 381 */
  two_factor_country_code: number;
  /** "" if unset. @example "6412345678" */
  two_factor_phone: string;
  /** null before any two-factor set-up. */
  two_factor_options: TwoFactorOptionsDto | null;
  /** @example "2017-04-20 16:47:59" */
  created_at: string;
  /** @example "2017-04-27 10:47:59" */
  updated_at: string;
  /** With `?include=role`. */
  role?: VanguardRoleDto;
  /** With `?include=country`. */
  country?: CountryDto | null;
}

export class VanguardUserResponseDto {
  data: VanguardUserDto;
}
