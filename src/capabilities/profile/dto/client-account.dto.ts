import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN } from '../../../platform/validation/rules.js';
import {
  CurrentPasswordRules,
  EmailRules,
  NewPasswordRules,
  PasswordConfirmationRules,
} from '../../../core/users/validation/field-rules.js';

/**
 * The client family checks the password before the other fields (docs/api/client.md#password-checked-first): the request DTOs check only the
 * password; the other fields are let through here and validated by the `*Fields` classes once it proved right.
 */
export class UpdateClientEmailDto {
  /** The new address; unique, at most 191 characters. @example "john@example.com" */
  @Allow()
  @ApiProperty({ type: 'string', format: 'email', maxLength: EMAIL_MAX })
  email: unknown;

  /** The current password. */
  @CurrentPasswordRules()
  password: string;
}

export class ClientEmailFields {
  @EmailRules()
  email: string;
}

export class UpdateClientPasswordDto {
  /** The current password. */
  @CurrentPasswordRules()
  current_password: string;

  /** 8 to 1024 characters. @example "correct horse battery staple" */
  @Allow()
  @ApiProperty({ type: 'string', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  password: unknown;

  /** Must equal `password`. @example "correct horse battery staple" */
  @Allow()
  @ApiProperty({ type: 'string' })
  password_confirmation: unknown;
}

export class ClientPasswordFields {
  @NewPasswordRules()
  password: string;

  @PasswordConfirmationRules()
  password_confirmation: string;
}

export const ACTIVITY_SORTS = ['timestamp', '-timestamp'] as const;
export type ActivitySort = (typeof ACTIVITY_SORTS)[number];
export const ACTIVITY_PER_PAGE_MAX = 100;
/** Keeps the offset a number PostgreSQL accepts. */
const ACTIVITY_PAGE_MAX = 1_000_000;

export class ListActivityQueryDto {
  /** @example 1 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(ACTIVITY_PAGE_MAX)
  @ApiProperty({ type: 'integer', maximum: ACTIVITY_PAGE_MAX })
  page?: number;

  /** At most 100; 25 by default. @example 25 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(ACTIVITY_PER_PAGE_MAX)
  @ApiProperty({ type: 'integer', maximum: ACTIVITY_PER_PAGE_MAX })
  per_page?: number;

  /** Events whose name contains this text. @example "user:account" */
  @IsOptional()
  @IsString()
  @MaxLength(191)
  'filter[event]'?: string;

  /** `timestamp` (oldest first) or `-timestamp` (newest first, the default). */
  @IsOptional()
  @IsIn(ACTIVITY_SORTS)
  sort?: ActivitySort;
}
