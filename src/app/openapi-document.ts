import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type PathItemObject } from '@nestjs/swagger';
import { API_KEY_SCOPE_DESCRIPTIONS, API_KEY_SCOPES } from '../core/users/api-key-scopes.js';
import { ClientErrorDto, documentCommonResponses, HTTP_METHODS, LaravelErrorDto } from '../dialects/error-responses.js';
import { CREDENTIAL_ERRORS } from '../core/credentials/errors.js';
import type { AppConfig } from '../platform/config/app-config.js';
import { documentMultipartFiles } from '../platform/openapi/multipart-file.js';
import { BEARER_SCHEME, COOKIE_SCHEME, TAG_DESCRIPTIONS, TAGS } from '../platform/openapi/tags.js';
import metadata from '../metadata.js';
import { documentRequestSide } from './request-schemas.js';
import { bearerOnlyAuthorizePlugin, downloadUrlPlugin, emptyValuesNotSentPlugin } from './swagger-ui-plugins.js';
import { documentWebhookCatalogue } from '../capabilities/webhooks/webhook-catalogue.openapi.js';
import { documentExampleUrls, documentQueryExamplesInDescriptions } from './try-it-out.js';

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
    )
    .addSecurity(COOKIE_SCHEME, {
      type: 'apiKey',
      in: 'cookie',
      name: config.sessionCookie.name,
      description:
        'The browser session cookie, set by `POST /api/login` (or the two-factor and passkey sign-ins) with ' +
        '`session: "cookie"`; `HttpOnly`, so scripts never hold it: the browser sends it (fetch with ' +
        '`credentials: "include"`, or same-origin). It stands for its session as an access token does. A POST, PUT, ' +
        'PATCH or DELETE it authenticates must carry an allowed `Origin` and `X-Requested-With`, and no ' +
        `\`Sec-Fetch-Site: cross-site\` (403 \`${CREDENTIAL_ERRORS.CROSS_SITE_REFUSED.message}\` otherwise). With an \`Authorization\` header the ` +
        'cookie is ignored. An answer may set it again (a fresh Max-Age as the session is used; a new value after a ' +
        'password change). Swagger UI authorizes with bearer.',
    });
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
      documentRequestSide(documentApiKeyScopes(documentMultipartFiles(documentCommonResponses(documentSessionCookie(documentWebhookCatalogue(document)))))),
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

/**
 * The session cookie as a second way to meet every protected operation's security: a requirement of its own (an
 * alternative to bearer), after bearer's, so clients and Swagger UI keep bearer first. Cookies have no scopes.
 */
export function documentSessionCookie(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths) as PathItemObject[]) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation?.security?.some((requirement) => BEARER_SCHEME in requirement)) continue;
      // A new array: the one the document holds is the decorators' own, shared by every document built.
      operation.security = [...operation.security, { [COOKIE_SCHEME]: [] }];
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
      plugins: [downloadUrlPlugin, emptyValuesNotSentPlugin, bearerOnlyAuthorizePlugin],
    },
  });
}
