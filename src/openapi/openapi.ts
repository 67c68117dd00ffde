import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config.js';

export const BEARER_SCHEME = 'bearer';

export const TAGS = {
  auth: 'auth',
  me: 'me',
  v1: 'v1-auth',
  client: 'client-account',
  sessions: 'sessions',
  twoFactor: 'two-factor',
  apiKeys: 'api-keys',
  admin: 'admin',
  countries: 'countries',
  health: 'health',
} as const;

export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const options = new DocumentBuilder()
    .setTitle('Tessera')
    .setDescription(
      'Self-service account API. One domain core, three route families: `/api/me` (Vanguard), ' +
        '`/api/v1/auth` (Open Badge) and `/api/client/account` (client panel), plus the auth routes.\n\n' +
        'Authorize once with either an access token from `POST /api/login` or a personal API key (`ptlc_…`).',
    )
    .setVersion('1.0.0')
    .addServer(config.appUrl)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or ptlc_ API key', description: 'An access token or a personal API key.' },
      BEARER_SCHEME,
    )
    .addTag(TAGS.auth, 'Register, log in, refresh, log out, reset and verify')
    .addTag(TAGS.me, 'The /api/me family (Vanguard)')
    .addTag(TAGS.v1, 'The /api/v1/auth family (Open Badge)')
    .addTag(TAGS.client, 'The /api/client/account family')
    .addTag(TAGS.sessions, 'Sessions of the signed-in user')
    .addTag(TAGS.countries, 'ISO 3166-1 countries')
    .build();
  return SwaggerModule.createDocument(app, options, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
}

export function setupOpenApi(app: INestApplication, config: AppConfig): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    useGlobalPrefix: false,
    swaggerOptions: { persistAuthorization: true, displayOperationId: true },
  });
}
