import { Body, Controller, Delete, Header, HttpCode, Post, Put, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../core/users/auth-context.js';
import { Authenticated, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { ErrorExamples, LaravelErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { VanguardUserResponseDto } from '../../dialects/vanguard/dto/vanguard-user.dto.js';
import { presentVanguardUserResponse } from '../../dialects/vanguard/user.presenter.js';
import { TAGS } from '../../platform/openapi/tags.js';
import {
  DisableSmsTwoFactorDto,
  RegenerateRecoveryCodesDto,
  StartSmsTwoFactorDto,
  VanguardUserWithRecoveryCodesDto,
  VerifySmsTwoFactorDto,
} from './dto/sms-two-factor.dto.js';
import { SmsTwoFactorService } from './sms-two-factor.service.js';
import { presentVanguardUserWithRecoveryCodes } from './two-factor.presenter.js';
import { TwoFactorEnabledGuard } from './two-factor-enabled.guard.js';

@ApiTags(TAGS.smsTwoFactor)
@UseGuards(TwoFactorEnabledGuard)
@Controller('me/2fa')
@LaravelErrors(401, 403, PLATFORM_ERRORS.SWITCHED_OFF, 422)
export class SmsTwoFactorController {
  constructor(private readonly smsTwoFactor: SmsTwoFactorService) {}

  /**
   * Store the phone for SMS two-factor and text it a code; two-factor is on only once the code is verified. Needs
   * `current_password` unless this session signed in recently, and a verified email address; never with an API key.
   */
  @Authenticated('account.write')
  @Put()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserResponseDto })
  @LaravelErrors(429, 502)
  @ProofRequiredErrors('vanguard', { recentLogin: true, addsCredential: true })
  @ErrorExamples('vanguard', 429, {
    enrolmentTextsSpent: {
      summary: "The hour's enrolment texts of this account, of the number, of this address or of the deployment are spent (counted apart from login texts)",
      error: PLATFORM_ERRORS.TOO_MANY_ATTEMPTS,
    },
  })
  async startSmsTwoFactor(@CurrentAuth() auth: AuthContext, @Body() dto: StartSmsTwoFactorDto): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.smsTwoFactor.start(auth, dto));
  }

  /**
   * Verify the texted code: SMS two-factor is on; the recovery codes are in `meta`, shown once, and the owner is
   * mailed. Needs `current_password` unless this session signed in recently; never with an API key.
   */
  @Authenticated('account.write')
  @Post('verify')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserWithRecoveryCodesDto })
  @ProofRequiredErrors('vanguard', { recentLogin: true, addsCredential: true })
  async verifySmsTwoFactor(@CurrentAuth() auth: AuthContext, @Body() dto: VerifySmsTwoFactorDto): Promise<VanguardUserWithRecoveryCodesDto> {
    return presentVanguardUserWithRecoveryCodes(await this.smsTwoFactor.verify(auth, dto));
  }

  /** Turn two-factor off; needs `current_password` unless this session logged in recently; never with an API key. */
  @Authenticated('account.write')
  @Delete()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserResponseDto })
  @ProofRequiredErrors('vanguard', { recentLogin: true })
  async disableSmsTwoFactor(@CurrentAuth() auth: AuthContext, @Body() dto: DisableSmsTwoFactorDto): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.smsTwoFactor.disable(auth, dto));
  }

  /**
   * Replace the recovery codes (password required; never with an API key); the new ones are in `meta`, shown once,
   * and the owner is mailed.
   */
  @Authenticated('account.write')
  @Post('recovery-codes')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserWithRecoveryCodesDto })
  @ProofRequiredErrors('vanguard', { recentLogin: false })
  async regenerateRecoveryCodes(
    @CurrentAuth() auth: AuthContext,
    @Body() dto: RegenerateRecoveryCodesDto,
  ): Promise<VanguardUserWithRecoveryCodesDto> {
    return presentVanguardUserWithRecoveryCodes(await this.smsTwoFactor.regenerateRecoveryCodes(auth, dto));
  }
}
