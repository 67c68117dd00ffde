import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../common/auth/auth-context.js';
import { Authenticated, CurrentAuth } from '../common/auth/auth.decorators.js';
import { ClientErrors } from '../common/openapi/error-responses.js';
import { TAGS } from '../openapi/openapi.js';
import { presentApiKeyList, presentCreatedApiKey } from './api-key.presenter.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto.js';

@ApiTags(TAGS.apiKeys)
@Authenticated()
@Controller('client/account/api-keys')
@ClientErrors(401, 403)
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** List the caller's personal API keys. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ApiKeyListDto })
  async listApiKeys(@CurrentAuth() auth: AuthContext): Promise<ApiKeyListDto> {
    return presentApiKeyList(await this.apiKeys.list(auth.user.id));
  }

  /** Create a personal API key; the full key is returned once, in `meta.secret_token`. */
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: CreatedApiKeyDto })
  @ClientErrors('LIMIT_REACHED', 422)
  async createApiKey(@CurrentAuth() auth: AuthContext, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return presentCreatedApiKey(await this.apiKeys.create(auth, { description: body.description, allowedIps: body.allowed_ips }));
  }

  /** Delete one of the caller's personal API keys; it stops working on the next request. */
  @Delete(':identifier')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ClientErrors(404)
  async deleteApiKey(@CurrentAuth() auth: AuthContext, @Param('identifier') identifier: string): Promise<void> {
    await this.apiKeys.delete(auth, identifier);
  }
}
