import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { serveAvatarFiles } from '../capabilities/avatar/avatar-serving.js';
import type { AppConfig } from '../platform/config/app-config.js';
import { AllExceptionsFilter } from '../dialects/family-error.filter.js';
import { CompiledJsonExpressAdapter, CompiledResponses } from '../platform/http/compiled-json.js';
import { documentedRoutes } from '../platform/http/documented-routes.js';
import { dropForgedForwardedFor } from '../platform/http/forwarded-for.js';
import { InputGuardPipe } from '../platform/validation/input-guard.js';
import { createValidationPipe } from '../platform/validation/validation.js';
import { createAccessLog, createRootLogger, PinoNestLogger } from '../platform/logging/logger.js';
import { openApiDocumentOf, setupOpenApi } from './openapi-document.js';

export interface CreateAppOptions {
  logger?: Logger;
}

/** Builds the fully configured HTTP application; shared by main.ts, the e2e tests and the benchmark. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const logger = options.logger ?? createRootLogger(config.logLevel);
  const adapter = new CompiledJsonExpressAdapter();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  await configureApp(app, config, logger);
  try {
    await app.init();
  } catch (error) {
    // A start-up hook refused (the first admin's password, say): what the hooks before it started (the outbox
    // worker, timers, the pool) must not outlive the failed start.
    await app.close().catch(() => undefined);
    throw error;
  }
  // Built now rather than on the first request: documented-routes.ts checks every request against it, and the
  // hot reads' serialisers are compiled from it (checked against JSON.stringify outside production).
  adapter.responses = new CompiledResponses(openApiDocumentOf(app, config), config.nodeEnv !== 'production');
  return app;
}

export async function configureApp(app: NestExpressApplication, config: AppConfig, logger: Logger): Promise<void> {
  // Client IP from the socket, or from X-Forwarded-For only when the hop is a listed proxy.
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // Every JSON answer is `Cache-Control: no-store` or a file with its own validators: hashing each body for an ETag
  // would cost CPU on every request for nothing.
  app.disable('etag');
  // The access log and the security headers in one Express layer: each layer costs its own router dispatch.
  const accessLog = createAccessLog(logger);
  const securityHeaders = securityHeadersByScheme();
  const proxied = config.trustProxy !== false;
  app.use((req: Request, res: Response, next: NextFunction) => {
    accessLog(req, res);
    if (proxied) dropForgedForwardedFor(req);
    // Every /api answer may carry a token, a secret, a code or personal data: never kept by a cache (docs/security.md#responses-are-never-cached).
    if (req.url.startsWith('/api')) {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
    }
    void securityHeaders(req, res, next);
  });
  serveAvatarFiles(app);
  // Credentialed CORS for the allowed origins only (APP_URL's, FRONTEND_URL's, CORS_ORIGINS); another origin gets no
  // Access-Control-* header at all, so its browser neither sends a preflighted request nor reads an answer
  // (docs/security.md#cross-site-requests).
  const allowedOrigins = new Set(config.allowedOrigins);
  const credentialedCors: CorsOptions = {
    origin: true,
    credentials: true,
    methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Requested-With', 'X-Device-Token', 'X-Request-Id'],
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  };
  app.enableCors((req: Request, callback: (error: Error | null, options: CorsOptions) => void) =>
    callback(null, allowedOrigins.has(req.headers.origin ?? '') ? credentialedCors : { origin: false }),
  );
  // Bodies are bounded first (413 past BODY_LIMIT, whatever their type), then checked against the document.
  app.use(bodyParsers(config.bodyLimitBytes));
  app.use(documentedRoutes(() => openApiDocumentOf(app, config)));
  app.setGlobalPrefix('api', { exclude: ['health', 'health/ready', 'storage/{*path}'] });
  app.useGlobalPipes(new InputGuardPipe(createValidationPipe()));
  app.useGlobalFilters(new AllExceptionsFilter());
  // Errors raised by Express middleware (body parser) never reach Nest's filters; render them the same way.
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    new AllExceptionsFilter().catch(error, {
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => res, getNext: () => next }),
    } as never);
  });
  await setupOpenApi(app, config);
  // No app.enableShutdownHooks(): Nest's signal handler would close the server at once, skipping main.ts's drain.
}

export type TesseraApp = INestApplication;

/**
 * helmet's headers, with `upgrade-insecure-requests` only on requests that came over HTTPS (directly, or through a
 * TRUST_PROXY proxy's X-Forwarded-Proto). Over plain HTTP it would make the browser fetch Swagger UI's own scripts
 * and styles over https, which nothing serves: /docs opened by any name but localhost would be a blank page.
 * `default-src 'self'` stays, so "Try it out" may call the page's own origin (the document's server is relative).
 */
function securityHeadersByScheme(): (req: Request, res: Response, next: NextFunction) => void {
  const overHttps = helmet();
  const overHttp = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  return (req, res, next) => (req.secure ? overHttps : overHttp)(req, res, next);
}

/**
 * JSON and form bodies up to BODY_LIMIT (64 KB), in one Express layer; a request without a body (no Content-Length,
 * no Transfer-Encoding: most reads) passes in one check instead of going through both parsers. A larger body is
 * refused (413) from its Content-Length, or once the limit is read, before any of it is parsed: parsing and
 * walking a 1 MB body cost the main thread up to a second. Avatar uploads (multipart) have their own 5 MB limit.
 */
function bodyParsers(limit: number): RequestHandler {
  const parseJson = express.json({ limit });
  const parseForm = express.urlencoded({ limit, extended: true });
  return (req, res, next) => {
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return next();
    parseJson(req, res, (error?: unknown) => (error ? next(error) : parseForm(req, res, next)));
  };
}
