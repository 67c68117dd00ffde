import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import {
  AddressRules,
  BirthdayRules,
  CountryIdRules,
  NameRules,
  OptionalCurrentPasswordRules,
  OptionalEmailRules,
  OptionalNewPasswordRules,
  OptionalUsernameRules,
  PasswordConfirmationRules,
  PhoneRules,
} from '../../../core/users/validation/field-rules.js';

const INCLUDES = ['role', 'country'] as const;
export type MeInclude = (typeof INCLUDES)[number];
const INCLUDE_PATTERN = new RegExp(`^(${INCLUDES.join('|')})(,(${INCLUDES.join('|')}))*$`);

export class MeQueryDto {
  /** Comma-separated: `role`, `country`. @example "role,country" */
  @IsOptional()
  @IsString()
  @Matches(INCLUDE_PATTERN, { message: `$property may only list ${INCLUDES.join(', ')}.` })
  @ApiProperty({ pattern: INCLUDE_PATTERN.source })
  include?: string;

  /** The includes asked for. */
  includes(): { role: boolean; country: boolean } {
    const asked = new Set((this.include ?? '').split(','));
    return { role: asked.has('role'), country: asked.has('country') };
  }
}

/** Any of the fields; absent = unchanged, null = cleared. */
export class UpdateMeDetailsDto {
  /** At most 100 characters. @example "Milos" */
  @NameRules()
  first_name?: string | null;

  /** At most 100 characters. @example "Stojanovic" */
  @NameRules()
  last_name?: string | null;

  /** A past date, "YYYY-MM-DD". @example "1990-10-18" */
  @BirthdayRules()
  birthday?: string | null;

  /** Digits with an optional leading +, at most 20 characters. @example "+381641234567" */
  @PhoneRules()
  phone?: string | null;

  /** At most 255 characters. @example "Some street 123, Nis, Serbia" */
  @AddressRules()
  address?: string | null;

  /** ISO 3166-1 numeric code of an existing country (see GET /api/countries). @example 688 */
  @CountryIdRules()
  country_id?: number | null;
}

/**
 * Any of the credentials. Without `current_password` the change is allowed only within 15 minutes of logging in
 * (docs/security.md#proof-for-credential-changes, recent authentication).
 */
export class UpdateMeCredentialsDto {
  /** Letters, digits, `.`, `_`, `-`; 3 to 50 characters; unique. @example "john.doe" */
  @OptionalUsernameRules()
  username?: string;

  /** Unique; at most 191 characters. Changing it clears the verification. @example "john@example.com" */
  @OptionalEmailRules()
  email?: string;

  /** 8 to 1024 characters; the user's other sessions are revoked. @example "correct horse battery staple" */
  @OptionalNewPasswordRules()
  password?: string;

  /** Required with `password`. @example "correct horse battery staple" */
  @PasswordConfirmationRules()
  password_confirmation?: string;

  /** Proves the caller's identity when the login is older than 15 minutes. */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}
