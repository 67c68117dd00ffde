import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import path from 'node:path';
import type { Logger } from 'pino';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { loadOrCreateJwtSecret } from './config/jwt-secret.js';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from './database/embedded-postgres.js';
import { createRootLogger } from './logging/logger.js';

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** A bad or missing variable stops the process with one line naming it (CONTRACT §11). */
function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

/** Fills in what the environment left unset: a kept JWT secret and the embedded PostgreSQL. */
async function completeConfig(
  config: AppConfig,
  logger: Logger,
): Promise<{ config: AppConfig; database?: EmbeddedPostgresServer }> {
  if (config.databaseUrl === undefined && config.isProduction) {
    // The embedded cluster is for development and trials; the production image does not even ship it.
    throw new ConfigError('DATABASE_URL', 'is required when NODE_ENV=production');
  }
  const dataDir = path.resolve(config.dataDir);
  let jwtSecret = config.jwtSecret;
  if (jwtSecret === undefined) {
    // loadConfig has already refused this in production.
    const kept = await loadOrCreateJwtSecret(dataDir);
    logger.info({ file: kept.file }, kept.created ? 'generated a JWT secret' : 'using the kept JWT secret');
    jwtSecret = kept.secret;
  }
  if (config.databaseUrl !== undefined) return { config: { ...config, jwtSecret } };
  const database = await startEmbeddedPostgres({ dataDir, database: 'tessera', logger });
  return { config: { ...config, jwtSecret, databaseUrl: database.url }, database };
}

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  const logger = createRootLogger(config.logLevel);
  let app: NestExpressApplication | undefined;
  let database: EmbeddedPostgresServer | undefined;

  // One owner for the shutdown order: close the app (readiness turns false, requests drain, the pool closes),
  // then stop the embedded PostgreSQL, then exit. The listeners stay attached so that the signal Nest's own
  // shutdown hook re-raises after closing lands here instead of killing the process before PostgreSQL stopped.
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let code = 0;
    try {
      await app?.close();
    } catch (error) {
      logger.error({ err: error }, 'the application did not close cleanly');
      code = 1;
    }
    try {
      await database?.stop();
    } catch (error) {
      logger.error({ err: error }, 'the embedded PostgreSQL did not stop cleanly');
      code = 1;
    }
    process.exit(code);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, () => void shutdown(signal));

  try {
    ({ config, database } = await completeConfig(config, logger).catch(exitOnConfigError));
    app = await createApp(config, { logger });
    await app.listen(config.port);
    logger.info({ url: config.appUrl, docs: `${config.appUrl}/docs` }, 'Tessera is listening');
  } catch (error) {
    if (stopping) return;
    logger.fatal({ err: error }, 'Tessera did not start');
    await database?.stop().catch(() => undefined);
    process.exit(1);
  }
}

void bootstrap();
