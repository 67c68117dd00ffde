import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SuccessDto } from '../../dialects/success.dto.js';
import type { ClientInfo } from '../../core/users/auth-context.js';
import { CurrentClient, Public } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import { ACCOUNT_RECOVERY_ERRORS } from './errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { RemindPasswordDto, RemindPasswordResponseDto, ResetPasswordDto } from './dto/password-reset.dto.js';
import { PasswordResetService, REMIND_MESSAGE } from './password-reset.service.js';

@ApiTags(TAGS.recovery)
@Public()
@Controller()
export class PasswordResetController {
  constructor(private readonly passwordReset: PasswordResetService) {}

  /** Mail a password reset link (60 minutes, single use); the same answer whether or not the account exists. */
  @Post('password/remind')
  @HttpCode(200)
  @ApiOkResponse({ type: RemindPasswordResponseDto })
  @LaravelErrors(400, 422, 429)
  async remindPassword(@Body() dto: RemindPasswordDto, @CurrentClient() client: ClientInfo): Promise<RemindPasswordResponseDto> {
    await this.passwordReset.remind(dto.email, client);
    return { message: REMIND_MESSAGE };
  }

  /** Mail a password reset link (Open Badge form); the same answer whether or not the account exists. */
  @Get('v1/auth/request-password')
  @ApiOkResponse({ type: RemindPasswordResponseDto })
  @LaravelErrors(422, 429)
  async requestPasswordReset(@Query() query: RemindPasswordDto, @CurrentClient() client: ClientInfo): Promise<RemindPasswordResponseDto> {
    await this.passwordReset.remind(query.email, client);
    return { message: REMIND_MESSAGE };
  }

  /** Set a new password with a mailed reset token; every session of the user is revoked. */
  @Post('password/reset')
  @HttpCode(200)
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(ACCOUNT_RECOVERY_ERRORS.INVALID_RESET_TOKEN, 422)
  async resetPassword(@Body() dto: ResetPasswordDto, @CurrentClient() client: ClientInfo): Promise<SuccessDto> {
    await this.passwordReset.reset(dto, client);
    return { success: true };
  }

  /** Set a new password with a mailed reset token (Open Badge form); every session of the user is revoked. */
  @Post('v1/auth/reset-password')
  @HttpCode(200)
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(ACCOUNT_RECOVERY_ERRORS.INVALID_RESET_TOKEN, 422)
  async resetPasswordV1(@Body() dto: ResetPasswordDto, @CurrentClient() client: ClientInfo): Promise<SuccessDto> {
    await this.passwordReset.reset(dto, client);
    return { success: true };
  }
}
