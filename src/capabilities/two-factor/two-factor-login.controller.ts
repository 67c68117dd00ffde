import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { BrowserSignInDto, SignInDto } from '../auth/dto/login.dto.js';
import { SIGN_IN_COOKIE_HEADERS } from '../auth/session-cookie-responses.js';
import type { RequestSite } from '../../core/credentials/same-site.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import { CurrentClient, CurrentSite, Public } from '../../core/credentials/auth.decorators.js';
import { AcceptsDeviceToken, CurrentDeviceToken } from '../../core/credentials/device-token.decorator.js';
import { LaravelErrors, SignInLimitErrors } from '../../dialects/error-responses.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { TWO_FACTOR_ERRORS } from './errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { SecondFactorPasskeyOptionsDto, SecondFactorPasskeyOptionsRequestDto } from '../passkeys/dto/passkey-login.dto.js';
import { CompleteTwoFactorLoginDto } from './dto/two-factor-login.dto.js';
import { TwoFactorLoginService } from './two-factor-login.service.js';

/**
 * The second step of a login. Open whatever TWO_FACTOR_ENABLED says: an account that has two-factor on is challenged
 * even when the switch is off (it closes enrolment only), and must be able to answer.
 */
@ApiTags(TAGS.auth)
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
  @LaravelErrors(422)
  twoFactorPasskeyOptions(@Body() dto: SecondFactorPasskeyOptionsRequestDto): Promise<SecondFactorPasskeyOptionsDto> {
    return this.login.passkeyOptions(dto.challenge_token);
  }

  /**
   * Complete a two-factor login with a code, a recovery code or a passkey; answers the token pair and device token,
   * or, when the login asked for `session: "cookie"`, sets the session cookie (the request must then come from the
   * site, as the login did).
   */
  @Public()
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @AcceptsDeviceToken()
  @ApiExtraModels(SignInDto, BrowserSignInDto)
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(SignInDto) }, { $ref: getSchemaPath(BrowserSignInDto) }] }, headers: SIGN_IN_COOKIE_HEADERS })
  @LaravelErrors(
    400,
    CREDENTIAL_ERRORS.ACCOUNT_BANNED,
    CREDENTIAL_ERRORS.CROSS_SITE_REFUSED,
    TWO_FACTOR_ERRORS.INVALID_TWO_FACTOR_CODE,
    PLATFORM_ERRORS.VALIDATION_FAILED,
  )
  // The sign-in was counted at its password step; a wrong code is a failed sign-in.
  @SignInLimitErrors({ countsSignIns: false, textsCode: false })
  completeTwoFactorLogin(
    @Body() dto: CompleteTwoFactorLoginDto,
    @CurrentClient() client: ClientInfo,
    @CurrentSite() site: RequestSite,
    @CurrentDeviceToken() deviceToken?: string,
  ): Promise<SignInDto | BrowserSignInDto> {
    return this.login.complete(dto, client, deviceToken, site);
  }
}
