import { ApiProperty } from '@nestjs/swagger';

/** The organization's postal address (every sub-field a string or null). */
export class OrganizationAddressInfoDto {
  /** @example "Example City" */
  city: string | null;
  /** @example "Example State" */
  state: string | null;
  /** @example "Example Region" */
  region: string | null;
  /** @example "123 Example Street" */
  street: string | null;
  /** @example "Example Country" */
  country: string | null;
  /** @example "12345" */
  postcode: string | null;
}

/** Invoicing details (every sub-field a string or null; the e-mail fields are addresses). */
export class OrganizationBillingInfoDto {
  /** @example "VAT123456" */
  vat: string | null;
  /** @example "billing@open-badge.eu" */
  email: string | null;
  /** @example "CODE123" */
  code_dest: string | null;
  /** @example "FISCAL123" */
  fiscal_code: string | null;
  /** @example "certified@open-badge.eu" */
  certified_email: string | null;
  /** @example "LearnQuest Academy s.r.l." */
  legal_name: string | null;
}

/** Who to talk to (every sub-field a string or null; the e-mail fields are addresses). */
export class OrganizationContactInfoDto {
  /** @example "John" */
  name: string | null;
  /** @example "contact@open-badge.eu" */
  email: string | null;
  /** @example "+001234567890" */
  mobile: string | null;
  /** @example "Doe" */
  last_name: string | null;
  /** @example "tech@open-badge.eu" */
  tech_email: string | null;
  /** @example "legal@open-badge.eu" */
  legal_email: string | null;
}

/** What the organization shows publicly: each 0 or 1. */
export class OrganizationSettingsDto {
  @ApiProperty({ type: 'integer', enum: [0, 1], example: 1 })
  public_profile: 0 | 1;
  @ApiProperty({ type: 'integer', enum: [0, 1], example: 1 })
  public_badge_types: 0 | 1;
  @ApiProperty({ type: 'integer', enum: [0, 1], example: 0 })
  public_learning_paths: 0 | 1;
  @ApiProperty({ type: 'integer', enum: [0, 1], example: 1 })
  public_badge_templates: 0 | 1;
}

/**
 * An organization, field for field as the `001` family's `organization` (seed 001). Every property is declared with
 * its decorator, so the document lists them in the seed's order (the compiled serialiser of `GET /api/v1/auth/user`
 * writes them in that order).
 */
export class OrganizationDto {
  @ApiProperty({ format: 'uuid', example: '0f11feda-07f8-4202-9133-4a4e780e857d' })
  id: string;
  @ApiProperty({ type: 'string', nullable: true, description: 'Chosen by the organization: a short lower-case word.', example: 'public_local_national' })
  type: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'Chosen by the organization: a short lower-case word.', example: 'school' })
  activity: string | null;
  @ApiProperty({ example: 'LearnQuest Academyyyyy' })
  name: string;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Rich text, sanitised on write: only p, br, em, strong, u, a (http, https, mailto), ul, ol, li, h2–h4 and blockquote remain.',
    example: '<p><em>Welcome to </em><strong>LearnQuest Academy</strong><em>, where education meets innovation!</em></p>',
  })
  description: string | null;
  @ApiProperty({ type: OrganizationAddressInfoDto })
  address_info: OrganizationAddressInfoDto;
  @ApiProperty({ type: OrganizationBillingInfoDto })
  billing_info: OrganizationBillingInfoDto;
  @ApiProperty({ example: 'en' })
  language: string;
  @ApiProperty({ type: 'string', nullable: true, example: 'https://www.example.com' })
  website: string | null;
  @ApiProperty({ enum: ['enabled', 'disabled'], example: 'enabled', description: 'Written by platform admins only.' })
  status: 'enabled' | 'disabled';
  @ApiProperty({ type: OrganizationContactInfoDto })
  contact_info: OrganizationContactInfoDto;
  @ApiProperty({ type: OrganizationSettingsDto })
  settings: OrganizationSettingsDto;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: "The logo's main rendition (512 px), or null without a logo.",
    example: 'http://localhost:3000/storage/avatars/3f5c0c0e8f1d4f5e9a6b7c8d9e0f1a2b.webp',
  })
  logo_path: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: '1024 px rendition.', example: 'http://localhost:3000/storage/avatars/3f5c0c0e8f1d4f5e9a6b7c8d9e0f1a2b_high.webp' })
  logo_high_path: string | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: '160 px rendition.',
    example: 'http://localhost:3000/storage/avatars/3f5c0c0e8f1d4f5e9a6b7c8d9e0f1a2b_thumbnail.webp',
  })
  logo_thumbnail_path: string | null;
  @ApiProperty({ type: 'integer', example: 38422, description: 'Written by platform admins only.' })
  credits_left: number;
  @ApiProperty({ type: 'integer', example: 24, description: 'Written by platform admins only.' })
  badge_templates_count: number;
  @ApiProperty({ type: 'integer', example: 739, description: 'Written by platform admins only.' })
  badges_count: number;
  @ApiProperty({ example: '2024-07-03T15:02:45.000000Z' })
  created_at: string;
  @ApiProperty({ example: '2024-09-16T15:42:31.000000Z' })
  updated_at: string;
  @ApiProperty({ description: 'ORGANIZATION_PUBLIC_URL with the id.', example: 'https://openbadges.open-badge.eu/public/issuers/0f11feda-07f8-4202-9133-4a4e780e857d' })
  public_url: string;
  @ApiProperty({ type: 'string', nullable: true, description: 'Written by platform admins only.', example: 'cus_QpT1CW2JIJb9fL' })
  stripe_customer_id: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'Written by platform admins only.', example: null })
  subscription_id: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'Written by platform admins only.', example: 'active' })
  subscription_status: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: '"Y-m-d H:i:s" (UTC) or null; written by platform admins only.', example: '2024-09-16 13:29:49' })
  current_period_start: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: '"Y-m-d H:i:s" (UTC) or null; written by platform admins only.', example: '2024-10-16 13:29:49' })
  current_period_end: string | null;
}

export class OrganizationResponseDto {
  data: OrganizationDto;
}

/** The current organization after the change, or null. */
export class CurrentOrganizationResponseDto {
  @ApiProperty({ type: OrganizationDto, nullable: true })
  data: OrganizationDto | null;
}

/** One of the caller's organizations, with the caller's role in it. */
export class MyOrganizationDto {
  organization: OrganizationDto;
  @ApiProperty({ enum: ['owner', 'admin', 'member'], example: 'owner' })
  role: 'owner' | 'admin' | 'member';
  /** @example "2024-07-03T15:02:45.000000Z" */
  joined_at: string;
  /** Whether this is the organization the `001` family shows. @example true */
  current: boolean;
}

export class MyOrganizationListDto {
  data: MyOrganizationDto[];
}

/** A page of a list: `current_page`, `per_page`, `total` (over all pages), `last_page`. */
export class OrganizationPageMetaDto {
  /** @example 1 */
  @ApiProperty({ type: 'integer', example: 1 })
  current_page: number;
  /** @example 15 */
  @ApiProperty({ type: 'integer', example: 15 })
  per_page: number;
  /** @example 42 */
  @ApiProperty({ type: 'integer', example: 42 })
  total: number;
  /** @example 3 */
  @ApiProperty({ type: 'integer', example: 3 })
  last_page: number;
}

export class OrganizationPageDto {
  data: OrganizationDto[];
  meta: OrganizationPageMetaDto;
}

/** The member's user, as every member may see it. */
export class OrganizationMemberUserDto {
  /** @example "56e5824b-eb63-4250-80f3-370ff4142fe7" */
  @ApiProperty({ format: 'uuid' })
  uuid: string;
  /** @example "j.doe" */
  username: string;
  /** @example "John" */
  name: string | null;
  /** @example "Doe" */
  last_name: string | null;
  /** @example "http://localhost:3000/storage/default-avatar.png" */
  profile_picture_thumbnail_path: string;
}

export class OrganizationMemberDto {
  /** The membership's id. @example "8d0a7c4e-5b7f-4a51-9f0e-2f3c1c7d6b11" */
  @ApiProperty({ format: 'uuid' })
  id: string;
  user: OrganizationMemberUserDto;
  /** Shown to owners and admins only. @example "j.doe@example.com" */
  @ApiProperty({ required: false, format: 'email' })
  email?: string;
  @ApiProperty({ enum: ['owner', 'admin', 'member'], example: 'member' })
  role: 'owner' | 'admin' | 'member';
  /** @example "2024-07-03T15:02:45.000000Z" */
  joined_at: string;
}

export class OrganizationMemberResponseDto {
  data: OrganizationMemberDto;
}

export class OrganizationMemberPageDto {
  data: OrganizationMemberDto[];
  meta: OrganizationPageMetaDto;
}

export class InvitationInviterDto {
  /** @example "56e5824b-eb63-4250-80f3-370ff4142fe7" */
  @ApiProperty({ format: 'uuid' })
  uuid: string;
  /** @example "j.doe" */
  username: string;
}

export class OrganizationInvitationDto {
  /** The invitation's id (not its token). @example "c7b0f1d2-3e4a-4b5c-8d6e-7f8091a2b3c4" */
  @ApiProperty({ format: 'uuid' })
  id: string;
  /** @example "new.member@example.com" */
  @ApiProperty({ format: 'email' })
  email: string;
  @ApiProperty({ enum: ['admin', 'member'], example: 'member' })
  role: 'admin' | 'member';
  @ApiProperty({ enum: ['pending', 'accepted', 'declined', 'revoked', 'expired'], example: 'pending' })
  status: 'pending' | 'accepted' | 'declined' | 'revoked' | 'expired';
  /** @example "2024-07-10T15:02:45.000000Z" */
  expires_at: string;
  /** Who sent it; null once that account is deleted. */
  @ApiProperty({ type: InvitationInviterDto, nullable: true })
  invited_by: InvitationInviterDto | null;
  /** @example "2024-07-03T15:02:45.000000Z" */
  created_at: string;
}

export class OrganizationInvitationResponseDto {
  data: OrganizationInvitationDto;
}

export class OrganizationInvitationPageDto {
  data: OrganizationInvitationDto[];
  meta: OrganizationPageMetaDto;
}

/** What the invitation's landing page may show (never the address). */
export class InvitationPreviewOrganizationDto {
  /** @example "0f11feda-07f8-4202-9133-4a4e780e857d" */
  @ApiProperty({ format: 'uuid' })
  id: string;
  /** @example "LearnQuest Academyyyyy" */
  name: string;
  /** @example null */
  logo_thumbnail_path: string | null;
}

export class InvitationPreviewDto {
  organization: InvitationPreviewOrganizationDto;
  @ApiProperty({ enum: ['admin', 'member'], example: 'member' })
  role: 'admin' | 'member';
  /** @example "2024-07-10T15:02:45.000000Z" */
  expires_at: string;
}

export class InvitationPreviewResponseDto {
  data: InvitationPreviewDto;
}
