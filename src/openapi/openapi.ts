import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type PathItemObject } from '@nestjs/swagger';
import { API_KEY_SCOPE_DESCRIPTIONS, API_KEY_SCOPES } from '../common/auth/api-key-scopes.js';
import { ClientErrorDto, documentCommonResponses, HTTP_METHODS, LaravelErrorDto } from '../common/openapi/error-responses.js';
import type { AppConfig } from '../config/app-config.js';
import { documentMultipartFiles } from '../common/openapi/multipart-file.js';
import metadata from '../metadata.js';
import { documentRequestSide } from './request-schemas.js';

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
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT or ptlc_ API key',
        description:
          'An access token (`token` from `POST /api/login`, 15 minutes) or a personal API key (`ptlc_…`, from ' +
          '`POST /api/client/account/api-keys`). Paste it without `Bearer `; the UI remembers it across reloads.\n\n' +
          'An API key reaches an operation only with the scope its security requirement names (403 `This API key ' +
          'lacks the scope <scope>.` otherwise); access tokens are not limited by scopes. The scopes:\n' +
          API_KEY_SCOPES.map((scope) => `- \`${scope}\`: ${API_KEY_SCOPE_DESCRIPTIONS[scope]}`).join('\n'),
      },
      BEARER_SCHEME,
    )
    .addTag(TAGS.auth, 'Register, log in, refresh, log out, reset and verify')
    .addTag(TAGS.me, 'The /api/me family (Vanguard)')
    .addTag(TAGS.v1, 'The /api/v1/auth family (Open Badge)')
    .addTag(TAGS.client, 'The /api/client/account family')
    .addTag(TAGS.sessions, 'Sessions of the signed-in user')
    .addTag(TAGS.twoFactor, 'Two-factor set-up: authenticator app (client family) and SMS (/api/me family)')
    .addTag(
      TAGS.admin,
      'Administration (admin role only; 403 for everyone else): find, create, edit, ban and delete users, reset their ' +
        'two-factor, revoke their sessions, read their activity, list roles',
    )
    .addTag(TAGS.countries, 'ISO 3166-1 countries')
    .addTag(TAGS.health, 'Liveness and readiness probes (outside /api)')
    .build();
  // A private API: package.json's licence, without a URL.
  options.info.license = { name: 'UNLICENSED' };
  const document = SwaggerModule.createDocument(app, options, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    extraModels: [LaravelErrorDto, ClientErrorDto],
  });
  return documentRequestSide(documentApiKeyScopes(documentMultipartFiles(documentCommonResponses(document))));
}

/**
 * States each operation's API-key scope in its description too, from its security requirement (where
 * @Authenticated(scope) and @AdminOnly() put it), for readers of Swagger UI and generated clients; an operation
 * whose requirement names no scope is closed to API keys, and says so.
 */
export function documentApiKeyScopes(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths) as PathItemObject[]) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      const requirements = operation?.security?.filter((requirement) => BEARER_SCHEME in requirement) ?? [];
      if (!operation || requirements.length === 0) continue;
      const scopes = requirements.flatMap((requirement) => requirement[BEARER_SCHEME]);
      const note =
        scopes.length === 0
          ? 'Not open to API keys (403): access tokens only.'
          : `API keys need the scope ${scopes.map((scope) => `\`${scope}\``).join(', ')}.`;
      operation.description = operation.description ? `${operation.description}\n\n${note}` : note;
    }
  }
  return document;
}

const documents = new WeakMap<INestApplication, OpenAPIObject>();

/** The app's document, built once (Swagger UI's /docs-json and the request checks of documented-routes.ts share it). */
export function openApiDocumentOf(app: INestApplication, config: AppConfig): OpenAPIObject {
  let document = documents.get(app);
  if (!document) {
    document = buildOpenApiDocument(app, config);
    documents.set(app, document);
  }
  return document;
}

export async function setupOpenApi(app: INestApplication, config: AppConfig): Promise<void> {
  // The swagger plugin's view of DTOs and controllers, generated by `npm run openapi:metadata`.
  await SwaggerModule.loadPluginMetadata(metadata);
  SwaggerModule.setup('docs', app, () => openApiDocumentOf(app, config), {
    jsonDocumentUrl: 'docs-json',
    useGlobalPrefix: false,
    swaggerOptions: { persistAuthorization: true, displayOperationId: true },
  });
}
