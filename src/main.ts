import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import v8 from 'node:v8';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createApp } from './app/app.factory.js';
import { AuthService } from './capabilities/auth/auth.service.js';
import { announceReady } from './capabilities/auth/first-admin.js';
import { ConfigError, loadConfig, type AppConfig } from './platform/config/app-config.js';
import { loadOrCreateJwtSecret } from './platform/config/jwt-secret.js';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from './platform/database/embedded-postgres.js';
import { HealthService } from './capabilities/health/health.service.js';
import { createRootLogger } from './platform/logging/logger.js';

// V8 lets the old generation grow to several times its live size between full collections: under load that is
// ~250 MB resident for a live heap of ~50 MB, almost all of it dead request objects. Growing by at most 1.5x keeps
// the resident set under 200 MB at the same throughput (`npm run bench`). The flag is read at every collection.
// The young generation's size is fixed when the heap is set up, so its limit is a start flag instead (the
// Dockerfile's CMD and `npm run start:prod`: --max-semi-space-size).
v8.setFlagsFromString('--heap-growing-percent=50');

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Past the drain delay, a close that takes longer than this (a request stuck on a dead dependency) is cut short. */
const CLOSE_TIMEOUT_MS = 8_000;
/** After the server stopped listening, time for the connections it accepted last to send their request. */
const LAST_ACCEPTED_GRACE_MS = 250;

/** A bad or missing variable stops the process with one line naming it, per variable (docs/configuration.md#how-configuration-is-read). */
function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

/**
 * First half of a graceful stop: readiness turns false and every response closes its connection, so load balancers
 * and keep-alive clients move to other instances, while requests are still served for `delayMs`.
 */
async function drain(app: NestExpressApplication, delayMs: number): Promise<void> {
  app.get(HealthService).markShuttingDown();
  const server = app.getHttpServer() as Server;
  server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
  if (delayMs > 0) await sleep(delayMs);
  // Stop listening without http.Server#close's closeIdleConnections(): a connection accepted a moment ago has not
  // sent its request yet, counts as idle and would be reset. Give such connections a moment to be served;
  // app.close() then closes what is really idle and waits for the rest.
  net.Server.prototype.close.call(server);
  await sleep(LAST_ACCEPTED_GRACE_MS);
}

/** Fills in what the environment left unset: a kept JWT secret and the embedded PostgreSQL. */
async function completeConfig(
  config: AppConfig,
  logger: Logger,
): Promise<{ config: AppConfig; database?: EmbeddedPostgresServer }> {
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

/**
 * Stops at once when the port is taken, before a cluster is created, migrations run or a first admin's password
 * is printed for a server that will never listen. (Binds the way app.listen does: every address.)
 */
async function exitIfPortTaken(port: number): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  const taken = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    probe.once('error', resolve);
    probe.listen(port, () => probe.close(() => resolve(undefined)));
  });
  if (!taken) return;
  process.stderr.write(
    taken.code === 'EADDRINUSE'
      ? `Port ${port} is already in use (another Tessera, or another server): stop it, or start this one with PORT=<another port>.\n`
      : `Cannot listen on port ${port}: ${taken.message}\n`,
  );
  process.exit(1);
}

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  await exitIfPortTaken(config.port);
  const logger = createRootLogger(config.logLevel);
  let app: NestExpressApplication | undefined;
  let database: EmbeddedPostgresServer | undefined;

  // One owner for the shutdown order: readiness turns false, requests are still served for SHUTDOWN_DELAY_MS, then
  // the app closes (requests in flight finish, then Redis and the pool close), then the embedded PostgreSQL stops,
  // then the process exits. A second signal while stopping is ignored.
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let code = 0;
    try {
      if (app) {
        await drain(app, config.shutdownDelayMs);
        // app.close() stops accepting, waits for requests in flight, then closes Redis and the pool.
        const closed = app.close();
        const timedOut = await Promise.race([
          closed.then(() => false),
          sleep(CLOSE_TIMEOUT_MS, true, { ref: false }),
        ]);
        if (timedOut) {
          logger.error({ timeoutMs: CLOSE_TIMEOUT_MS }, 'requests still running at the close timeout were cut off');
          code = 1;
        }
      }
    } catch (error) {
      logger.error({ err: error }, 'the application did not close cleanly');
      code = 1;
    }
    try {
      if (database) {
        await database.stop();
        logger.info('embedded PostgreSQL stopped');
      }
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
    // After the JSON lines before it (the log is written in batches).
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    announceReady(config.appUrl, app.get(AuthService).firstAdmin);
  } catch (error) {
    if (stopping) return;
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else logger.fatal({ err: error }, 'Tessera did not start');
    await database?.stop().catch(() => undefined);
    process.exit(1);
  }
}

void bootstrap();
