import { Body, Controller, Delete, Get, Header, Param, Patch, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { LaravelErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import { OrganizationPageDto, OrganizationResponseDto } from '../../dialects/open-badge/dto/organization.dto.js';
import { presentOrganization, type OrganizationUrls } from '../../dialects/open-badge/organization.presenter.js';
import { SuccessDto } from '../../dialects/success.dto.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { AdminListOrganizationsQueryDto, AdminUpdateOrganizationDto, DeleteOrganizationDto } from './dto/organization-input.dto.js';
import { ORGANIZATION_ERRORS } from './errors.js';
import { presentPageMeta } from './organization.presenters.js';
import { organizationUrlsOf } from './organization.presenters.js';
import { OrganizationsService } from './organizations.service.js';

const ApiOrganizationIdParam = (): MethodDecorator =>
  ApiParam({ name: 'id', format: 'uuid', description: "The organization's id.", example: '0f11feda-07f8-4202-9133-4a4e780e857d' });

/** Every organization, for platform admins (an admin's access token, or a key with the `admin` scope). */
@ApiTags(TAGS.organizations)
@AdminOnly()
@Controller('admin/organizations')
@LaravelErrors(401, CREDENTIAL_ERRORS.NOT_ADMIN)
export class AdminOrganizationsController {
  private readonly urls: OrganizationUrls;

  constructor(
    private readonly organizations: OrganizationsService,
    @InjectConfig() config: AppConfig,
  ) {
    this.urls = organizationUrlsOf(config);
  }

  /** Find organizations: `search` (in the name), `status`, newest first. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: OrganizationPageDto })
  @LaravelErrors(422)
  async adminListOrganizations(@Query() query: AdminListOrganizationsQueryDto): Promise<OrganizationPageDto> {
    const page = await this.organizations.adminList(query);
    return { data: page.items.map((organization) => presentOrganization(organization, this.urls)), meta: presentPageMeta(page) };
  }

  /** One organization, whoever its members are. */
  @Get(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiOkResponse({ type: OrganizationResponseDto })
  @LaravelErrors(ORGANIZATION_ERRORS.ORGANIZATION_NOT_FOUND)
  async adminGetOrganization(@Param('id') id: string): Promise<OrganizationResponseDto> {
    return { data: presentOrganization(await this.organizations.adminGet(id), this.urls) };
  }

  /**
   * Change any field, the host application's included (`status`, credits and counters, Stripe and the billing
   * period, which takes `Y-m-d H:i:s` or ISO 8601): not a credential change, so no proof is asked.
   */
  @Patch(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiOkResponse({ type: OrganizationResponseDto })
  @LaravelErrors(ORGANIZATION_ERRORS.ORGANIZATION_NOT_FOUND, 422)
  async adminUpdateOrganization(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Body() dto: AdminUpdateOrganizationDto,
  ): Promise<OrganizationResponseDto> {
    return { data: presentOrganization(await this.organizations.adminUpdate(auth, id, dto), this.urls) };
  }

  /** Delete an organization (recent sign-in or `current_password`; never with an API key). */
  @Delete(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOrganizationIdParam()
  @ApiBody({ type: DeleteOrganizationDto, required: false })
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(ORGANIZATION_ERRORS.ORGANIZATION_NOT_FOUND, 422, 429)
  @ProofRequiredErrors('vanguard', { recentLogin: true })
  async adminDeleteOrganization(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Body() dto: DeleteOrganizationDto): Promise<SuccessDto> {
    await this.organizations.adminDelete(auth, id, dto.current_password);
    return { success: true };
  }
}
