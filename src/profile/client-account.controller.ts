import { Body, Controller, Get, Header, HttpCode, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../common/auth/auth-context.js';
import { Authenticated, CurrentAuth } from '../common/auth/auth.decorators.js';
import { ClientErrors } from '../common/openapi/error-responses.js';
import { presentActivityLogList, presentClientAccount } from '../dialects/client/account.presenter.js';
import { ActivityLogListDto, ClientAccountDto } from '../dialects/client/dto/client-account.dto.js';
import { TAGS } from '../openapi/openapi.js';
import { AccountActivityService } from './account-activity.service.js';
import { ListActivityQueryDto, UpdateClientEmailDto, UpdateClientPasswordDto } from './dto/client-account.dto.js';
import { ProfileService } from './profile.service.js';

/** The /api/client/account family (seed 004). */
@ApiTags(TAGS.client)
@Controller('client/account')
@ClientErrors(401, 403)
export class ClientAccountController {
  constructor(
    private readonly profile: ProfileService,
    private readonly activity: AccountActivityService,
  ) {}

  /** The signed-in user's account. */
  @Authenticated('account.read')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ClientAccountDto })
  async getClientAccount(@CurrentAuth() auth: AuthContext): Promise<ClientAccountDto> {
    return presentClientAccount(await this.profile.view(auth));
  }

  /** Change the email address; `password` is checked first (400 when wrong). */
  @Authenticated('account.write')
  @Put('email')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Changed; the new address must be verified.' })
  @ClientErrors(400, 422)
  updateClientAccountEmail(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateClientEmailDto): Promise<void> {
    return this.profile.changeEmailWithPassword(auth, dto);
  }

  /** Change the password; `current_password` is checked first (400 when wrong); other sessions are revoked. */
  @Authenticated('account.write')
  @Put('password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Changed; every other session is revoked.' })
  @ClientErrors(400, 422)
  updateClientAccountPassword(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateClientPasswordDto): Promise<void> {
    return this.profile.changePasswordWithPassword(auth, dto);
  }

  /** The account's activity log, newest first by default. */
  @Authenticated('activity.read')
  @Get('activity')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ActivityLogListDto })
  @ClientErrors(422)
  async listClientAccountActivity(@CurrentAuth() auth: AuthContext, @Query() query: ListActivityQueryDto): Promise<ActivityLogListDto> {
    return presentActivityLogList(await this.activity.list(auth, query));
  }
}
