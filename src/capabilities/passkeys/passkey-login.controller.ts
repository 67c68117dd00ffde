import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { BrowserSignInDto, SignInDto } from '../auth/dto/login.dto.js';
import { SIGN_IN_COOKIE_HEADERS } from '../auth/session-cookie-responses.js';
import type { RequestSite } from '../../core/credentials/same-site.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import { CurrentClient, CurrentSite, Public } from '../../core/credentials/auth.decorators.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { AcceptsDeviceToken, CurrentDeviceToken } from '../../core/credentials/device-token.decorator.js';
import { LaravelErrors, SignInLimitErrors } from '../../dialects/error-responses.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { PasskeySignInDto, PasskeySignInOptionsDto, PasskeySignInOptionsRequestDto } from './dto/passkey-login.dto.js';
import { PasskeyLoginService } from './passkey-login.service.js';

@ApiTags(TAGS.auth)
@Controller('login/passkey')
export class PasskeyLoginController {
  constructor(private readonly login: PasskeyLoginService) {}

  /**
   * Options for `navigator.credentials.get` (pass them to `startAuthentication`) and the `challenge_token` to send
   * back. Without `username`, `allowCredentials` is empty: the browser offers the passkeys it holds for this site.
   */
  @Public()
  @Post('options')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: PasskeySignInOptionsDto })
  @LaravelErrors(422, 429)
  passkeySignInOptions(@Body() dto: PasskeySignInOptionsRequestDto, @CurrentClient() client: ClientInfo): Promise<PasskeySignInOptionsDto> {
    return this.login.options(dto.username, client);
  }

  /**
   * Sign in with the passkey assertion; answers the token pair and device token of `POST /api/login`. The session
   * counts as a recent sign-in and no two-factor challenge follows. A credential that is unknown, another account's,
   * or fails to verify gets the 422 of a wrong password.
   */
  @Public()
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @AcceptsDeviceToken()
  @ApiExtraModels(SignInDto, BrowserSignInDto)
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(SignInDto) }, { $ref: getSchemaPath(BrowserSignInDto) }] }, headers: SIGN_IN_COOKIE_HEADERS })
  @LaravelErrors(403, CREDENTIAL_ERRORS.CROSS_SITE_REFUSED, 422)
  @SignInLimitErrors({ countsSignIns: true, textsCode: false })
  signInWithPasskey(
    @Body() dto: PasskeySignInDto,
    @CurrentClient() client: ClientInfo,
    @CurrentSite() site: RequestSite,
    @CurrentDeviceToken() deviceToken?: string,
  ): Promise<SignInDto | BrowserSignInDto> {
    return this.login.signIn(dto, client, deviceToken, site);
  }
}
