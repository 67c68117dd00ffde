import { ACCOUNT_DELETION_ORGANIZATION_ERRORS } from '../organizations/errors.js';
import { Body, Controller, Delete, Get, Header, HttpCode, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AccountDeletionService } from '../account-data/account-deletion.service.js';
import { DeleteClientAccountDto } from '../account-data/dto/delete-account.dto.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { Authenticated, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { ClientErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { ACCOUNT_RECOVERY_ERRORS } from '../account-recovery/errors.js';
import { presentActivityLogList, presentClientAccount } from '../../dialects/client/account.presenter.js';
import { ActivityLogListDto, ClientAccountDto } from '../../dialects/client/dto/client-account.dto.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { AccountActivityService } from './account-activity.service.js';
import { ListActivityQueryDto, UpdateClientEmailDto, UpdateClientPasswordDto } from './dto/client-account.dto.js';
import { ProfileService } from './profile.service.js';
import { RENEWED_COOKIE_HEADERS } from '../auth/session-cookie-responses.js';

/** The /api/client/account family (seed 004). */
@ApiTags(TAGS.client)
@Controller('client/account')
@ClientErrors(401, 403)
export class ClientAccountController {
  constructor(
    private readonly profile: ProfileService,
    private readonly activity: AccountActivityService,
    private readonly deletion: AccountDeletionService,
  ) {}

  /** The signed-in user's account. */
  @Authenticated('account.read')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ClientAccountDto })
  async getClientAccount(@CurrentAuth() auth: AuthContext): Promise<ClientAccountDto> {
    return presentClientAccount(await this.profile.view(auth));
  }

  /**
   * Change the email address; `password` is checked first (400 when wrong; never with an API key). While the current
   * address is verified the change waits for the new address to open the link mailed to it. One change at a time:
   * 422 while an earlier one is pending or, confirmed less than 7 days ago, can still be reverted.
   */
  @Authenticated('account.write')
  @Put('email')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Accepted: pending until the new address confirms (or applied at once, to be verified, when the current address is unverified).' })
  @ClientErrors(CREDENTIAL_ERRORS.INVALID_PASSWORD, ACCOUNT_RECOVERY_ERRORS.EMAIL_CHANGE_IN_PROGRESS, 422)
  @ProofRequiredErrors('client', { recentLogin: false })
  updateClientAccountEmail(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateClientEmailDto): Promise<void> {
    return this.profile.changeEmailWithPassword(auth, dto);
  }

  /** Change the password; `current_password` is checked first (400 when wrong); other sessions are revoked. */
  @Authenticated('account.write')
  @Put('password')
  @HttpCode(204)
  @ApiNoContentResponse({
    description: 'Changed; every other session and open two-factor login is revoked (a browser session gets a new cookie value).',
    headers: RENEWED_COOKIE_HEADERS,
  })
  @ClientErrors(CREDENTIAL_ERRORS.INVALID_PASSWORD, 422)
  @ProofRequiredErrors('client', { recentLogin: false })
  updateClientAccountPassword(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateClientPasswordDto): Promise<void> {
    return this.profile.changePasswordWithPassword(auth, dto);
  }

  /**
   * Delete the account, as `DELETE /api/me` does; `password` is checked first (400 when wrong). Never with an API
   * key; the last admin cannot delete itself (403).
   */
  @Authenticated('account.write')
  @Delete()
  @ClientErrors(ACCOUNT_DELETION_ORGANIZATION_ERRORS.TRANSFER_OWNERSHIP_FIRST)
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted, with everything personal; a confirmation is mailed.' })
  @ClientErrors(400, 422, 429)
  deleteClientAccount(@CurrentAuth() auth: AuthContext, @Body() dto: DeleteClientAccountDto): Promise<void> {
    return this.deletion.deleteWithPassword(auth, dto.password);
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
