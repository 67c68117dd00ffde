import { Controller, Delete, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SuccessDto } from '../../dialects/success.dto.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { Authenticated, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { SessionItemDto, SessionListDto } from './dto/session.dto.js';
import { presentSession } from './session.presenter.js';
import { SessionsService } from '../../core/credentials/sessions/sessions.service.js';

@ApiTags(TAGS.sessions)
@Controller()
@LaravelErrors(401, 403)
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** List the caller's active sessions. */
  @Authenticated('sessions.read')
  @Get('me/sessions')
  @ApiOkResponse({ type: SessionListDto })
  async listMySessions(@CurrentAuth() auth: AuthContext): Promise<SessionListDto> {
    return { data: (await this.sessions.listActive(auth.user.id)).map(presentSession) };
  }

  /** Revoke every session of the caller but the current one. */
  @Authenticated('sessions.write')
  @Delete('me/sessions')
  @ApiOkResponse({ type: SuccessDto })
  async revokeOtherSessions(@CurrentAuth() auth: AuthContext): Promise<SuccessDto> {
    await this.sessions.revokeOthers(auth);
    return { success: true };
  }

  /** One of the caller's sessions. */
  @Authenticated('sessions.read')
  @Get('sessions/:id')
  @ApiOkResponse({ type: SessionItemDto })
  @LaravelErrors(404)
  async getSession(@CurrentAuth() auth: AuthContext, @Param('id') id: string): Promise<SessionItemDto> {
    return { data: presentSession(await this.sessions.getOwn(auth.user.id, id)) };
  }

  /** Revoke one of the caller's sessions. */
  @Authenticated('sessions.write')
  @Delete('sessions/:id')
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(404)
  async revokeSession(@CurrentAuth() auth: AuthContext, @Param('id') id: string): Promise<SuccessDto> {
    await this.sessions.revokeOwn(auth, id);
    return { success: true };
  }
}
