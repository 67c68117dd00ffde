import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SuccessDto } from '../../dialects/success.dto.js';
import type { AuthContext, ClientInfo } from '../../core/users/auth-context.js';
import { Authenticated, CurrentAuth, CurrentClient, Public } from '../../core/credentials/auth.decorators.js';
import { ErrorExamples, LaravelErrors } from '../../dialects/error-responses.js';
import { ACCOUNT_RECOVERY_ERRORS } from './errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { CancelEmailChangeDto, VerifyEmailDto } from './dto/email-verification.dto.js';
import { EmailChangeService } from './email-change.service.js';
import { EmailVerificationService } from './email-verification.service.js';

@ApiTags(TAGS.recovery)
@Controller('email')
export class EmailVerificationController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly emailChanges: EmailChangeService,
  ) {}

  /**
   * Verify the email address with a mailed token (an Unconfirmed account becomes Active), or confirm a pending email
   * change with the token mailed to the new address: the account moves to it, verified (422 if it was taken meanwhile).
   */
  @Public()
  @Post('verify')
  @HttpCode(200)
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(400, 422)
  @ErrorExamples('vanguard', 400, {
    invalidToken: { summary: 'Unknown, spent or expired token', error: ACCOUNT_RECOVERY_ERRORS.INVALID_VERIFICATION_TOKEN },
  })
  async verifyEmail(@Body() dto: VerifyEmailDto, @CurrentClient() client: ClientInfo): Promise<SuccessDto> {
    await this.verification.verify(dto.token, client);
    return { success: true };
  }

  /**
   * The link mailed to the current address when an email change is asked for. A pending change is dropped and every
   * session signed out (whoever asked for the change may hold one). A change already confirmed is undone within 7
   * days: the previous address comes back, verified; every session, API key and open two-factor login ends; the
   * password is replaced and a reset link is mailed to the restored address. 422 when that address was taken meanwhile.
   */
  @Public()
  @Post('cancel-change')
  @HttpCode(200)
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(400, 422)
  @ErrorExamples('vanguard', 400, {
    invalidToken: { summary: 'No pending change has this token', error: ACCOUNT_RECOVERY_ERRORS.INVALID_CANCEL_TOKEN },
  })
  async cancelEmailChange(@Body() dto: CancelEmailChangeDto, @CurrentClient() client: ClientInfo): Promise<SuccessDto> {
    await this.emailChanges.cancel(dto.token, client);
    return { success: true };
  }

  /**
   * Mail the pending email change's confirmation link again (to the new address); else, for an unverified address,
   * a new verification link; else nothing is sent.
   */
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
