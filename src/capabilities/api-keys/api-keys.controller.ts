import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SuccessDto } from '../../dialects/success.dto.js';
import type { AuthContext, ClientInfo } from '../../core/users/auth-context.js';
import { Authenticated, CurrentAuth, CurrentClient, Public } from '../../core/credentials/auth.decorators.js';
import { ClientErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import { API_KEY_ERRORS } from './errors.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { presentApiKeyList, presentCreatedApiKey } from './api-key.presenter.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto, RevokeApiKeysDto } from './dto/api-key.dto.js';

@ApiTags(TAGS.apiKeys)
@Controller('client/account/api-keys')
@ClientErrors(401, 403)
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** List the caller's personal API keys. */
  @Authenticated('account.read')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ApiKeyListDto })
  async listApiKeys(@CurrentAuth() auth: AuthContext): Promise<ApiKeyListDto> {
    return presentApiKeyList(await this.apiKeys.list(auth.user.id));
  }

  /**
   * Create a personal API key; the full key is returned once, in `meta.secret_token`. Needs a verified email address;
   * the owner is mailed at it.
   */
  @Authenticated('account.write')
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: CreatedApiKeyDto })
  @ClientErrors(API_KEY_ERRORS.LIMIT_REACHED, 422)
  @ProofRequiredErrors('client', { recentLogin: true, addsCredential: true })
  async createApiKey(@CurrentAuth() auth: AuthContext, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return presentCreatedApiKey(
      await this.apiKeys.create(auth, {
        description: body.description,
        allowedIps: body.allowed_ips,
        scopes: body.scopes,
        expiresAt: body.expires_at,
        currentPassword: body.current_password,
      }),
    );
  }

  /** Delete one of the caller's personal API keys; it stops working on the next request. */
  @Authenticated('account.write')
  @Delete(':identifier')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ClientErrors(404)
  async deleteApiKey(@CurrentAuth() auth: AuthContext, @Param('identifier') identifier: string): Promise<void> {
    await this.apiKeys.delete(auth, identifier);
  }
}

/** Leaked-key reports: public, so whoever finds a key (a secret scanner, a colleague) can kill it. */
@ApiTags(TAGS.client)
@Controller('client/account/api-keys')
export class ApiKeyRevocationController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** Report leaked keys, no credential needed: each valid one is revoked and its owner mailed; the same answer whatever was found. */
  @Public()
  @Post('revoke')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: SuccessDto, description: 'Accepted; says nothing about what was found.' })
  @ClientErrors(429)
  async revokeApiKeys(@Body() body: RevokeApiKeysDto, @CurrentClient() client: ClientInfo): Promise<SuccessDto> {
    await this.apiKeys.revokeReported(body.tokens, client);
    return { success: true };
  }
}
