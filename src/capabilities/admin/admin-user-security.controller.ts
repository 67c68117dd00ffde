import { Body, Controller, Delete, Get, Header, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SuccessDto } from '../../dialects/success.dto.js';
import { ExternalAvatarDto } from '../avatar/dto/external-avatar.dto.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { AdminOnly, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { TWO_FACTOR_ERRORS } from '../two-factor/errors.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { VanguardUserResponseDto } from '../../dialects/vanguard/dto/vanguard-user.dto.js';
import { presentVanguardUserResponse } from '../../dialects/vanguard/user.presenter.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { SessionListDto } from '../sessions/dto/session.dto.js';
import { presentSession } from '../sessions/session.presenter.js';
import { presentAdminActivity } from './admin.presenter.js';
import { AdminUserSecurityService } from './admin-user-security.service.js';
import { AdminActivityPageDto } from './dto/admin-responses.dto.js';
import { AdminPageQueryDto, AdminProofDto } from './dto/admin-user.dto.js';
import { AdminProofErrors } from './admin-proof-errors.js';
import { presentPage } from './pagination.presenter.js';
import { ApiUserIdParam, UserIdParam } from '../../platform/http/user-id.pipe.js';

/** An admin's help for a user: avatar, locked-out two-factor, sessions, activity (issue 9). */
@ApiTags(TAGS.admin)
@AdminOnly()
@Controller('users/:id')
@ApiUserIdParam()
@LaravelErrors(401, CREDENTIAL_ERRORS.NOT_ADMIN, 404)
export class AdminUserSecurityController {
  constructor(
    private readonly admin: AdminUserSecurityService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Point the user's avatar at an external image URL (stored as given, never fetched). */
  @Put('avatar/external')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserResponseDto })
  @LaravelErrors(422)
  async adminSetExternalAvatar(
    @CurrentAuth() auth: AuthContext,
    @UserIdParam() id: number,
    @Body() body: ExternalAvatarDto,
  ): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.admin.setExternalAvatar(auth, id, body.url));
  }

  /** Remove the user's avatar: the default picture is shown again. */
  @Delete('avatar')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserResponseDto })
  async adminDeleteAvatar(@CurrentAuth() auth: AuthContext, @UserIdParam() id: number): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.admin.deleteAvatar(auth, id));
  }

  /**
   * Reset a locked-out user's two-factor: it is turned off, its secrets and recovery codes forgotten. Needs the
   * admin's proof (recent login or `current_password`; never an API key) and mails the user at its address of record.
   */
  @Delete('2fa')
  @Header('Cache-Control', 'no-store')
  @ApiBody({ type: AdminProofDto, required: false })
  @ApiOkResponse({ type: VanguardUserResponseDto })
  @AdminProofErrors(TWO_FACTOR_ERRORS.TWO_FACTOR_NOT_ENABLED)
  async adminResetTwoFactor(@CurrentAuth() auth: AuthContext, @UserIdParam() id: number, @Body() dto: AdminProofDto): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.admin.resetTwoFactor(auth, id, dto.current_password));
  }

  /** The user's active sessions. */
  @Get('sessions')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: SessionListDto })
  async adminListUserSessions(@UserIdParam() id: number): Promise<SessionListDto> {
    return { data: (await this.admin.listSessions(id)).map(presentSession) };
  }

  /** Revoke every session of the user: their access and refresh tokens stop working on the next request. */
  @Delete('sessions')
  @ApiOkResponse({ type: SuccessDto })
  async adminRevokeUserSessions(@CurrentAuth() auth: AuthContext, @UserIdParam() id: number): Promise<SuccessDto> {
    await this.admin.revokeSessions(auth, id);
    return { success: true };
  }

  /** The user's activity log, newest first, with the actor of each entry (Laravel's paginator shape). */
  @Get('activity')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: AdminActivityPageDto })
  @LaravelErrors(422)
  async adminListUserActivity(@UserIdParam() id: number, @Query() query: AdminPageQueryDto): Promise<AdminActivityPageDto> {
    const path = `${this.config.appUrl}/api/users/${id}/activity`;
    return presentPage(await this.admin.listActivity(id, query), presentAdminActivity, { path, query });
  }
}
