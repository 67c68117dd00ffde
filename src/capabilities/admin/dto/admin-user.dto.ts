import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { MeQueryDto, UpdateMeDetailsDto } from '../../profile/dto/me.dto.js';
import {
  BooleanishRules,
  EmailRules,
  NewPasswordRules,
  OptionalCurrentPasswordRules,
  OptionalEmailRules,
  OptionalNewPasswordRules,
  OptionalUsernameRules,
  PasswordConfirmationRules,
  UsernameRules,
} from '../../../core/users/validation/field-rules.js';
import { UserStatus } from '../../../core/users/user.entity.js';
import { USER_SORT_COLUMNS, type UserSortColumn } from '../../../core/users/users.service.js';

export const USER_STATUSES = Object.values(UserStatus);
export const USER_SORTS = Object.keys(USER_SORT_COLUMNS).flatMap((column) => [column, `-${column}`]);
export type UserSort = UserSortColumn | `-${UserSortColumn}`;
export const PER_PAGE_DEFAULT = 15;
export const PER_PAGE_MAX = 100;
/** Keeps the offset a number PostgreSQL accepts. */
const PAGE_MAX = 1_000_000;

/** Optional, but never null when sent (for columns that cannot be cleared). */
const Given = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** 1-based page number (Laravel's `page`). */
const PageRules = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(PAGE_MAX),
    // The plugin reads no limits through a composite decorator: state them for the OpenAPI document.
    ApiProperty({ type: 'integer', minimum: 1, maximum: PAGE_MAX }),
  );

/** Items per page, 1 to 100. */
const PerPageRules = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(PER_PAGE_MAX),
    ApiProperty({ type: 'integer', minimum: 1, maximum: PER_PAGE_MAX }),
  );

/** `page` and `per_page` of a Laravel-paginated admin list. */
export class AdminPageQueryDto {
  /** @example 1 */
  @PageRules()
  page?: number;

  /** 1 to 100; 15 by default. @example 15 */
  @PerPageRules()
  per_page?: number;
}

export const OUTBOX_STATUSES = ['pending', 'failed', 'sent'] as const;

/** `GET /api/admin/mail`: the mails in one outbox status, a page at a time. */
export class AdminMailQueryDto extends AdminPageQueryDto {
  /** `failed` (given up after MAIL_RETRY_HOURS; the default), `pending` (still to send) or `sent` (until pruned). @example "failed" */
  @IsOptional()
  @IsIn(OUTBOX_STATUSES)
  status?: (typeof OUTBOX_STATUSES)[number];
}

/** `GET /api/users`: filters, order, page, and `include=role,country`. */
export class AdminListUsersQueryDto extends MeQueryDto {
  /** Contains-search (case-insensitive) over first name, last name, full name, username and email. @example "john" */
  @IsOptional()
  @IsString()
  @MaxLength(191)
  'filter[search]'?: string;

  /** Only users with this status. @example "Banned" */
  @IsOptional()
  @IsIn(USER_STATUSES)
  'filter[status]'?: UserStatus;

  /** One of id, username, email, created_at, last_login; a leading `-` sorts descending. @example "-created_at" */
  @IsOptional()
  @IsIn(USER_SORTS)
  sort?: UserSort;

  /** @example 1 */
  @PageRules()
  page?: number;

  /** 1 to 100; 15 by default. @example 15 */
  @PerPageRules()
  per_page?: number;
}

/** What create and update share: the profile's personal details, and the role, status and verification. */
export class AdminUserFieldsDto extends UpdateMeDetailsDto {
  /** An existing role (see GET /api/roles); the `user` role when creating without one. Admins cannot take their own admin role away (403). @example 2 */
  @Given()
  @IsInt()
  @Min(1)
  @ApiProperty({ type: 'integer' })
  role_id?: number;

  /** `Active` when creating without one. `Banned` revokes every session and stops every API key at once; admins cannot ban themselves (403). @example "Active" */
  @Given()
  @IsIn(USER_STATUSES)
  status?: UserStatus;

  /** Marks the address verified (true) or not (false); true when creating without it (the admin vouches for the address). @example true */
  @BooleanishRules()
  email_verified?: boolean;

  /**
   * The admin's own password: proof for creating an admin and for a change of `password`, `email`, `username`,
   * `email_verified`, `role_id` or `status`, needed unless this session signed in within RECENT_AUTH_SECONDS (15
   * minutes by default).
   * @example "my own admin password"
   */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

/** The optional body of an admin's removal of a user's credentials (two-factor, a passkey, the account). */
export class AdminProofDto {
  /**
   * The admin's own password, needed unless this session signed in within RECENT_AUTH_SECONDS (15 minutes by
   * default). @example "my own admin password"
   */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

/** `POST /api/users`. */
export class AdminCreateUserDto extends AdminUserFieldsDto {
  /** Unique; at most 191 characters. @example "jane.roe@example.com" */
  @EmailRules()
  email: string;

  /** Letters, digits, `.`, `_`, `-`; 3 to 50 characters; unique. @example "jane.roe" */
  @UsernameRules()
  username: string;

  /** 8 to 1024 characters. @example "correct horse battery staple" */
  @NewPasswordRules()
  password: string;

  /** Must equal `password`. @example "correct horse battery staple" */
  @PasswordConfirmationRules()
  password_confirmation: string;
}

/** `PATCH /api/users/{id}`: any of the fields; absent = unchanged, null = cleared (personal details only). */
export class AdminUpdateUserDto extends AdminUserFieldsDto {
  /** Unique. Changing it clears the verification unless `email_verified` is sent too. @example "jane.roe@example.com" */
  @OptionalEmailRules()
  email?: string;

  /** Unique. @example "jane.roe" */
  @OptionalUsernameRules()
  username?: string;

  /** A new password; every session of the user is revoked. @example "correct horse battery staple" */
  @OptionalNewPasswordRules()
  password?: string;

  /** Required with `password`. @example "correct horse battery staple" */
  @PasswordConfirmationRules()
  password_confirmation?: string;
}
