import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ClientErrorDto, documentCommonResponses, LaravelErrorDto } from '../common/openapi/error-responses.js';
import type { AppConfig } from '../config/app-config.js';
import { documentMultipartFiles } from '../common/openapi/multipart-file.js';
import metadata from '../metadata.js';
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
          '`POST /api/client/account/api-keys`). Paste it without `Bearer `; the UI remembers it across reloads.',
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
    documentQueryExamplesInDescriptions(documentMultipartFiles(documentCommonResponses(document))),
    config.appUrl,
  );
}

export async function setupOpenApi(app: INestApplication, config: AppConfig): Promise<void> {
  // The swagger plugin's view of DTOs and controllers, generated by `npm run openapi:metadata`.
  await SwaggerModule.loadPluginMetadata(metadata);
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    useGlobalPrefix: false,
    swaggerOptions: {
      persistAuthorization: true,
      displayOperationId: true,
      plugins: [downloadUrlPlugin, emptyValuesNotSentPlugin],
    },
  });
}
