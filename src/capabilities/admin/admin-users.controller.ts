import { ACCOUNT_DELETION_ORGANIZATION_ERRORS } from '../organizations/errors.js';
import { Body, Controller, Delete, Get, Header, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SuccessDto } from '../../dialects/success.dto.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { AdminOnly, CurrentAuth } from '../../core/credentials/auth.decorators.js';
import { LaravelErrors } from '../../dialects/error-responses.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { VanguardUserResponseDto } from '../../dialects/vanguard/dto/vanguard-user.dto.js';
import { presentVanguardUser, presentVanguardUserResponse } from '../../dialects/vanguard/user.presenter.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { MeQueryDto } from '../profile/dto/me.dto.js';
import { AdminUsersService } from './admin-users.service.js';
import { AdminUserPageDto } from './dto/admin-responses.dto.js';
import { AdminCreateUserDto, AdminListUsersQueryDto, AdminProofDto, AdminUpdateUserDto } from './dto/admin-user.dto.js';
import { AdminProofErrors } from './admin-proof-errors.js';
import { presentPage } from './pagination.presenter.js';
import { ApiUserIdParam, UserIdParam } from '../../platform/http/user-id.pipe.js';

/** Users as admins see and change them (issue 9); the user shape is the /api/me family's. */
@ApiTags(TAGS.admin)
@AdminOnly()
@Controller('users')
@LaravelErrors(401, CREDENTIAL_ERRORS.NOT_ADMIN, 422)
export class AdminUsersController {
  constructor(
    private readonly admin: AdminUsersService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Find users: `filter[search]`, `filter[status]`, `sort`, `page`, `per_page` (Laravel's paginator shape). */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: AdminUserPageDto })
  async adminListUsers(@Query() query: AdminListUsersQueryDto): Promise<AdminUserPageDto> {
    const includes = query.includes();
    const path = `${this.config.appUrl}/api/users`;
    return presentPage(await this.admin.listUsers(query), (profile) => presentVanguardUser(profile, includes), { path, query });
  }

  /** Create a user with a role, a status and (by default) a verified address. Creating an admin needs the admin's proof (recent login or `current_password`). */
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: VanguardUserResponseDto })
  @AdminProofErrors()
  async adminCreateUser(
    @CurrentAuth() auth: AuthContext,
    @Body() dto: AdminCreateUserDto,
    @Query() query: MeQueryDto,
  ): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.admin.createUser(auth, dto, query.includes()), query.includes());
  }

  /** One user; `?include=role,country` adds those objects. */
  @Get(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserResponseDto })
  @LaravelErrors(404)
  @ApiUserIdParam()
  async adminGetUser(@UserIdParam() id: number, @Query() query: MeQueryDto): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.admin.getUser(id, query.includes()), query.includes());
  }

  /**
   * Change any field, the role, the status (`Banned` revokes every session, key and open two-factor login at once) or
   * the verification. A change of password, email, username, verification, role or status needs the admin's proof
   * (recent login or `current_password`; never an API key) and mails the user at its address of record.
   */
  @Patch(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: VanguardUserResponseDto })
  @LaravelErrors(404)
  @AdminProofErrors()
  @ApiUserIdParam()
  async adminUpdateUser(
    @CurrentAuth() auth: AuthContext,
    @UserIdParam() id: number,
    @Body() dto: AdminUpdateUserDto,
    @Query() query: MeQueryDto,
  ): Promise<VanguardUserResponseDto> {
    return presentVanguardUserResponse(await this.admin.updateUser(auth, id, dto, query.includes()), query.includes());
  }

  /**
   * Delete a user with their sessions, API keys and two-factor state (not yourself). Needs the admin's proof (recent
   * login or `current_password`; never an API key); a notice goes to the user's address.
   */
  @Delete(':id')
  @LaravelErrors(ACCOUNT_DELETION_ORGANIZATION_ERRORS.TRANSFER_OWNERSHIP_FIRST)
  @ApiBody({ type: AdminProofDto, required: false })
  @ApiOkResponse({ type: SuccessDto })
  @LaravelErrors(404)
  @AdminProofErrors()
  @ApiUserIdParam()
  async adminDeleteUser(@CurrentAuth() auth: AuthContext, @UserIdParam() id: number, @Body() dto: AdminProofDto): Promise<SuccessDto> {
    await this.admin.deleteUser(auth, id, dto.current_password);
    return { success: true };
  }
}
