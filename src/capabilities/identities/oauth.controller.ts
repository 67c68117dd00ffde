import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiParam, ApiQuery, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentClient, CurrentSite, Public } from '../../core/credentials/auth.decorators.js';
import type { RequestSite } from '../../core/credentials/same-site.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { AcceptsDeviceToken, CurrentDeviceToken } from '../../core/credentials/device-token.decorator.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import { LaravelErrors, SignInLimitErrors } from '../../dialects/error-responses.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { BrowserSignInDto, LoginChallengeDto, SignInDto } from '../auth/dto/login.dto.js';
import { SIGN_IN_COOKIE_HEADERS } from '../auth/session-cookie-responses.js';
import { browserBindingOf, OAUTH_STATE_COOKIE, setBrowserBinding } from './browser-binding.js';
import { AuthorizeQueryDto, ExchangeDto, OAuthProviderListDto } from './dto/oauth.dto.js';
import { IDENTITY_ERRORS } from './errors.js';
import { IdentityProviders } from './identity-providers.service.js';
import { IdentitySignIn } from './identity-sign-in.service.js';

const PROVIDER_PARAM = ApiParam({ name: 'provider', description: 'A configured provider’s id (`GET /api/oauth/providers`); any other answers 404.', example: 'google' });

const OAUTH_ERRORS_DESCRIPTION =
  '`oauth_error` is one of `access_denied` (refused at the provider), `invalid_state` (unknown, spent, expired or not this browser’s state, ' +
  'or a dead link ticket), `provider_error` (the provider is unreachable, or its answer failed a check), `email_not_verified`, `account_exists`, ' +
  '`identity_in_use`, `banned`, `registration_closed` (see docs/api/identities.md).';

/** Signing in through an identity provider: the browser's two redirects and the SPA's one-time code exchange. */
@ApiTags(TAGS.identities)
@Controller('oauth')
export class OAuthController {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly providers: IdentityProviders,
    private readonly signIn: IdentitySignIn,
  ) {}

  /** The identity providers configured, for the sign-in page's buttons. */
  @Public()
  @Get('providers')
  @ApiOkResponse({ type: OAuthProviderListDto })
  listOAuthProviders(): OAuthProviderListDto {
    return { data: this.providers.list().map(({ id, name }) => ({ id, name })) };
  }

  /**
   * Open in the browser (a top-level navigation, never fetch): redirects to the provider with a fresh `state`,
   * PKCE (S256) and, for OpenID Connect, a `nonce`, and sets the 10-minute `HttpOnly` state cookie that binds the
   * flow to this browser. With `link_ticket` it links the provider’s account to the ticket’s user instead.
   */
  @Public()
  @Get(':provider/authorize')
  @PROVIDER_PARAM
  @ApiResponse({
    status: 302,
    description:
      'To the provider’s authorization endpoint; or, when the link ticket is dead or the provider is unreachable, back to `return_to` ' +
      '(FRONTEND_URL’s origin for a dead ticket) with `?oauth_error=…`.',
    headers: {
      Location: { description: 'The provider’s authorization URL, or `return_to?oauth_error=…`.', schema: { type: 'string', format: 'uri', example: 'https://accounts.google.com/o/oauth2/v2/auth?client_id=1234.apps.googleusercontent.com&redirect_uri=https%3A%2F%2Fapi.example.com%2Fapi%2Foauth%2Fgoogle%2Fcallback&response_type=code&scope=openid+email+profile&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=af0ifjsldkj&nonce=n-0S6_WzA2Mj' } },
      'Set-Cookie': { description: `\`${OAUTH_STATE_COOKIE}=…; Max-Age=600; Path=/api/oauth; HttpOnly; Secure; SameSite=Lax\``, schema: { type: 'string' } },
    },
  })
  @LaravelErrors(PLATFORM_ERRORS.NOT_FOUND, IDENTITY_ERRORS.RETURN_TO_NOT_ALLOWED)
  async authorizeWithProvider(@Param('provider') provider: string, @Query() query: AuthorizeQueryDto, @Req() request: Request, @Res() response: Response): Promise<void> {
    const redirect = await this.signIn.authorize(provider, query, browserBindingOf(request));
    setBrowserBinding(response, this.config, redirect.browserKey);
    redirectWithoutBody(response, redirect.location);
  }

  /**
   * The redirect URI to register at the provider. Always answers 302: to `return_to` with `?oauth_code=…` (sign
   * in), `?oauth_linked=1` (link) or `?oauth_error=…`. The provider’s other parameters (`scope`, `iss`,
   * `session_state`, …) are accepted and ignored.
   */
  @Public()
  @Get(':provider/callback')
  @PROVIDER_PARAM
  @ApiQuery({ name: 'code', required: false, description: 'The provider’s authorization code.', schema: { type: 'string' } })
  @ApiQuery({ name: 'state', required: false, description: 'The state the flow began with.', schema: { type: 'string' } })
  @ApiQuery({ name: 'error', required: false, description: 'The provider’s error (`access_denied` when the user refused).', schema: { type: 'string' } })
  @ApiQuery({ name: 'error_description', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'iss', required: false, description: 'The issuer (RFC 9207), checked when the provider sends it.', schema: { type: 'string' } })
  @ApiResponse({
    status: 302,
    description: `To \`return_to\` with \`oauth_code\` (single use, 60 seconds: exchange it at \`POST /api/oauth/exchange\`), \`oauth_linked=1\`, or \`oauth_error\`; to FRONTEND_URL’s origin when the state is unknown. ${OAUTH_ERRORS_DESCRIPTION}`,
    headers: {
      Location: { description: 'Where the browser goes with the outcome.', schema: { type: 'string', format: 'uri', example: 'https://app.example.com/auth/callback?oauth_code=Xh3kP9sQ2vL7nM4bR8tY1wZ6cF5gJ0aD3eH7iK2oU9q' } },
    },
  })
  @LaravelErrors(PLATFORM_ERRORS.NOT_FOUND)
  async providerCallback(@Param('provider') provider: string, @Req() request: Request, @Res() response: Response, @CurrentClient() client: ClientInfo): Promise<void> {
    const query = new URL(request.originalUrl, 'http://callback.invalid').searchParams;
    redirectWithoutBody(response, await this.signIn.callback(provider, query, browserBindingOf(request), client));
  }

  /**
   * Trade the callback’s `oauth_code` for what `POST /api/login` answers: the token pair and device token, or the
   * two-factor challenge when the account has two-factor on (complete it at `POST /api/login/two-factor`). The
   * session counts as a recent sign-in for the proof rule. With `session: "cookie"`, a browser session as at
   * `POST /api/login`: no token in the answer, the session cookie is set (also when the two-factor challenge
   * completes); from another site it is refused (403) and the code stays unspent.
   */
  @Public()
  @Post('exchange')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @AcceptsDeviceToken()
  @ApiExtraModels(SignInDto, BrowserSignInDto, LoginChallengeDto)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(SignInDto) }, { $ref: getSchemaPath(BrowserSignInDto) }, { $ref: getSchemaPath(LoginChallengeDto) }] },
    headers: SIGN_IN_COOKIE_HEADERS,
  })
  @LaravelErrors(IDENTITY_ERRORS.SIGN_IN_CODE_INVALID, CREDENTIAL_ERRORS.ACCOUNT_BANNED, CREDENTIAL_ERRORS.CROSS_SITE_REFUSED, 422)
  @SignInLimitErrors({ countsSignIns: true, textsCode: true })
  exchangeOAuthCode(
    @Body() dto: ExchangeDto,
    @CurrentClient() client: ClientInfo,
    @CurrentSite() site: RequestSite,
    @CurrentDeviceToken() deviceToken?: string,
  ): Promise<SignInDto | BrowserSignInDto | LoginChallengeDto> {
    return this.signIn.exchange(dto, client, deviceToken, site);
  }
}

/** A 302 with `Location` and no body (Express's redirect writes an HTML or text body the document does not declare). */
function redirectWithoutBody(response: Response, location: string): void {
  response.status(302).location(location).end();
}
