import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { TokenPairDto } from '../auth/dto/login.dto.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import { CurrentClient, Public } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { TWO_FACTOR_ERRORS } from './errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { SecondFactorPasskeyOptionsDto, SecondFactorPasskeyOptionsRequestDto } from '../passkeys/dto/passkey-login.dto.js';
import type { TokenPair } from '../../core/credentials/sessions/sessions.service.js';
import { CompleteTwoFactorLoginDto } from './dto/two-factor-login.dto.js';
import { TwoFactorEnabledGuard } from './two-factor-enabled.guard.js';
import { TwoFactorLoginService } from './two-factor-login.service.js';

@ApiTags(TAGS.auth)
@UseGuards(TwoFactorEnabledGuard)
@Controller('login/two-factor')
export class TwoFactorLoginController {
  constructor(private readonly login: TwoFactorLoginService) {}

  /**
   * Options for answering the login challenge with a passkey instead of a code (pass them to `startAuthentication`,
   * then send the result as `passkey` to `POST /api/login/two-factor`). 422 when the account has no passkey.
   */
  @Public()
  @Post('passkey-options')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: SecondFactorPasskeyOptionsDto })
  @LaravelErrors(404, 422)
  twoFactorPasskeyOptions(@Body() dto: SecondFactorPasskeyOptionsRequestDto): Promise<SecondFactorPasskeyOptionsDto> {
    return this.login.passkeyOptions(dto.challenge_token);
  }

  /** Complete a two-factor login with a code, a recovery code or a passkey; answers the token pair. */
  @Public()
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TokenPairDto })
  @LaravelErrors(400, CREDENTIAL_ERRORS.ACCOUNT_BANNED, PLATFORM_ERRORS.SWITCHED_OFF, TWO_FACTOR_ERRORS.INVALID_TWO_FACTOR_CODE, PLATFORM_ERRORS.VALIDATION_FAILED, 429)
  completeTwoFactorLogin(@Body() dto: CompleteTwoFactorLoginDto, @CurrentClient() client: ClientInfo): Promise<TokenPair> {
    return this.login.complete(dto, client);
  }
}
