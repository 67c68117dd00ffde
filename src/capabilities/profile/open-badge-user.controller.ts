import { Body, Controller, Delete, Get, Header, HttpCode, Post, Put, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AccountDeletionService } from '../account-data/account-deletion.service.js';
import { DeleteAccountDto } from '../account-data/dto/delete-account.dto.js';
import { SuccessDto } from '../../dialects/success.dto.js';
import { AvatarFileInterceptor } from '../avatar/avatar-upload.interceptor.js';
import { ApiMultipartFile } from '../../platform/openapi/multipart-file.js';
import type { UploadedImage } from '../avatar/avatar.service.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { Authenticated, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import { ACCOUNT_RECOVERY_ERRORS } from '../account-recovery/errors.js';
import { OpenBadgeProfileResponseDto, OpenBadgeUserDto } from '../../dialects/open-badge/dto/open-badge-user.dto.js';
import { presentOpenBadgeProfileResponse, presentOpenBadgeUser } from '../../dialects/open-badge/user.presenter.js';
import { presentOrganization, type OrganizationUrls } from '../../dialects/open-badge/organization.presenter.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { organizationUrlsOf } from '../organizations/organization.presenters.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { ACCOUNT_DELETION_ORGANIZATION_ERRORS } from '../organizations/errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { UpdateAuthUserDto, UpdateAuthUserProfileDto } from './dto/open-badge.dto.js';
import { ProfileService } from './profile.service.js';

/** The /api/v1/auth family (seed 001). */
@ApiTags(TAGS.v1)
@Controller('v1/auth/user')
@LaravelErrors(401, 403)
export class OpenBadgeUserController {
  private readonly organizationUrls: OrganizationUrls;

  constructor(
    private readonly profile: ProfileService,
    private readonly deletion: AccountDeletionService,
    private readonly organizations: OrganizationsService,
    @InjectConfig() config: AppConfig,
  ) {
    this.organizationUrls = organizationUrlsOf(config);
  }

  /** The user with their current organization: one more statement only when they have one. */
  private async present(profile: UserProfile): Promise<OpenBadgeUserDto> {
    const organization = await this.organizations.currentOf(profile.user);
    return presentOpenBadgeUser(profile, organization ? presentOrganization(organization, this.organizationUrls) : null);
  }

  /** The signed-in user, unwrapped. */
  @Authenticated('account.read')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: OpenBadgeUserDto })
  async getAuthUser(@CurrentAuth() auth: AuthContext): Promise<OpenBadgeUserDto> {
    return this.present(await this.profile.view(auth));
  }

  /**
   * Change username and/or email (recent login or `current_password`; never with an API key). A new address waits
   * for its owner to open the link mailed to it while the current one is verified: the answer shows the current address.
   * One change at a time: 422 while an earlier one is pending or, confirmed less than 7 days ago, can still be reverted.
   */
  @Authenticated('account.write')
  @Put()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: OpenBadgeUserDto })
  @LaravelErrors(400, ACCOUNT_RECOVERY_ERRORS.EMAIL_CHANGE_IN_PROGRESS, 422)
  @ProofRequiredErrors('vanguard', { recentLogin: true })
  async updateAuthUser(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateAuthUserDto): Promise<OpenBadgeUserDto> {
    return this.present(await this.profile.updateCredentials(auth, dto));
  }

  /** Update name, last name, language, settings and the picture (`profile_picture`, multipart/form-data only). */
  @Authenticated('account.write')
  @Post('profile')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @UseInterceptors(AvatarFileInterceptor('profile_picture', { fields: 20 }))
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiMultipartFile('profile_picture', 'JPEG, PNG, WebP or GIF, at most 5 MB and 40 megapixels (multipart/form-data only).')
  @ApiOkResponse({ type: OpenBadgeProfileResponseDto })
  @LaravelErrors(400, 413, 422)
  async updateAuthUserProfile(
    @CurrentAuth() auth: AuthContext,
    @Body() dto: UpdateAuthUserProfileDto,
    @UploadedFile() picture: UploadedImage | undefined,
  ): Promise<OpenBadgeProfileResponseDto> {
    return presentOpenBadgeProfileResponse(await this.profile.updateOpenBadgeProfile(auth, dto, picture));
  }

  /** Delete the account, as `DELETE /api/me` does (recent login or `current_password`). */
  @Authenticated('account.write')
  @Delete()
  @Header('Cache-Control', 'no-store')
  @ApiBody({ type: DeleteAccountDto, required: false })
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(ACCOUNT_DELETION_ORGANIZATION_ERRORS.TRANSFER_OWNERSHIP_FIRST, 422, 429)
  async deleteAuthUser(@CurrentAuth() auth: AuthContext, @Body() dto: DeleteAccountDto): Promise<SuccessDto> {
    return this.deletion.deleteWithRecentAuth(auth, dto.current_password).then(() => ({ success: true }));
  }
}
