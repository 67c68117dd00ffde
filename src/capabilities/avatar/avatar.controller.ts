import { Body, Controller, Delete, HttpCode, Post, Put, UploadedFile } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../core/users/auth-context.js';
import { Authenticated, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import { VanguardUserResponseDto } from '../../dialects/vanguard/dto/vanguard-user.dto.js';
import { presentVanguardUserResponse } from '../../dialects/vanguard/user.presenter.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { AvatarUpload } from './avatar-upload.interceptor.js';
import { AvatarService, type UploadedImage } from './avatar.service.js';
import { ExternalAvatarDto } from './dto/external-avatar.dto.js';
import { UploadAvatarDto } from './dto/upload-avatar.dto.js';

@ApiTags(TAGS.avatar)
@Controller('me/avatar')
@LaravelErrors(401, 403, 422, 503)
export class AvatarController {
  constructor(private readonly avatars: AvatarService) {}

  /** Upload an avatar image; it is stored as three square renditions (512, up to 1024, 160). */
  @Authenticated('account.write')
  @Post()
  @HttpCode(200)
  @AvatarUpload('file')
  @ApiBody({ type: UploadAvatarDto })
  @ApiOkResponse({ type: VanguardUserResponseDto })
  @LaravelErrors(413)
  async uploadMyAvatar(
    @CurrentAuth() auth: AuthContext,
    @UploadedFile() file: UploadedImage | undefined,
  ): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.avatars.upload(auth, file));
  }

  /** Use an external image URL as the avatar (stored as given, never fetched). */
  @Authenticated('account.write')
  @Put('external')
  @ApiOkResponse({ type: VanguardUserResponseDto })
  async setMyExternalAvatar(@CurrentAuth() auth: AuthContext, @Body() body: ExternalAvatarDto): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.avatars.setExternal(auth, body.url));
  }

  /** Remove the avatar: the default picture is shown again. */
  @Authenticated('account.write')
  @Delete()
  @ApiOkResponse({ type: VanguardUserResponseDto })
  async deleteMyAvatar(@CurrentAuth() auth: AuthContext): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.avatars.remove(auth));
  }
}
