import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Query, Res, UploadedFile } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated, CurrentAuth, CurrentClient, Public } from '../../core/credentials/auth.decorators.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import type { AuthContext, ClientInfo } from '../../core/users/auth-context.js';
import { LaravelErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import {
  CurrentOrganizationResponseDto,
  InvitationPreviewResponseDto,
  MyOrganizationListDto,
  OrganizationInvitationPageDto,
  OrganizationInvitationResponseDto,
  OrganizationMemberPageDto,
  OrganizationMemberResponseDto,
  OrganizationResponseDto,
} from '../../dialects/open-badge/dto/organization.dto.js';
import {
  presentInvitation,
  presentInvitationPreview,
  presentMember,
  presentMyOrganization,
  presentOrganization,
  type OrganizationUrls,
} from '../../dialects/open-badge/organization.presenter.js';
import { SuccessDto } from '../../dialects/success.dto.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { AVATAR_ERRORS } from '../avatar/errors.js';
import { AvatarUpload } from '../avatar/avatar-upload.interceptor.js';
import type { UploadedImage } from '../avatar/avatar.service.js';
import {
  ChangeMemberRoleDto,
  CreateInvitationDto,
  CreateOrganizationDto,
  DeleteOrganizationDto,
  InvitationTokenDto,
  ListInvitationsQueryDto,
  ListMembersQueryDto,
  SetCurrentOrganizationDto,
  TransferOwnershipDto,
  UpdateOrganizationDto,
  UploadLogoDto,
} from './dto/organization-input.dto.js';
import { ORGANIZATION_ERRORS } from './errors.js';
import { OrganizationInvitationsService } from './organization-invitations.service.js';
import { OrganizationLogoService } from './organization-logo.service.js';
import { OrganizationMembersService } from './organization-members.service.js';
import { organizationUrlsOf, presentPageMeta } from './organization.presenters.js';
import { OrganizationsService } from './organizations.service.js';

const { ORGANIZATION_NOT_FOUND, ORGANIZATION_FORBIDDEN, ORGANIZATION_DISABLED } = ORGANIZATION_ERRORS;

const ApiOrganizationIdParam = (): MethodDecorator =>
  ApiParam({ name: 'id', format: 'uuid', description: "The organization's id; a non-member gets 404.", example: '0f11feda-07f8-4202-9133-4a4e780e857d' });
const ApiUserUuidParam = (): MethodDecorator =>
  ApiParam({ name: 'userUuid', format: 'uuid', description: "The member's user uuid.", example: '56e5824b-eb63-4250-80f3-370ff4142fe7' });

/** Organizations, their logo, members and invitations (the `001` family's shapes). */
@ApiTags(TAGS.organizations)
@Controller('organizations')
@LaravelErrors(401)
export class OrganizationsController {
  private readonly urls: OrganizationUrls;

  constructor(
    private readonly organizations: OrganizationsService,
    private readonly members: OrganizationMembersService,
    private readonly invitations: OrganizationInvitationsService,
    private readonly logos: OrganizationLogoService,
    @InjectConfig() config: AppConfig,
  ) {
    this.urls = organizationUrlsOf(config);
  }

  /**
   * Create an organization: the caller becomes its owner, and it becomes their current organization when they have
   * none. Needs a verified email address; at most ORGANIZATIONS_PER_USER created per user (that still exist).
   */
  @Authenticated('organizations.write')
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: OrganizationResponseDto })
  @LaravelErrors(CREDENTIAL_ERRORS.ADDRESS_NOT_VERIFIED, ORGANIZATION_ERRORS.ORGANIZATIONS_PER_USER_REACHED, 422)
  async createOrganization(@CurrentAuth() auth: AuthContext, @Body() dto: CreateOrganizationDto): Promise<OrganizationResponseDto> {
    return { data: presentOrganization(await this.organizations.create(auth, dto), this.urls) };
  }

  /** One organization the caller belongs to. */
  @Authenticated('organizations.read')
  @Get(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiOkResponse({ type: OrganizationResponseDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND)
  async getOrganization(@CurrentAuth() auth: AuthContext, @Param('id') id: string): Promise<OrganizationResponseDto> {
    return { data: presentOrganization(await this.organizations.get(auth, id), this.urls) };
  }

  /** Edit the descriptive fields (owners and admins); sub-objects keep the sub-fields not sent. The host application's fields are refused (422 naming them). */
  @Authenticated('organizations.write')
  @Patch(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiOkResponse({ type: OrganizationResponseDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, ORGANIZATION_FORBIDDEN, ORGANIZATION_DISABLED, 422)
  async updateOrganization(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Body() dto: UpdateOrganizationDto): Promise<OrganizationResponseDto> {
    return { data: presentOrganization(await this.organizations.update(auth, id, dto), this.urls) };
  }

  /** Delete the organization (owner; recent sign-in or `current_password`; never with an API key): members, invitations and logo go. */
  @Authenticated('organizations.write')
  @Delete(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiBody({ type: DeleteOrganizationDto, required: false })
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, ORGANIZATION_FORBIDDEN, ORGANIZATION_DISABLED, 422, 429)
  @ProofRequiredErrors('vanguard', { recentLogin: true })
  async deleteOrganization(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Body() dto: DeleteOrganizationDto): Promise<SuccessDto> {
    await this.organizations.delete(auth, id, dto.current_password);
    return { success: true };
  }

  /** Upload the logo (owners and admins): JPEG, PNG, WebP or GIF, judged by content; three renditions, as avatars. */
  @Authenticated('organizations.write')
  @Post(':id/logo')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @AvatarUpload('logo')
  @ApiBody({ type: UploadLogoDto })
  @ApiOrganizationIdParam()
  @ApiOkResponse({ type: OrganizationResponseDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, ORGANIZATION_FORBIDDEN, ORGANIZATION_DISABLED, 413, AVATAR_ERRORS.IMAGE_LINE_FULL, 422)
  async uploadOrganizationLogo(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @UploadedFile() logo: UploadedImage | undefined,
  ): Promise<OrganizationResponseDto> {
    return { data: presentOrganization(await this.logos.upload(auth, id, logo), this.urls) };
  }

  /** Remove the logo (owners and admins). */
  @Authenticated('organizations.write')
  @Delete(':id/logo')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiOkResponse({ type: OrganizationResponseDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, ORGANIZATION_FORBIDDEN, ORGANIZATION_DISABLED)
  async deleteOrganizationLogo(@CurrentAuth() auth: AuthContext, @Param('id') id: string): Promise<OrganizationResponseDto> {
    return { data: presentOrganization(await this.logos.remove(auth, id), this.urls) };
  }

  /** Members, in the order they joined; `search` matches usernames and names (and addresses, for owners and admins, who also see them). */
  @Authenticated('organizations.read')
  @Get(':id/members')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiOkResponse({ type: OrganizationMemberPageDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, 422)
  async listOrganizationMembers(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Query() query: ListMembersQueryDto,
  ): Promise<OrganizationMemberPageDto> {
    const page = await this.members.list(auth, id, query);
    return { data: page.items.map((member) => presentMember(member, page.withEmail)), meta: presentPageMeta(page) };
  }

  /** Change a member's role: owners any; admins non-owners, never to owner. The last owner cannot be demoted. */
  @Authenticated('organizations.write')
  @Patch(':id/members/:userUuid')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiUserUuidParam()
  @ApiOkResponse({ type: OrganizationMemberResponseDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, ORGANIZATION_ERRORS.MEMBER_NOT_FOUND, ORGANIZATION_FORBIDDEN, ORGANIZATION_DISABLED, ORGANIZATION_ERRORS.ORGANIZATION_NEEDS_OWNER, 422)
  async changeOrganizationMemberRole(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Param('userUuid') userUuid: string,
    @Body() dto: ChangeMemberRoleDto,
  ): Promise<OrganizationMemberResponseDto> {
    const { member, withEmail } = await this.members.changeRole(auth, id, userUuid, dto.role);
    return { data: presentMember(member, withEmail) };
  }

  /** Remove a member (owners any; admins non-owners), or leave (anyone, themself). The last owner can do neither. */
  @Authenticated('organizations.write')
  @Delete(':id/members/:userUuid')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiUserUuidParam()
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, ORGANIZATION_ERRORS.MEMBER_NOT_FOUND, ORGANIZATION_FORBIDDEN, ORGANIZATION_DISABLED, ORGANIZATION_ERRORS.ORGANIZATION_NEEDS_OWNER)
  async removeOrganizationMember(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Param('userUuid') userUuid: string): Promise<SuccessDto> {
    await this.members.remove(auth, id, userUuid);
    return { success: true };
  }

  /** Make another member the owner; the caller becomes admin (owner; recent sign-in or `current_password`; never with an API key). */
  @Authenticated('organizations.write')
  @Post(':id/transfer-ownership')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiOkResponse({ type: OrganizationMemberResponseDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, ORGANIZATION_FORBIDDEN, ORGANIZATION_DISABLED, ORGANIZATION_ERRORS.TRANSFER_TARGET_NOT_MEMBER, ORGANIZATION_ERRORS.TRANSFER_TO_SELF, 422, 429)
  @ProofRequiredErrors('vanguard', { recentLogin: true })
  async transferOrganizationOwnership(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Body() dto: TransferOwnershipDto,
  ): Promise<OrganizationMemberResponseDto> {
    return { data: presentMember(await this.members.transfer(auth, id, dto.user_uuid, dto.current_password), true) };
  }

  /**
   * Invite an address (owners and admins): a single-use link bound to it is mailed. Inviting an address with a
   * pending invitation again answers 200 with that invitation, renewed, and mails a new link (the old one stops working).
   */
  @Authenticated('organizations.write')
  @Post(':id/invitations')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiCreatedResponse({ type: OrganizationInvitationResponseDto, description: 'Invited.' })
  @ApiOkResponse({ type: OrganizationInvitationResponseDto, description: 'The pending invitation to this address, renewed with a new link.' })
  @LaravelErrors(
    ORGANIZATION_NOT_FOUND,
    ORGANIZATION_FORBIDDEN,
    ORGANIZATION_DISABLED,
    ORGANIZATION_ERRORS.INVITEE_ALREADY_MEMBER,
    ORGANIZATION_ERRORS.PENDING_INVITATIONS_FULL,
    ORGANIZATION_ERRORS.MEMBERS_FULL,
    422,
  )
  async createOrganizationInvitation(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Body() dto: CreateInvitationDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrganizationInvitationResponseDto> {
    const { invitation, created } = await this.invitations.invite(auth, id, dto);
    response.status(created ? 201 : 200);
    return { data: presentInvitation(invitation) };
  }

  /** The organization's invitations, newest first (owners and admins); `status` filters. */
  @Authenticated('organizations.read')
  @Get(':id/invitations')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiOkResponse({ type: OrganizationInvitationPageDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, ORGANIZATION_FORBIDDEN, 422)
  async listOrganizationInvitations(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Query() query: ListInvitationsQueryDto,
  ): Promise<OrganizationInvitationPageDto> {
    const page = await this.invitations.list(auth, id, query);
    return { data: page.items.map(presentInvitation), meta: presentPageMeta(page) };
  }

  /** Revoke a pending invitation (owners and admins): its link stops working. */
  @Authenticated('organizations.write')
  @Delete(':id/invitations/:invitationId')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiParam({ name: 'invitationId', format: 'uuid', description: "The invitation's id.", example: 'c7b0f1d2-3e4a-4b5c-8d6e-7f8091a2b3c4' })
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, ORGANIZATION_ERRORS.INVITATION_NOT_FOUND, ORGANIZATION_FORBIDDEN, ORGANIZATION_DISABLED)
  async revokeOrganizationInvitation(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Param('invitationId') invitationId: string,
  ): Promise<SuccessDto> {
    await this.invitations.revoke(auth, id, invitationId);
    return { success: true };
  }
}

/** The caller's organizations and the current one. */
@ApiTags(TAGS.organizations)
@Controller('me')
@LaravelErrors(401)
export class MyOrganizationsController {
  private readonly urls: OrganizationUrls;

  constructor(
    private readonly organizations: OrganizationsService,
    @InjectConfig() config: AppConfig,
  ) {
    this.urls = organizationUrlsOf(config);
  }

  /** Every organization the caller belongs to, with their role and which one is current. */
  @Authenticated('organizations.read')
  @Get('organizations')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: MyOrganizationListDto })
  async listMyOrganizations(@CurrentAuth() auth: AuthContext): Promise<MyOrganizationListDto> {
    return { data: (await this.organizations.listMine(auth.user)).map((entry) => presentMyOrganization(entry, this.urls)) };
  }

  /** Choose the organization `GET /api/v1/auth/user` shows (one of the caller's), or null for none. */
  @Authenticated('organizations.write')
  @Put('organization')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: CurrentOrganizationResponseDto })
  @LaravelErrors(ORGANIZATION_NOT_FOUND, 422)
  async setCurrentOrganization(@CurrentAuth() auth: AuthContext, @Body() dto: SetCurrentOrganizationDto): Promise<CurrentOrganizationResponseDto> {
    const organization = await this.organizations.setCurrent(auth, dto.organization_id);
    return { data: organization ? presentOrganization(organization, this.urls) : null };
  }
}

/** The invitation link's landing page: preview, accept, decline. */
@ApiTags(TAGS.organizations)
@Controller('organization-invitations')
export class InvitationLinksController {
  private readonly appUrl: string;

  constructor(
    private readonly invitations: OrganizationInvitationsService,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.appUrl = config.appUrl;
  }

  /** What the landing page may say about an invitation (not the address); no credential needed, 30 a minute per address. */
  @Public()
  @Post('preview')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: InvitationPreviewResponseDto })
  @LaravelErrors(ORGANIZATION_ERRORS.INVITATION_INVALID, 422, 429)
  async previewOrganizationInvitation(@Body() dto: InvitationTokenDto, @CurrentClient() client: ClientInfo): Promise<InvitationPreviewResponseDto> {
    return { data: presentInvitationPreview(await this.invitations.preview(dto.token, client), this.appUrl) };
  }

  /** Join the organization (the signed-in address must be the invited one; an unverified one is verified by the link). */
  @Authenticated('organizations.write')
  @Post('accept')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: OrganizationResponseDto })
  @LaravelErrors(ORGANIZATION_ERRORS.INVITATION_INVALID, ORGANIZATION_ERRORS.INVITATION_OTHER_ADDRESS, ORGANIZATION_DISABLED, ORGANIZATION_ERRORS.MEMBERS_FULL, 422)
  async acceptOrganizationInvitation(@CurrentAuth() auth: AuthContext, @Body() dto: InvitationTokenDto): Promise<OrganizationResponseDto> {
    return { data: presentOrganization(await this.invitations.accept(auth, dto.token), organizationUrlsOf(this.config)) };
  }

  /** Decline (the signed-in address must be the invited one): the link stops working. */
  @Authenticated('organizations.write')
  @Post('decline')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(ORGANIZATION_ERRORS.INVITATION_INVALID, ORGANIZATION_ERRORS.INVITATION_OTHER_ADDRESS, ORGANIZATION_DISABLED, 422)
  async declineOrganizationInvitation(@CurrentAuth() auth: AuthContext, @Body() dto: InvitationTokenDto): Promise<SuccessDto> {
    await this.invitations.decline(auth, dto.token);
    return { success: true };
  }
}
