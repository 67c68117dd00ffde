import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { LANGUAGE_MAX, LANGUAGE_PATTERN, OptionalCurrentPasswordRules } from '../../../core/users/validation/field-rules.js';
import { EMAIL_MAX } from '../../../platform/validation/rules.js';
import { OptionalNotNull } from '../../../platform/validation/match.decorator.js';
import { MEMBER_ROLES, INVITABLE_ROLES, type InvitableRole, type MemberRole } from '../organization-roles.js';

export const ORGANIZATION_NAME_MAX = 150;
/** Sub-fields of the info objects, `type`, `activity` and the host application's strings. */
const INFO_MAX = 255;
/** The description as sent (before sanitising): room for a long page of formatted text. */
export const DESCRIPTION_MAX = 20_000;
const WEBSITE_MAX = 2048;
const KIND_PATTERN = /^[a-z0-9_]{1,50}$/;
/** http or https, a host, no spaces (checked again by the URL parser in the service). */
const WEBSITE_PATTERN = /^https?:\/\/[^\s/?#\\]+(?:[/?#]\S*)?$/i;
/** `Y-m-d H:i:s`, or ISO 8601 with an offset. */
const PERIOD_PATTERN = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?)$/;

/** Absent: unchanged; null: cleared. */
const Nullable = (): PropertyDecorator => IsOptional();

const InfoText = (): PropertyDecorator =>
  applyDecorators(Nullable(), IsString(), MaxLength(INFO_MAX), ApiProperty({ type: 'string', nullable: true, required: false, maxLength: INFO_MAX }));
const InfoEmail = (): PropertyDecorator =>
  applyDecorators(
    Nullable(),
    IsString(),
    MaxLength(EMAIL_MAX),
    IsEmail(),
    ApiProperty({ type: 'string', format: 'email', nullable: true, required: false, maxLength: EMAIL_MAX }),
  );
const Flag = (example: 0 | 1): PropertyDecorator =>
  applyDecorators(OptionalNotNull(), IsIn([0, 1]), ApiProperty({ type: 'integer', enum: [0, 1], required: false, example }));

/** PATCH sends only the sub-fields it changes; the others are kept. */
export class OrganizationAddressInfoInput {
  /** @example "Example City" */
  @InfoText() city?: string | null;
  /** @example "Example State" */
  @InfoText() state?: string | null;
  /** @example "Example Region" */
  @InfoText() region?: string | null;
  /** @example "123 Example Street" */
  @InfoText() street?: string | null;
  /** @example "Example Country" */
  @InfoText() country?: string | null;
  /** @example "12345" */
  @InfoText() postcode?: string | null;
}

export class OrganizationBillingInfoInput {
  /** @example "VAT123456" */
  @InfoText() vat?: string | null;
  /** @example "billing@open-badge.eu" */
  @InfoEmail() email?: string | null;
  /** @example "CODE123" */
  @InfoText() code_dest?: string | null;
  /** @example "FISCAL123" */
  @InfoText() fiscal_code?: string | null;
  /** @example "certified@open-badge.eu" */
  @InfoEmail() certified_email?: string | null;
  /** @example "LearnQuest Academy s.r.l." */
  @InfoText() legal_name?: string | null;
}

export class OrganizationContactInfoInput {
  /** @example "John" */
  @InfoText() name?: string | null;
  /** @example "contact@open-badge.eu" */
  @InfoEmail() email?: string | null;
  /** @example "+001234567890" */
  @InfoText() mobile?: string | null;
  /** @example "Doe" */
  @InfoText() last_name?: string | null;
  /** @example "tech@open-badge.eu" */
  @InfoEmail() tech_email?: string | null;
  /** @example "legal@open-badge.eu" */
  @InfoEmail() legal_email?: string | null;
}

export class OrganizationSettingsInput {
  @Flag(1) public_profile?: 0 | 1;
  @Flag(1) public_badge_types?: 0 | 1;
  @Flag(0) public_learning_paths?: 0 | 1;
  @Flag(1) public_badge_templates?: 0 | 1;
}

const Nested = <T>(type: () => new () => T): PropertyDecorator =>
  applyDecorators(OptionalNotNull(), IsObject(), ValidateNested(), Type(type), ApiProperty({ type: type(), required: false }));

/** The fields members (owners and admins) edit. */
export class OrganizationDescriptiveInput {
  /** @example "public_local_national" */
  @Nullable()
  @IsString()
  @Matches(KIND_PATTERN, { message: '$property must be 1 to 50 lower-case letters, digits or underscores.' })
  @ApiProperty({ type: 'string', nullable: true, required: false, pattern: KIND_PATTERN.source, maxLength: 50 })
  type?: string | null;

  /** @example "school" */
  @Nullable()
  @IsString()
  @Matches(KIND_PATTERN, { message: '$property must be 1 to 50 lower-case letters, digits or underscores.' })
  @ApiProperty({ type: 'string', nullable: true, required: false, pattern: KIND_PATTERN.source, maxLength: 50 })
  activity?: string | null;

  /**
   * HTML; sanitised on write (p, br, em, strong, u, a with http/https/mailto links, ul, ol, li, h2–h4, blockquote
   * stay; scripts, styles, event attributes and other URLs go).
   * @example "<p><em>Welcome to </em><strong>LearnQuest Academy</strong><em>, where education meets innovation!</em></p>"
   */
  @Nullable()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  @ApiProperty({ type: 'string', nullable: true, required: false, maxLength: DESCRIPTION_MAX })
  description?: string | null;

  /** @example "en" */
  @OptionalNotNull()
  @IsString()
  @MaxLength(LANGUAGE_MAX)
  @Matches(LANGUAGE_PATTERN, { message: '$property must be an ISO 639-1 code, optionally with a region (en, pt-BR).' })
  @ApiProperty({ required: false, maxLength: LANGUAGE_MAX, pattern: LANGUAGE_PATTERN.source })
  language?: string;

  /** http or https. @example "https://www.example.com" */
  @Nullable()
  @IsString()
  @MaxLength(WEBSITE_MAX)
  @Matches(WEBSITE_PATTERN, { message: '$property must be an http or https URL.' })
  @ApiProperty({ type: 'string', nullable: true, required: false, maxLength: WEBSITE_MAX, format: 'uri' })
  website?: string | null;

  @Nested(() => OrganizationAddressInfoInput) address_info?: OrganizationAddressInfoInput;
  @Nested(() => OrganizationBillingInfoInput) billing_info?: OrganizationBillingInfoInput;
  @Nested(() => OrganizationContactInfoInput) contact_info?: OrganizationContactInfoInput;
  @Nested(() => OrganizationSettingsInput) settings?: OrganizationSettingsInput;
}

const NameRules = (): PropertyDecorator =>
  applyDecorators(IsString(), MinLength(1), MaxLength(ORGANIZATION_NAME_MAX), ApiProperty({ minLength: 1, maxLength: ORGANIZATION_NAME_MAX }));

/** `POST /api/organizations`. */
export class CreateOrganizationDto extends OrganizationDescriptiveInput {
  /** @example "LearnQuest Academyyyyy" */
  @IsNotEmpty()
  @NameRules()
  name: string;
}

/** `PATCH /api/organizations/{id}`: any descriptive field. */
export class UpdateOrganizationDto extends OrganizationDescriptiveInput {
  /** @example "LearnQuest Academyyyyy" */
  @OptionalNotNull()
  @IsNotEmpty()
  @NameRules()
  name?: string;
}

const Count = (example: number): PropertyDecorator =>
  applyDecorators(OptionalNotNull(), IsInt(), Min(0), Max(2_000_000_000), ApiProperty({ type: 'integer', minimum: 0, maximum: 2_000_000_000, required: false, example }));
const HostText = (): PropertyDecorator =>
  applyDecorators(Nullable(), IsString(), MaxLength(INFO_MAX), ApiProperty({ type: 'string', nullable: true, required: false, maxLength: INFO_MAX }));
const Period = (): PropertyDecorator =>
  applyDecorators(
    Nullable(),
    IsString(),
    Matches(PERIOD_PATTERN, { message: '$property must be a date-time as Y-m-d H:i:s or ISO 8601.' }),
    ApiProperty({ type: 'string', nullable: true, required: false, pattern: PERIOD_PATTERN.source }),
  );

/** `PATCH /api/admin/organizations/{id}`: every field, the host application's included. */
export class AdminUpdateOrganizationDto extends UpdateOrganizationDto {
  @OptionalNotNull()
  @IsIn(['enabled', 'disabled'])
  @ApiProperty({ enum: ['enabled', 'disabled'], required: false, example: 'enabled' })
  status?: 'enabled' | 'disabled';
  /** @example 38422 */
  @Count(38422) credits_left?: number;
  /** @example 24 */
  @Count(24) badge_templates_count?: number;
  /** @example 739 */
  @Count(739) badges_count?: number;
  /** @example "cus_QpT1CW2JIJb9fL" */
  @HostText() stripe_customer_id?: string | null;
  /** @example null */
  @HostText() subscription_id?: string | null;
  /** @example "active" */
  @HostText() subscription_status?: string | null;
  /** @example "2024-09-16 13:29:49" */
  @Period() current_period_start?: string | null;
  /** @example "2024-10-16 13:29:49" */
  @Period() current_period_end?: string | null;
}

/** `PUT /api/me/organization`. */
export class SetCurrentOrganizationDto {
  /** One of the caller's organizations, or null for none. @example "0f11feda-07f8-4202-9133-4a4e780e857d" */
  @IsDefined()
  @ValidateIf((_object: object, value: unknown) => value !== null)
  @IsUUID()
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, minLength: 1 })
  organization_id: string | null;
}

const PAGE_MAX = 1_000_000;
export const MEMBERS_PER_PAGE_MAX = 100;

/** `page` and `per_page`. */
export class OrganizationPageQueryDto {
  /** @example 1 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_MAX)
  @ApiProperty({ type: 'integer', minimum: 1, maximum: PAGE_MAX, required: false })
  page?: number;

  /** 1 to 100; 15 by default. @example 15 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MEMBERS_PER_PAGE_MAX)
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MEMBERS_PER_PAGE_MAX, required: false })
  per_page?: number;
}

export class ListMembersQueryDto extends OrganizationPageQueryDto {
  /** Part of a username, a first or last name; of an address too for owners and admins. @example "doe" */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @ApiProperty({ required: false, maxLength: 100 })
  search?: string;
}

export class ListInvitationsQueryDto extends OrganizationPageQueryDto {
  @IsOptional()
  @IsIn(['pending', 'accepted', 'declined', 'revoked', 'expired'])
  @ApiProperty({ required: false, enum: ['pending', 'accepted', 'declined', 'revoked', 'expired'] })
  status?: 'pending' | 'accepted' | 'declined' | 'revoked' | 'expired';
}

export class AdminListOrganizationsQueryDto extends OrganizationPageQueryDto {
  /** Part of the name. @example "academy" */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @ApiProperty({ required: false, maxLength: 100 })
  search?: string;

  @IsOptional()
  @IsIn(['enabled', 'disabled'])
  @ApiProperty({ required: false, enum: ['enabled', 'disabled'] })
  status?: 'enabled' | 'disabled';
}

export class ChangeMemberRoleDto {
  @IsIn(MEMBER_ROLES)
  @ApiProperty({ enum: MEMBER_ROLES, example: 'admin', minLength: 1 })
  role: MemberRole;
}

export class TransferOwnershipDto {
  /** The member who becomes owner. @example "56e5824b-eb63-4250-80f3-370ff4142fe7" */
  @IsUUID()
  @ApiProperty({ format: 'uuid', minLength: 1 })
  user_uuid: string;

  /** Proof (recent sign-in otherwise). */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

export class DeleteOrganizationDto {
  /** Proof (recent sign-in otherwise). */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

export class CreateInvitationDto {
  /** @example "new.member@example.com" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(EMAIL_MAX)
  @IsEmail()
  @ApiProperty({ format: 'email', minLength: 1, maxLength: EMAIL_MAX })
  email: string;

  @IsIn(INVITABLE_ROLES)
  @ApiProperty({ enum: INVITABLE_ROLES, example: 'member', minLength: 1 })
  role: InvitableRole;
}

/** The token of the invitation link (`FRONTEND_URL/accept-invitation?token=…`). */
export class InvitationTokenDto {
  /** @example "q3Zk9mV0b2tlbi1leGFtcGxlLW5vdC1hLXJlYWwtb25lLTQzY2hhcnM" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(128)
  @ApiProperty({ minLength: 1, maxLength: 128 })
  token: string;
}

/** The multipart body of `POST /api/organizations/{id}/logo` (documentation only: multer reads it, the service judges the bytes). */
export class UploadLogoDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'A JPEG, PNG, WebP or GIF image (judged by its content), at most 5 MB and 40 megapixels.',
  })
  logo: unknown;
}
