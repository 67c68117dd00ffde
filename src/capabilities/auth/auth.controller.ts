import { ORGANIZATION_ERRORS } from '../organizations/errors.js';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { AuthContext, ClientInfo } from '../../core/users/auth-context.js';
import { AccessTokenOnly, CurrentAuth, CurrentClient, CurrentSite, Public } from '../../core/credentials/auth.decorators.js';
import type { RequestSite } from '../../core/credentials/same-site.js';
import { LOGOUT_COOKIE_HEADERS, SIGN_IN_COOKIE_HEADERS } from './session-cookie-responses.js';
import { AcceptsDeviceToken, CurrentDeviceToken } from '../../core/credentials/device-token.decorator.js';
import { ErrorExamples, LaravelErrors, SignInLimitErrors } from '../../dialects/error-responses.js';
import { AUTH_ERRORS } from './errors.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { AuthService } from './auth.service.js';
import { BrowserSignInDto, LoginChallengeDto, LoginDto, RefreshTokenDto, SignInDto, TokenPairDto } from './dto/login.dto.js';
import { SuccessDto } from '../../dialects/success.dto.js';
import { RegisterDto, RegisterResponseDto } from './dto/register.dto.js';

@ApiTags(TAGS.auth)
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /**
   * Create an account; a verification mail is sent. An address that already has an account gets the same 201 and
   * body, and nothing is created: its owner is mailed that someone tried to sign up with it. A taken username is 422.
   * With the `invitation_token` of an organization invitation sent to `email`, the account is created verified and
   * joins the organization (no verification mail).
   */
  @Public()
  @Post('register')
  @ApiCreatedResponse({ type: RegisterResponseDto })
  @LaravelErrors(400, ORGANIZATION_ERRORS.INVITATION_INVALID, PLATFORM_ERRORS.SWITCHED_OFF, 413, ORGANIZATION_ERRORS.INVITATION_TOKEN_ADDRESS_MISMATCH, 422, 429)
  async register(@Body() dto: RegisterDto, @CurrentClient() client: ClientInfo): Promise<RegisterResponseDto> {
    return { requires_email_confirmation: (await this.auth.register(dto, client)).requiresEmailConfirmation };
  }

  /**
   * Log in with username or email; answers a token pair and the device token, or a two-factor challenge. With
   * `session: "cookie"`, a browser session: no token in the answer, the session cookie is set instead.
   */
  @Public()
  @Post('login')
  @HttpCode(200)
  @AcceptsDeviceToken()
  @ApiExtraModels(SignInDto, BrowserSignInDto, LoginChallengeDto)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(SignInDto) }, { $ref: getSchemaPath(BrowserSignInDto) }, { $ref: getSchemaPath(LoginChallengeDto) }] },
    headers: SIGN_IN_COOKIE_HEADERS,
  })
  @LaravelErrors(
    400,
    CREDENTIAL_ERRORS.ACCOUNT_BANNED,
    CREDENTIAL_ERRORS.CROSS_SITE_REFUSED,
    CREDENTIAL_ERRORS.INVALID_CREDENTIALS,
    PLATFORM_ERRORS.VALIDATION_FAILED,
    502,
  )
  @SignInLimitErrors({ countsSignIns: true, textsCode: true })
  login(
    @Body() dto: LoginDto,
    @CurrentClient() client: ClientInfo,
    @CurrentSite() site: RequestSite,
    @CurrentDeviceToken() deviceToken?: string,
  ): Promise<SignInDto | BrowserSignInDto | LoginChallengeDto> {
    return this.auth.login(dto, client, deviceToken, site);
  }

  /**
   * Trade a refresh token for a new pair; a spent refresh token revokes its session, and so does a session unused
   * for SESSION_IDLE_TTL (7 days by default): 401 either way.
   */
  @Public()
  @Post('token/refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  @LaravelErrors(401, 403, 422)
  refreshToken(@Body() dto: RefreshTokenDto): Promise<TokenPairDto> {
    return this.auth.refresh(dto.refresh_token);
  }

  /**
   * Revoke the current session. An API key has no session to end: 403 saying so. Signed in with the session cookie,
   * the answer also expires the cookie and sends `Clear-Site-Data: "cookies"`.
   */
  @ErrorExamples('vanguard', 403, { apiKey: { summary: 'Called with an API key', error: AUTH_ERRORS.API_KEY_NO_SESSION } })
  @AccessTokenOnly(AUTH_ERRORS.API_KEY_NO_SESSION)
  @Post('logout')
  @HttpCode(200)
  @ApiOkResponse({ type: SuccessDto, headers: LOGOUT_COOKIE_HEADERS })
  @LaravelErrors(401, 403)
  async logout(@CurrentAuth() auth: AuthContext): Promise<SuccessDto> {
    await this.auth.logout(auth);
    return { success: true };
  }
}
