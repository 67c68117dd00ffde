import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import ts from 'typescript';

/**
 * Tessera as real child processes, for the reliability tests (several instances, signals, outages).
 *
 * The e2e run does not build, and `nest build` (a full type-check, ~13 s) into the shared dist/ would race with
 * other builds. Since the project compiles with isolatedModules, each file transpiles on its own: the app is
 * transpiled once per source content into node_modules/.cache (a second or two), and later runs reuse it.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'tessera-app');
const SOURCE_DIRS = ['src', 'migrations'];
/** Part of the cache key: change it when buildApp() changes how it builds. */
const BUILD_FORMAT = 'transpile-es2022-v1';

async function listSources(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function compilerOptions(): ts.CompilerOptions {
  const file = path.join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, file);
  // transpileModule cannot see package.json's "type": say ESM outright (nodenext would pick CommonJS).
  return {
    ...parsed.options,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    sourceMap: false,
    inlineSourceMap: false,
    noEmit: false,
  };
}

/** Path of `src/main.js` in a transpiled copy of the current sources (made when missing). */
export async function buildApp(): Promise<string> {
  const files = (await Promise.all(SOURCE_DIRS.map((dir) => listSources(path.join(ROOT, dir))))).flat();
  const contents = await Promise.all(files.map((file) => fs.readFile(file)));
  const hash = createHash('sha256');
  hash.update(BUILD_FORMAT).update(await fs.readFile(path.join(ROOT, 'tsconfig.json')));
  files.forEach((file, index) => hash.update(path.relative(ROOT, file)).update('\0').update(contents[index]));
  const target = path.join(CACHE, hash.digest('hex').slice(0, 16));
  const main = path.join(target, 'src', 'main.js');
  if (existsSync(main)) return main;

  // Built beside the target and renamed into place: jest workers may build at the same time.
  const staging = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const options = compilerOptions();
  await Promise.all(
    files.map(async (file, index) => {
      const output = ts.transpileModule(contents[index].toString(), { compilerOptions: options, fileName: file });
      const out = path.join(staging, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
      await fs.mkdir(path.dirname(out), { recursive: true });
      await fs.writeFile(out, output.outputText);
    }),
  );
  // Inside node_modules the package scope of the root package.json does not reach: say these files are ESM.
  await fs.writeFile(path.join(staging, 'package.json'), '{ "type": "module" }\n');
  await fs.cp(path.join(ROOT, 'assets'), path.join(staging, 'assets'), { recursive: true });
  try {
    await fs.rename(staging, target);
  } catch {
    // Another worker won the race with the same content.
    await fs.rm(staging, { recursive: true, force: true });
  }
  await pruneBuilds(target);
  return main;
}

/** Builds of older sources, untouched for an hour, go (a build in use by a running test is younger). */
async function pruneBuilds(keep: string): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of await fs.readdir(CACHE)) {
    const dir = path.join(CACHE, name);
    if (dir === keep) continue;
    const stat = await fs.stat(dir).catch(() => undefined);
    if (stat && stat.mtimeMs < hourAgo) await fs.rm(dir, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<Exit>;
  /** What the process wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

export interface StartOptions {
  /** Overrides on top of this process's environment (the e2e test-env: low argon2 cost, JWT secret…). */
  env: Record<string, string>;
  /** Milliseconds to wait for /health/ready. */
  readyTimeoutMs?: number;
  /** Leads a process group of its own, as a shell's foreground job does: `kill(-pid, …)` signals the whole group. */
  processGroup?: boolean;
}

/**
 * Starts `node <build>/src/main.js` on a free port and waits until /health/ready answers 200. On a machine shared
 * with other test runs the free port can be taken before the app listens: then it starts again on another one.
 */
export async function startApp(main: string, options: StartOptions): Promise<AppProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAppOnce(main, options, await freePort());
    } catch (error) {
      if (attempt === 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

/**
 * Starts `count` instances at once. If any fails, the ones that did start are stopped before the error is thrown:
 * a test's afterAll never sees them, and a live child would keep jest from exiting.
 */
export async function startApps(main: string, count: number, options: StartOptions): Promise<AppProcess[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => startApp(main, options)));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (!failure) return started;
  await Promise.all(started.map((app) => app.stop('SIGKILL')));
  throw failure.reason;
}

class PortTakenError extends Error {}

async function startAppOnce(main: string, options: StartOptions, port: number): Promise<AppProcess> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'error', ...options.env, PORT: String(port), APP_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup ?? false,
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let exit: Exit | undefined;
  void exited.then((value) => (exit = value));

  const app: AppProcess = {
    url,
    pid: child.pid!,
    child,
    exited,
    output: () => output,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (exit) return exit;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exit) {
      const message = `the app exited (${exit.code ?? exit.signal}) before it was ready:\n${output}`;
      throw /EADDRINUSE|is already in use/.test(output) ? new PortTakenError(message) : new Error(message);
    }
    const status = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) }).then((res) => res.status, () => 0);
    if (status === 200) return app;
    if (Date.now() > deadline) {
      await app.stop('SIGKILL');
      throw new Error(`the app was not ready within the time allowed:\n${output}`);
    }
    await sleep(100);
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database on the e2e run's PostgreSQL server (not the worker's shared one). */
export async function createDatabase(prefix = 'tessera_rel'): Promise<TestDatabase> {
  const server = process.env.TEST_DATABASE_SERVER_URL;
  if (!server) throw new Error('e2e tests need the jest global setup (run them through `npm test`)');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // Read loosely on purpose: these tests check behaviour across processes; the OpenAPI-checked e2e tests check the shapes.
  body: any;
}

/** fetch with a JSON body and a parsed JSON answer (or null). */
export async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; json?: unknown; body?: FormData; timeoutMs?: number } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { Accept: 'application/json', ...init.headers };
  let body: string | FormData | undefined = init.body;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export interface Account {
  username: string;
  password: string;
}

/** Registers a new account through `POST /api/register` of the instance at `url`. */
export async function registerAccount(url: string, prefix = 'proc'): Promise<Account> {
  const username = `${prefix}_${randomBytes(5).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const res = await call(`${url}/api/register`, {
    method: 'POST',
    json: { username, email: `${username}@example.com`, password, password_confirmation: password },
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return { username, password };
}

/** Marks the account's address verified in the database at `databaseUrl` (passkeys, two-factor and API keys need it). */
export async function markAccountVerified(databaseUrl: string, account: Account): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`UPDATE users SET email_verified_at = now(), status = 'Active' WHERE username = $1`, [account.username]);
  } finally {
    await client.end();
  }
}

/** Logs in on the instance at `url`; returns the access token. */
export async function loginAccount(url: string, account: Account, headers: Record<string, string> = {}): Promise<string> {
  const res = await call(`${url}/api/login`, { method: 'POST', headers, json: account });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** Runs one statement on the database at `url` (a connection of its own) and returns its rows. */
export async function queryDatabase<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Polls `check` until it returns a value (bounded: throws after `timeoutMs`). Polls the database, never sleeps for timing. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
