import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsObject, ValidateIf, ValidateNested } from 'class-validator';
import {
  BooleanishRules,
  LanguageRules,
  NameRules,
  OptionalCurrentPasswordRules,
  OptionalEmailRules,
  OptionalUsernameRules,
} from '../../../core/users/validation/field-rules.js';

/** Either credential; without `current_password` only within 15 minutes of logging in (docs/security.md#proof-for-credential-changes). */
export class UpdateAuthUserDto {
  /** Letters, digits, `.`, `_`, `-`; 3 to 50 characters; unique. @example "j.doe" */
  @OptionalUsernameRules()
  username?: string;

  /** Unique; at most 191 characters. Changing it clears the verification. @example "j.doe@example.com" */
  @OptionalEmailRules()
  email?: string;

  /** Proves the caller's identity when the login is older than 15 minutes. */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

export class ProfileSettingsInputDto {
  /** true/false, 1/0 or "1"/"0". @example true */
  @BooleanishRules()
  public_profile?: boolean;

  /** true/false, 1/0 or "1"/"0". @example false */
  @BooleanishRules()
  public_badges?: boolean;
}

/**
 * A multipart form may carry `settings` as JSON text. This runs after @Type, which leaves a string alone, so the
 * parsed object is converted here; anything else is left for validation to refuse.
 */
function parseJsonSettings({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  try {
    return plainToInstance(ProfileSettingsInputDto, JSON.parse(value) as unknown);
  } catch {
    return value;
  }
}

/** JSON or multipart/form-data (text fields; `settings[public_profile]=1` or `settings` as JSON text). */
export class UpdateAuthUserProfileDto {
  /** First name; at most 100 characters. @example "John Yu" */
  @NameRules()
  name?: string | null;

  /** At most 100 characters. @example "Donovan" */
  @NameRules()
  last_name?: string | null;

  /** ISO 639-1, optionally with a region. @example "it" */
  @LanguageRules()
  language?: string;

  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @Transform(parseJsonSettings)
  @IsObject()
  @ValidateNested()
  @Type(() => ProfileSettingsInputDto)
  settings?: ProfileSettingsInputDto;
}
