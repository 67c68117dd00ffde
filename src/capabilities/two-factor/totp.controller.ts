import { Body, Controller, Delete, Get, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../core/users/auth-context.js';
import { Authenticated, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { ClientErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { TWO_FACTOR_ERRORS } from './errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { EnableTotpDto, RecoveryTokensDto, TotpPasswordDto, TotpSetupDto } from './dto/totp.dto.js';
import { presentRecoveryTokens, presentTotpSetup } from './two-factor.presenter.js';
import { TotpService } from './totp.service.js';
import { TwoFactorEnabledGuard } from './two-factor-enabled.guard.js';

@ApiTags(TAGS.twoFactor)
@UseGuards(TwoFactorEnabledGuard)
@Controller('client/account/two-factor')
@ClientErrors(401, 403, PLATFORM_ERRORS.SWITCHED_OFF)
export class TotpController {
  constructor(private readonly totp: TotpService) {}

  /** Start authenticator-app set-up: a new pending secret, its otpauth URL and QR code (a verified email address first). */
  @Authenticated('account.write')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TotpSetupDto })
  @ClientErrors(TWO_FACTOR_ERRORS.TWO_FACTOR_STATE, CREDENTIAL_ERRORS.ADDRESS_NOT_VERIFIED)
  async getTotpSetup(@CurrentAuth() auth: AuthContext): Promise<TotpSetupDto> {
    return presentTotpSetup(await this.totp.getSetup(auth));
  }

  /**
   * Turn authenticator-app two-factor on with a current code and the password; returns 10 recovery codes. Needs a
   * verified email address; the owner is mailed at it.
   */
  @Authenticated('account.write')
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: RecoveryTokensDto })
  @ClientErrors(CREDENTIAL_ERRORS.INVALID_PASSWORD, TWO_FACTOR_ERRORS.TWO_FACTOR_STATE, TWO_FACTOR_ERRORS.INVALID_TWO_FACTOR_CODE, PLATFORM_ERRORS.VALIDATION_FAILED)
  @ProofRequiredErrors('client', { recentLogin: false, addsCredential: true })
  async enableTotp(@CurrentAuth() auth: AuthContext, @Body() dto: EnableTotpDto): Promise<RecoveryTokensDto> {
    return presentRecoveryTokens(await this.totp.enable(auth, dto));
  }

  /** Turn two-factor off with the password. */
  @Authenticated('account.write')
  @Post('disable')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Two-factor is off.' })
  @ClientErrors(CREDENTIAL_ERRORS.INVALID_PASSWORD, TWO_FACTOR_ERRORS.TWO_FACTOR_STATE, 422)
  @ProofRequiredErrors('client', { recentLogin: false })
  disableTotp(@CurrentAuth() auth: AuthContext, @Body() dto: TotpPasswordDto): Promise<void> {
    return this.totp.disable(auth, dto);
  }

  /** Turn two-factor off with the password: the same as `POST …/two-factor/disable`, for clients that send DELETE. */
  @Authenticated('account.write')
  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Two-factor is off.' })
  @ClientErrors(CREDENTIAL_ERRORS.INVALID_PASSWORD, TWO_FACTOR_ERRORS.TWO_FACTOR_STATE, 422)
  @ProofRequiredErrors('client', { recentLogin: false })
  deleteTotp(@CurrentAuth() auth: AuthContext, @Body() dto: TotpPasswordDto): Promise<void> {
    return this.totp.disable(auth, dto);
  }
}
