import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type PathItemObject } from '@nestjs/swagger';
import { API_KEY_SCOPE_DESCRIPTIONS, API_KEY_SCOPES } from '../common/auth/api-key-scopes.js';
import { ClientErrorDto, documentCommonResponses, HTTP_METHODS, LaravelErrorDto } from '../common/openapi/error-responses.js';
import type { AppConfig } from '../config/app-config.js';
import { documentMultipartFiles } from '../common/openapi/multipart-file.js';
import metadata from '../metadata.js';
import { documentRequestSide } from './request-schemas.js';
import { downloadUrlPlugin, emptyValuesNotSentPlugin } from './swagger-ui-plugins.js';
import { documentExampleUrls, documentQueryExamplesInDescriptions } from './try-it-out.js';

export const BEARER_SCHEME = 'bearer';

/**
 * Operation groups of the document, by route family and capability. The keys are what controllers name; the values
 * are what Swagger UI shows, each with the description below.
 */
export const TAGS = {
  auth: 'auth',
  recovery: 'auth: password and email',
  me: 'me: profile',
  avatar: 'me: avatar',
  sessions: 'me: sessions',
  smsTwoFactor: 'me: two-factor by SMS',
  v1: 'v1: user',
  client: 'client: account',
  apiKeys: 'client: API keys',
  twoFactor: 'client: two-factor app',
  admin: 'admin',
  countries: 'countries',
  health: 'health',
} as const;

const TAG_DESCRIPTIONS: Record<(typeof TAGS)[keyof typeof TAGS], string> = {
  [TAGS.auth]: 'Register, log in (with a second factor when it is on), refresh the token pair, log out. Shared by every family.',
  [TAGS.recovery]: 'Reset a forgotten password by mail, verify an email address, mail the verification again.',
  [TAGS.me]: 'The signed-in user as the Vanguard front end sees it (`/api/me`): read the profile, change details and credentials.',
  [TAGS.avatar]: 'The signed-in user\'s picture (`/api/me/avatar`): upload an image, point at an external URL, remove it.',
  [TAGS.sessions]: 'The signed-in user\'s sessions (logins on each device): list them, revoke one, revoke all others.',
  [TAGS.smsTwoFactor]: 'Two-factor authentication with codes by SMS (`/api/me/2fa`): set up a phone, verify it, turn it off, new recovery codes.',
  [TAGS.v1]: 'The signed-in user as the Open Badge front end sees it (`/api/v1/auth/user`): read, change username and email, update the profile and picture.',
  [TAGS.client]: 'The signed-in user as the client panel sees it (`/api/client/account`): read, change email and password, read the activity log.',
  [TAGS.apiKeys]: 'Personal API keys (`ptlc_…`) of the client panel: list, create (the key is shown once), delete.',
  [TAGS.twoFactor]: 'Two-factor authentication with an authenticator app (`/api/client/account/two-factor`): set up, turn on, turn off.',
  [TAGS.admin]: 'Administration, for the admin role only: find, create, edit, ban and delete users, reset their two-factor, revoke their sessions, read their activity, list roles.',
  [TAGS.countries]: 'The ISO 3166-1 countries a profile can name.',
  [TAGS.health]: 'Liveness and readiness probes for load balancers and orchestrators (outside `/api`).',
};

export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Tessera')
    .setDescription(
      'Self-service account API. One domain core, three route families: `/api/me` (Vanguard), ' +
        '`/api/v1/auth` (Open Badge) and `/api/client/account` (client panel), plus the auth routes.\n\n' +
        'To try it: run `POST /api/login`, copy `token` from the answer, press **Authorize** and paste it. A personal ' +
        'API key (`ptlc_…`, from `POST /api/client/account/api-keys`) works the same way.',
    )
    .setVersion('1.0.0')
    // Relative: "Try it out" calls the origin the page was opened from (localhost, 127.0.0.1 or a proxy's name),
    // which the Content-Security-Policy allows; an absolute APP_URL would be another origin for all the others.
    .addServer('/', 'This server')
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
    );
  for (const [name, description] of Object.entries(TAG_DESCRIPTIONS)) builder.addTag(name, description);
  const options = builder.build();
  // A private API: package.json's licence, without a URL.
  options.info.license = { name: 'UNLICENSED' };
  const document = SwaggerModule.createDocument(app, options, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    extraModels: [LaravelErrorDto, ClientErrorDto],
  });
  return documentExampleUrls(
    documentQueryExamplesInDescriptions(
      documentRequestSide(documentApiKeyScopes(documentMultipartFiles(documentCommonResponses(document)))),
    ),
    config.appUrl,
  );
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
    swaggerOptions: {
      persistAuthorization: true,
      displayOperationId: true,
      plugins: [downloadUrlPlugin, emptyValuesNotSentPlugin],
    },
  });
}
