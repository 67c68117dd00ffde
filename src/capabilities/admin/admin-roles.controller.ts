import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { presentAdminRole } from './admin.presenter.js';
import { AdminUsersService } from './admin-users.service.js';
import { AdminRoleListDto } from './dto/admin-responses.dto.js';

@ApiTags(TAGS.admin)
@AdminOnly()
@Controller('roles')
@LaravelErrors(401, CREDENTIAL_ERRORS.NOT_ADMIN)
export class AdminRolesController {
  constructor(private readonly admin: AdminUsersService) {}

  /** Every role with the number of users holding it. */
  @Get()
  @ApiOkResponse({ type: AdminRoleListDto })
  async adminListRoles(): Promise<AdminRoleListDto> {
    return { data: (await this.admin.listRoles()).map(presentAdminRole) };
  }
}
