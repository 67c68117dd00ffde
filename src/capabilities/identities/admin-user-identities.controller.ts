import { Body, Controller, Delete, Get, Header } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { LaravelErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import { SuccessDto } from '../../dialects/success.dto.js';
import { ApiUserIdParam, UserIdParam } from '../../platform/http/user-id.pipe.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { IdentityListDto, UnlinkIdentityDto } from './dto/oauth.dto.js';
import { IDENTITY_ERRORS } from './errors.js';
import { IdentitiesService } from './identities.service.js';
import { ApiIdentityIdParam, IdentityIdParam } from './identity-id.pipe.js';
import { presentIdentity } from './identity.presenter.js';

/**
 * An admin's view of a user's identities: list them, unlink one (an identity at a provider account the user lost).
 * Here rather than in the admin capability, which sits above this one, because identities own their rules.
 */
@ApiTags(TAGS.admin)
@AdminOnly()
@Controller('users/:id/identities')
@ApiUserIdParam()
@LaravelErrors(401, CREDENTIAL_ERRORS.NOT_ADMIN, 404)
export class AdminUserIdentitiesController {
  constructor(private readonly identities: IdentitiesService) {}

  /** The user's linked identities. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: IdentityListDto })
  async adminListUserIdentities(@UserIdParam() id: number): Promise<IdentityListDto> {
    return { data: (await this.identities.listForUser(id)).map(presentIdentity) };
  }

  /**
   * Unlink one of the user's identities; it can no longer sign in. Needs the admin's proof (recent login or
   * `current_password`; never an API key), is refused while it is the account's only way to sign in, and mails
   * the user at its address of record.
   */
  @Delete(':identityId')
  @ApiIdentityIdParam()
  @ApiBody({ type: UnlinkIdentityDto, required: false })
  @ApiOkResponse({ type: SuccessDto })
  @ProofRequiredErrors('vanguard', { recentLogin: true })
  @LaravelErrors(CREDENTIAL_ERRORS.NOT_ADMIN, CREDENTIAL_ERRORS.CURRENT_PASSWORD_INCORRECT, IDENTITY_ERRORS.LAST_SIGN_IN_METHOD)
  async adminUnlinkUserIdentity(
    @CurrentAuth() auth: AuthContext,
    @UserIdParam() id: number,
    @IdentityIdParam() identityId: number,
    @Body() dto: UnlinkIdentityDto,
  ): Promise<SuccessDto> {
    await this.identities.unlinkForUser(auth, id, identityId, dto.current_password);
    return { success: true };
  }
}
