import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { LaravelErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import { SuccessDto } from '../../dialects/success.dto.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { IdentityListDto, LinkIdentityDto, LinkIdentityResponseDto, UnlinkIdentityDto } from './dto/oauth.dto.js';
import { IDENTITY_ERRORS } from './errors.js';
import { IdentitiesService } from './identities.service.js';
import { ApiIdentityIdParam, IdentityIdParam } from './identity-id.pipe.js';
import { presentIdentity } from './identity.presenter.js';

/** The signed-in user's identities at identity providers (the /api/me family). */
@ApiTags(TAGS.identities)
@Controller('me/identities')
@LaravelErrors(401, 403, 422)
export class IdentitiesController {
  constructor(private readonly identities: IdentitiesService) {}

  /**
   * A single-use URL (10 minutes) that links the provider’s account to the caller when opened in their browser,
   * then returns to `return_to` with `?oauth_linked=1` (or `?oauth_error=…`). Needs a recent sign-in or
   * `current_password` and a verified email address; API keys are refused. The owner is mailed when it is linked.
   */
  @Authenticated('account.write')
  @Post(':provider/link')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiParam({ name: 'provider', description: 'A configured provider’s id; any other answers 404.', example: 'google' })
  @ApiOkResponse({ type: LinkIdentityResponseDto })
  @LaravelErrors(PLATFORM_ERRORS.NOT_FOUND, IDENTITY_ERRORS.RETURN_TO_NOT_ALLOWED)
  @ProofRequiredErrors('vanguard', { recentLogin: true, addsCredential: true })
  async linkIdentity(@CurrentAuth() auth: AuthContext, @Param('provider') provider: string, @Body() dto: LinkIdentityDto): Promise<LinkIdentityResponseDto> {
    return { data: { authorize_url: await this.identities.linkUrl(auth, provider, dto.current_password, dto.return_to) } };
  }

  /** The user's linked identities, oldest first. */
  @Authenticated('account.read')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: IdentityListDto })
  async listIdentities(@CurrentAuth() auth: AuthContext): Promise<IdentityListDto> {
    return { data: (await this.identities.list(auth.user.id)).map(presentIdentity) };
  }

  /**
   * Unlink an identity (recent sign-in or `current_password`); another user’s is 404. Refused while it is the
   * account’s only way to sign in (no password, passkey or other identity).
   */
  @Authenticated('account.write')
  @Delete(':identityId')
  @ApiIdentityIdParam()
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(PLATFORM_ERRORS.NOT_FOUND, IDENTITY_ERRORS.LAST_SIGN_IN_METHOD)
  @ProofRequiredErrors('vanguard', { recentLogin: true })
  async unlinkIdentity(@CurrentAuth() auth: AuthContext, @IdentityIdParam() identityId: number, @Body() dto: UnlinkIdentityDto): Promise<SuccessDto> {
    await this.identities.unlink(auth, identityId, dto.current_password);
    return { success: true };
  }
}
