import { ACCOUNT_DELETION_ORGANIZATION_ERRORS } from '../organizations/errors.js';
import { Body, Controller, Delete, Get, Header, Patch, Query, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AccountDeletionService } from '../account-data/account-deletion.service.js';
import { AccountExportDto } from '../account-data/dto/account-export.dto.js';
import { DeleteAccountDto } from '../account-data/dto/delete-account.dto.js';
import { presentAccountExport } from '../account-data/export/account-export.presenter.js';
import { AccountExportService } from '../account-data/export/account-export.service.js';
import { SuccessDto } from '../../dialects/success.dto.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { Authenticated, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import { ACCOUNT_RECOVERY_ERRORS } from '../account-recovery/errors.js';
import { VanguardUserResponseDto } from '../../dialects/vanguard/dto/vanguard-user.dto.js';
import { presentVanguardUserResponse } from '../../dialects/vanguard/user.presenter.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { MeQueryDto, UpdateMeCredentialsDto, UpdateMeDetailsDto } from './dto/me.dto.js';
import { ProfileService } from './profile.service.js';
import { RENEWED_COOKIE_HEADERS } from '../auth/session-cookie-responses.js';

/** The /api/me family (seed 000). */
@ApiTags(TAGS.me)
@Controller('me')
@LaravelErrors(401, 403, 422)
export class MeController {
  constructor(
    private readonly profile: ProfileService,
    private readonly deletion: AccountDeletionService,
    private readonly exports: AccountExportService,
  ) {}

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

  /**
   * Update username, email or password (recent login or `current_password`; never with an API key). A new address
   * waits for its owner to open the link mailed to it while the current one is verified: the answer shows the
   * current address; one change at a time (422 while an earlier one is pending or, confirmed less than 7 days ago, can
   * still be reverted). A new password signs out the other sessions.
   */
  @Authenticated('account.write')
  @Patch('details/auth')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserResponseDto, headers: RENEWED_COOKIE_HEADERS })
  @LaravelErrors(400, ACCOUNT_RECOVERY_ERRORS.EMAIL_CHANGE_IN_PROGRESS, 422)
  @ProofRequiredErrors('vanguard', { recentLogin: true })
  async updateMeCredentials(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateMeCredentialsDto): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.profile.updateCredentials(auth, dto));
  }

  /**
   * Delete the account and everything personal: sessions, API keys, two-factor, tokens, avatar files. Activity
   * entries keep event and time, not IP or user agent. Recent login or `current_password`; never an API key; the
   * last admin cannot delete itself (403). A confirmation goes to the address; username and email are free again.
   */
  @Authenticated('account.write')
  @Delete()
  @Header('Cache-Control', 'no-store')
  // The body is optional: a recent sign-in needs none.
  @ApiBody({ type: DeleteAccountDto, required: false })
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(ACCOUNT_DELETION_ORGANIZATION_ERRORS.TRANSFER_OWNERSHIP_FIRST, 429)
  async deleteMe(@CurrentAuth() auth: AuthContext, @Body() dto: DeleteAccountDto): Promise<SuccessDto> {
    return this.deletion.deleteWithRecentAuth(auth, dto.current_password).then(() => ({ success: true }));
  }

  /**
   * Everything Tessera holds about you, as a JSON attachment (a versioned document, streamed): profile, settings,
   * avatar URLs, two-factor state, sessions, API keys, mailed links and the whole activity log; never a password
   * hash, secret, token or code. Needs an access token whose session signed in within RECENT_AUTH_SECONDS (a GET
   * carries no `current_password`; 403 otherwise, and always for API keys). Once a minute (429 with Retry-After).
   */
  // Closed to API keys (no scope): an export needs proof a key cannot give.
  @Authenticated()
  @Get('export')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('application/json')
  @ApiOkResponse({
    type: AccountExportDto,
    description: 'The export document, as an attachment.',
    headers: {
      'Content-Disposition': {
        description: 'Always an attachment, named after the account and the day.',
        schema: { type: 'string', example: 'attachment; filename="tessera-export-john.doe-2026-12-04.json"' },
      },
    },
  })
  @LaravelErrors(429)
  async exportMe(@CurrentAuth() auth: AuthContext): Promise<StreamableFile> {
    return presentAccountExport(await this.exports.exportOwnData(auth));
  }
}
