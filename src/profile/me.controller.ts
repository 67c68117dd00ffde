import { Body, Controller, Get, Header, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../common/auth/auth-context.js';
import { Authenticated, CurrentAuth } from '../common/auth/auth.decorators.js';
import { LaravelErrors } from '../common/openapi/error-responses.js';
import { VanguardUserResponseDto } from '../dialects/vanguard/dto/vanguard-user.dto.js';
import { presentVanguardUserResponse } from '../dialects/vanguard/user.presenter.js';
import { TAGS } from '../openapi/openapi.js';
import { MeQueryDto, UpdateMeCredentialsDto, UpdateMeDetailsDto } from './dto/me.dto.js';
import { ProfileService } from './profile.service.js';

/** The /api/me family (seed 000). */
@ApiTags(TAGS.me)
@Controller('me')
@LaravelErrors(401, 403, 422)
export class MeController {
  constructor(private readonly profile: ProfileService) {}

  /** The signed-in user; `?include=role,country` adds those objects. */
  @Authenticated('account.read')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserResponseDto })
  async getMe(@CurrentAuth() auth: AuthContext, @Query() query: MeQueryDto): Promise<VanguardUserResponseDto> {
    const includes = query.includes();
    return presentVanguardUserResponse(await this.profile.view(auth, includes), includes);
  }

  /** Update any of the personal details. */
  @Authenticated('account.write')
  @Patch('details')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserResponseDto })
  @LaravelErrors(400)
  async updateMeDetails(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateMeDetailsDto): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.profile.updateDetails(auth, dto));
  }

  /** Update username, email or password (recent login or `current_password`). */
  @Authenticated('account.write')
  @Patch('details/auth')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserResponseDto })
  @LaravelErrors(400)
  async updateMeCredentials(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateMeCredentialsDto): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.profile.updateCredentials(auth, dto));
  }
}
