import { Body, Controller, Delete, Get, Header } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SuccessDto } from '../../dialects/success.dto.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { AdminOnly, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { PasskeyListDto } from '../passkeys/dto/passkey.dto.js';
import { ApiPasskeyIdParam, PasskeyIdParam } from '../passkeys/passkey-id.pipe.js';
import { presentPasskey } from '../passkeys/passkey.presenter.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { ApiUserIdParam, UserIdParam } from '../../platform/http/user-id.pipe.js';
import { AdminUserSecurityService } from './admin-user-security.service.js';
import { AdminProofErrors } from './admin-proof-errors.js';
import { AdminProofDto } from './dto/admin-user.dto.js';

/** An admin's view of a user's passkeys: list them, remove one (a lost or stolen device). */
@ApiTags(TAGS.admin)
@AdminOnly()
@Controller('users/:id/passkeys')
@ApiUserIdParam()
@LaravelErrors(401, CREDENTIAL_ERRORS.NOT_ADMIN, 404)
export class AdminUserPasskeysController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly admin: AdminUserSecurityService,
  ) {}

  /** The user's passkeys (metadata only). */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: PasskeyListDto })
  async adminListUserPasskeys(@UserIdParam() id: number): Promise<PasskeyListDto> {
    return { data: (await this.passkeys.listForUser(id)).map(presentPasskey) };
  }

  /**
   * Remove one of the user's passkeys; it can no longer sign in. Needs the admin's proof (recent login or
   * `current_password`; never an API key) and mails the user at its address of record.
   */
  @Delete(':passkeyId')
  @ApiPasskeyIdParam()
  @ApiBody({ type: AdminProofDto, required: false })
  @ApiOkResponse({ type: SuccessDto })
  @AdminProofErrors()
  async adminDeleteUserPasskey(
    @CurrentAuth() auth: AuthContext,
    @UserIdParam() id: number,
    @PasskeyIdParam() passkeyId: number,
    @Body() dto: AdminProofDto,
  ): Promise<SuccessDto> {
    await this.admin.removePasskey(auth, id, passkeyId, dto.current_password);
    return { success: true };
  }
}
