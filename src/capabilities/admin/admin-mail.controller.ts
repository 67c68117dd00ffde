import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../core/credentials/auth.decorators.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { presentAdminMail } from './admin.presenter.js';
import { AdminMailService } from './admin-mail.service.js';
import { AdminMailPageDto } from './dto/admin-responses.dto.js';
import { AdminMailQueryDto } from './dto/admin-user.dto.js';
import { presentPage } from './pagination.presenter.js';

/** The mail outbox as administrators watch it: what failed for good, what is still waiting, what went out. */
@ApiTags(TAGS.admin)
@AdminOnly()
@Controller('admin/mail')
@LaravelErrors(401, CREDENTIAL_ERRORS.NOT_ADMIN, 422)
export class AdminMailController {
  constructor(
    private readonly mail: AdminMailService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Mails by outbox status (`failed` by default), newest first: recipient, kind, attempts and last error; never a body or a token. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: AdminMailPageDto })
  async adminListMail(@Query() query: AdminMailQueryDto): Promise<AdminMailPageDto> {
    return presentPage(await this.mail.list(query), presentAdminMail, { path: `${this.config.appUrl}/api/admin/mail`, query });
  }
}
