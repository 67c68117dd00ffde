import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SuccessDto } from '../auth/dto/login.dto.js';
import type { AuthContext, ClientInfo } from '../common/auth/auth-context.js';
import { Authenticated, CurrentAuth, CurrentClient, Public } from '../common/auth/auth.decorators.js';
import { LaravelErrors } from '../common/openapi/error-responses.js';
import { TAGS } from '../openapi/openapi.js';
import { VerifyEmailDto } from './dto/email-verification.dto.js';
import { EmailVerificationService } from './email-verification.service.js';

@ApiTags(TAGS.auth)
@Controller('email')
export class EmailVerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  /** Verify the email address with a mailed token; an Unconfirmed account becomes Active. */
  @Public()
  @Post('verify')
  @HttpCode(200)
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(400, 422)
  async verifyEmail(@Body() dto: VerifyEmailDto, @CurrentClient() client: ClientInfo): Promise<SuccessDto> {
    await this.verification.verify(dto.token, client);
    return { success: true };
  }

  /** Mail a new verification link to the caller; when the address is already verified, no mail is sent. */
  @Authenticated('account.write')
  @Post('resend')
  @HttpCode(200)
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(401, 403, 429)
  async resendEmailVerification(@CurrentAuth() auth: AuthContext): Promise<SuccessDto> {
    await this.verification.resend(auth);
    return { success: true };
  }
}
