import { Body, Controller, Delete, Get, Header, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SuccessDto } from '../../dialects/success.dto.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { Authenticated, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import { TAGS } from '../../platform/openapi/tags.js';
import {
  CreatePasskeyDto,
  CreationOptionsResponseDto,
  DeletePasskeyDto,
  PasskeyListDto,
  PasskeyOptionsRequestDto,
  PasskeyResponseDto,
  RenamePasskeyDto,
} from './dto/passkey.dto.js';
import { ApiPasskeyIdParam, PasskeyIdParam } from './passkey-id.pipe.js';
import { presentPasskey } from './passkey.presenter.js';
import { PasskeysService } from './passkeys.service.js';

/** The signed-in user's passkeys (the /api/me family). */
@ApiTags(TAGS.me)
@Controller('me/passkeys')
@LaravelErrors(401, 403, 422)
export class PasskeysController {
  constructor(private readonly passkeys: PasskeysService) {}

  /**
   * Options for `navigator.credentials.create` (pass them to `startRegistration`). The challenge is single use, lives
   * 5 minutes and belongs to this session. Needs a recent sign-in or `current_password` and a verified email address;
   * API keys are refused.
   */
  @Authenticated('account.write')
  @Post('options')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: CreationOptionsResponseDto })
  @LaravelErrors(400)
  @ProofRequiredErrors('vanguard', { recentLogin: true, addsCredential: true })
  async createPasskeyOptions(@CurrentAuth() auth: AuthContext, @Body() dto: PasskeyOptionsRequestDto): Promise<CreationOptionsResponseDto> {
    return { data: await this.passkeys.registrationOptions(auth, dto.current_password) };
  }

  /**
   * Register the passkey the browser created for those options (recent sign-in or `current_password`, and a verified
   * email address). The owner is mailed at that address.
   */
  @Authenticated('account.write')
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: PasskeyResponseDto })
  @ProofRequiredErrors('vanguard', { recentLogin: true, addsCredential: true })
  async createPasskey(@CurrentAuth() auth: AuthContext, @Body() dto: CreatePasskeyDto): Promise<PasskeyResponseDto> {
    return { data: presentPasskey(await this.passkeys.register(auth, dto)) };
  }

  /** The user's passkeys, oldest first. */
  @Authenticated('account.read')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: PasskeyListDto })
  async listPasskeys(@CurrentAuth() auth: AuthContext): Promise<PasskeyListDto> {
    return { data: (await this.passkeys.list(auth.user.id)).map(presentPasskey) };
  }

  /** Rename a passkey; another user's is 404. */
  @Authenticated('account.write')
  @Patch(':passkeyId')
  @Header('Cache-Control', 'no-store')
  @ApiPasskeyIdParam()
  @ApiOkResponse({ type: PasskeyResponseDto })
  @LaravelErrors(404)
  async renamePasskey(
    @CurrentAuth() auth: AuthContext,
    @PasskeyIdParam() passkeyId: number,
    @Body() dto: RenamePasskeyDto,
  ): Promise<PasskeyResponseDto> {
    return { data: presentPasskey(await this.passkeys.rename(auth, passkeyId, dto.name)) };
  }

  /** Remove a passkey (recent sign-in or `current_password`); another user's is 404. */
  @Authenticated('account.write')
  @Delete(':passkeyId')
  @ApiPasskeyIdParam()
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(404)
  async deletePasskey(@CurrentAuth() auth: AuthContext, @PasskeyIdParam() passkeyId: number, @Body() dto: DeletePasskeyDto): Promise<SuccessDto> {
    await this.passkeys.remove(auth, passkeyId, dto.current_password);
    return { success: true };
  }
}
