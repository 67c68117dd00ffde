// Soak test (`npm run load`, after `npm run build`): the production build under mixed traffic for a while, then a
// check that every acknowledged write is in the database and that memory stayed flat. Not part of `npm test`.
//
// It starts the build as `npm run start:prod` does (NODE_ENV=production, production argon2 cost) on a new database on
// LOAD_DATABASE_SERVER_URL (default: the PostgreSQL on 127.0.0.1:5432), with the Redis at LOAD_REDIS_URL
// (default 127.0.0.1:6379) and a local SMTP sink. Each connection owns one user and works sequentially, so the
// expected database state is known exactly: reads with the JWT and with an API key, profile writes, logins and
// session revocations, API-key creation and deletion, avatar uploads.
//
//   LOAD_DURATION_S (120)  LOAD_CONNECTIONS (100)  LOAD_MIX (see DEFAULT_MIX)  LOAD_KEEP_DATABASE=1 keeps the database.
//   LOAD_MAIN runs another build of main.js than dist/src/main.js (with start:prod's flags and environment).
// Exit status 1 when a request answered 5xx or failed, a write went missing, or the RSS high-water mark of the second
// half is 10 % or more above the first half's.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import sharp from 'sharp';
import { SMTPServer } from 'smtp-server';
import { productionStart } from './production-start.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const DURATION_S = Number(process.env.LOAD_DURATION_S ?? 120);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 100);
const SERVER_URL = process.env.LOAD_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.LOAD_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = process.env.LOAD_MAIN ?? path.join(ROOT, 'dist', 'src', 'main.js');
const START = productionStart(ROOT);

/** Operation weights of the mix (out of their sum); LOAD_MIX="readMe=1,writeDetails=1" replaces it. */
const DEFAULT_MIX = [
  ['readMe', 35],
  ['readWithApiKey', 20],
  ['writeDetails', 15],
  ['createAndDeleteKey', 10],
  ['loginAndRevoke', 8],
  ['listSessions', 8],
  ['uploadAvatar', 4],
];
const MIX = process.env.LOAD_MIX
  ? process.env.LOAD_MIX.split(',').map((part) => part.split('=')).map(([name, weight]) => [name.trim(), Number(weight)])
  : DEFAULT_MIX;
const TOTAL_WEIGHT = MIX.reduce((sum, [, weight]) => sum + weight, 0);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function startSmtpSink() {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${server.server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const stats = { requests: 0, byStatus: new Map(), errors: new Map(), serverErrors: [] };

async function request(base, route, { method = 'GET', token, json, form } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body = form;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  stats.requests++;
  let res;
  try {
    res = await fetch(`${base}${route}`, { method, headers, body, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const code = error.cause?.code ?? error.name;
    stats.errors.set(code, (stats.errors.get(code) ?? 0) + 1);
    return { status: 0, body: null };
  }
  const text = await res.text();
  stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
  if (res.status >= 500 && stats.serverErrors.length < 10) stats.serverErrors.push(`${method} ${route} ${res.status} ${text.slice(0, 200)}`);
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/** One connection's user and what the server acknowledged for it. */
class VirtualUser {
  constructor(base, avatar) {
    this.base = base;
    this.avatar = avatar;
    this.username = `load_${randomBytes(5).toString('hex')}`;
    this.password = `pw-${randomBytes(8).toString('hex')}`;
    this.acked = { detailsWrites: 0, lastFirstName: null, keysCreated: 0, keysDeleted: 0, logins: 0, revoked: 0, uploads: 0, avatar: null };
    this.writes = 0;
  }

  async setUp() {
    const { username, password } = this;
    const registered = await request(this.base, '/api/register', {
      method: 'POST',
      json: { username, email: `${username}@example.com`, password, password_confirmation: password },
    });
    if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
    this.token = await this.login();
    const key = await request(this.base, '/api/client/account/api-keys', { method: 'POST', token: this.token, json: { description: 'load' } });
    if (key.status !== 200) throw new Error(`api key: ${key.status}`);
    this.apiKey = key.body.meta.secret_token;
    this.acked.keysCreated++;
  }

  async login() {
    const res = await request(this.base, '/api/login', { method: 'POST', json: { username: this.username, password: this.password } });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
    this.acked.logins++;
    return res.body.token;
  }

  async readMe() {
    await request(this.base, '/api/me', { token: this.token });
  }

  async readWithApiKey() {
    await request(this.base, '/api/client/account', { token: this.apiKey });
  }

  async listSessions() {
    await request(this.base, '/api/me/sessions', { token: this.token });
  }

  async writeDetails() {
    const firstName = `Load${++this.writes}`;
    const res = await request(this.base, '/api/me/details', { method: 'PATCH', token: this.token, json: { first_name: firstName } });
    if (res.status === 200) {
      this.acked.detailsWrites++;
      this.acked.lastFirstName = firstName;
    }
  }

  async createAndDeleteKey() {
    const created = await request(this.base, '/api/client/account/api-keys', { method: 'POST', token: this.token, json: { description: 'churn' } });
    if (created.status !== 200) return;
    this.acked.keysCreated++;
    const deleted = await request(this.base, `/api/client/account/api-keys/${created.body.attributes.identifier}`, { method: 'DELETE', token: this.token });
    if (deleted.status === 204) this.acked.keysDeleted++;
  }

  /** A second session is opened, then revoked through the first one. */
  async loginAndRevoke() {
    const res = await request(this.base, '/api/login', { method: 'POST', json: { username: this.username, password: this.password } });
    if (res.status !== 200) return;
    this.acked.logins++;
    const sessionId = JSON.parse(Buffer.from(res.body.token.split('.')[1], 'base64url').toString()).sid;
    const revoked = await request(this.base, `/api/sessions/${sessionId}`, { method: 'DELETE', token: this.token });
    if (revoked.status === 200) this.acked.revoked++;
  }

  async uploadAvatar() {
    const form = new FormData();
    form.append('file', new Blob([this.avatar], { type: 'image/png' }), 'avatar.png');
    const res = await request(this.base, '/api/me/avatar', { method: 'POST', token: this.token, form });
    if (res.status === 200) {
      this.acked.uploads++;
      this.acked.avatar = new URL(res.body.data.avatar).pathname;
    }
  }

  async run(until) {
    while (Date.now() < until) {
      let pick = Math.random() * TOTAL_WEIGHT;
      const [operation] = MIX.find(([, weight]) => (pick -= weight) < 0) ?? MIX[0];
      await this[operation]();
    }
  }
}

/** Compares what each user was told with the rows; returns a list of mismatches. */
async function verify(databaseUrl, users, storageDir) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const problems = [];
  const acknowledged = { detailsLastValue: 0, liveKeys: 0, keyCreations: 0, sessions: 0, revocations: 0, avatars: 0 };
  const found = { ...acknowledged };
  try {
    for (const user of users) {
      const { rows: [row] } = await client.query(
        `SELECT u.first_name, u.avatar_key,
           (SELECT count(*)::int FROM api_keys k WHERE k.user_id = u.id) AS keys,
           (SELECT count(*)::int FROM sessions s WHERE s.user_id = u.id) AS sessions,
           (SELECT count(*)::int FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NOT NULL) AS revoked,
           (SELECT count(*)::int FROM activity_logs a WHERE a.user_id = u.id AND a.event = 'user:api-key.create') AS key_events
         FROM users u WHERE u.username = $1`,
        [user.username],
      );
      const a = user.acked;
      const expected = {
        first_name: a.lastFirstName,
        keys: a.keysCreated - a.keysDeleted,
        sessions: a.logins,
        revoked: a.revoked,
        key_events: a.keysCreated,
      };
      const actual = { first_name: row.first_name, keys: row.keys, sessions: row.sessions, revoked: row.revoked, key_events: row.key_events };
      if (JSON.stringify(expected) !== JSON.stringify(actual)) problems.push({ user: user.username, expected, actual });
      if (a.avatar) {
        const key = path.basename(a.avatar).replace(/\.webp$/, '');
        if (row.avatar_key !== key || !existsSync(path.join(storageDir, 'avatars', `${key}.webp`))) {
          problems.push({ user: user.username, avatar: a.avatar, found: row.avatar_key });
        }
      }
      acknowledged.detailsLastValue += a.lastFirstName ? 1 : 0;
      found.detailsLastValue += a.lastFirstName && row.first_name === a.lastFirstName ? 1 : 0;
      acknowledged.liveKeys += expected.keys;
      found.liveKeys += row.keys;
      acknowledged.keyCreations += a.keysCreated;
      found.keyCreations += row.key_events;
      acknowledged.sessions += a.logins;
      found.sessions += row.sessions;
      acknowledged.revocations += a.revoked;
      found.revocations += row.revoked;
      acknowledged.avatars += a.avatar ? 1 : 0;
      found.avatars += a.avatar && row.avatar_key === path.basename(a.avatar).replace(/\.webp$/, '') ? 1 : 0;
    }
  } finally {
    await client.end();
  }
  return { problems, acknowledged, found };
}

async function main() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm run load does)`);
  const database = `tessera_load_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${database}`);
  const databaseUrl = Object.assign(new URL(SERVER_URL), { pathname: `/${database}` }).toString();
  const storageDir = mkdtempSync(path.join(tmpdir(), 'tessera-load-'));
  const smtp = await startSmtpSink();
  // Production refuses the SMS log driver; this run sends no SMS, but the gateway must exist. It accepts everything.
  const smsGateway = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise((resolve) => smsGateway.listen(0, '127.0.0.1', resolve));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...START.args.slice(0, -1), MAIN], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      ...START.env,
      NODE_ENV: 'production',
      PORT: String(port),
      APP_URL: base,
      DATABASE_URL: databaseUrl,
      JWT_SECRET: randomBytes(48).toString('hex'),
      TWO_FACTOR_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      SMTP_URL: smtp.url,
      SMS_HTTP_URL: `http://127.0.0.1:${smsGateway.address().port}/sms`,
      REDIS_URL,
      STORAGE_DIR: storageDir,
      LOG_LEVEL: 'warn',
      // One client address sends everything here; the limits are for real clients.
      RATE_LIMIT_REGISTER_PER_HOUR: '1000000',
      RATE_LIMIT_LOGIN_FAILURES_PER_IP: '1000000',
      RATE_LIMIT_LOGIN_PER_IP: '1000000',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000000',
      RATE_LIMIT_API_PER_MINUTE: '1000000',
      ADMIN_PASSWORD: randomBytes(12).toString('hex'),
    },
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (let waited = 0; ; waited += 200) {
      if (exited) throw new Error('the app exited during start-up');
      if (waited > 60_000) throw new Error('the app was not ready within 60 s');
      const ready = await fetch(`${base}/health/ready`).then((res) => res.status === 200, () => false);
      if (ready) break;
      await sleep(200);
    }

    const avatar = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#2a7' } }).png().toBuffer();
    const users = Array.from({ length: CONNECTIONS }, () => new VirtualUser(base, avatar));
    // Set up in batches: registration and login run argon2 at the production cost.
    for (let i = 0; i < users.length; i += 10) await Promise.all(users.slice(i, i + 10).map((user) => user.setUp()));
    stats.requests = 0;
    stats.byStatus.clear();

    console.log(`load: ${CONNECTIONS} connections for ${DURATION_S} s against ${base} (pid ${child.pid})`);
    const started = Date.now();
    const until = started + DURATION_S * 1000;
    // RSS every second. It moves in a saw-tooth of tens of MiB (argon2 takes 19 MiB per login in flight; the heap
    // grows until a major GC and malloc gives pages back late), so one reading at 1 min against one at 2 min says
    // little: memory is judged on each minute's high-water mark, which a leak keeps raising.
    const rss = [];
    const sampler = setInterval(() => {
      const elapsed = (Date.now() - started) / 1000;
      const mib = rssMiB(child.pid);
      rss.push({ elapsed, mib });
      if (rss.length % 10 === 0) console.log(`  ${Math.round(elapsed)}s  requests ${stats.requests}  RSS ${mib.toFixed(0)} MiB`);
    }, 1000);
    await Promise.all(users.map((user) => user.run(until)));
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    const half = DURATION_S / 2;
    const firstHalf = rss.filter((sample) => sample.elapsed <= half).map((sample) => sample.mib);
    const secondHalf = rss.filter((sample) => sample.elapsed > half).map((sample) => sample.mib);
    const reading = (second) => rss.reduce((best, sample) => (Math.abs(sample.elapsed - second) < Math.abs(best.elapsed - second) ? sample : best)).mib;
    const peak = { first: Math.max(...firstHalf), second: Math.max(...secondHalf) };
    const growth = (peak.second - peak.first) / peak.first;

    const { problems, acknowledged, found } = await verify(databaseUrl, users, storageDir);
    const writes = users.reduce((sum, { acked: a }) => sum + a.detailsWrites + a.keysCreated + a.keysDeleted + a.logins + a.revoked + a.uploads, 0);
    const serverErrors = [...stats.byStatus].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
    const errors = [...stats.errors.values()].reduce((sum, count) => sum + count, 0);
    const summary = {
      connections: CONNECTIONS,
      seconds: Math.round(seconds),
      requests: stats.requests,
      requestsPerSecond: Math.round(stats.requests / seconds),
      byStatus: Object.fromEntries(stats.byStatus),
      serverErrors,
      networkErrors: Object.fromEntries(stats.errors),
      writesAcknowledged: writes,
      acknowledged,
      foundInDatabase: found,
      rssMiB: { [`at ${half}s`]: Math.round(reading(half)), [`at ${DURATION_S}s`]: Math.round(reading(DURATION_S)) },
      rssPeakMiB: { [`0-${half}s`]: Math.round(peak.first), [`${half}-${DURATION_S}s`]: Math.round(peak.second) },
      rssLowMiB: { [`0-${half}s`]: Math.round(Math.min(...firstHalf)), [`${half}-${DURATION_S}s`]: Math.round(Math.min(...secondHalf)) },
      rssPeakGrowthPercent: Math.round(growth * 1000) / 10,
    };
    console.log(JSON.stringify(summary, null, 2));
    if (stats.serverErrors.length > 0) console.log('first 5xx answers:\n  ' + stats.serverErrors.join('\n  '));
    if (problems.length > 0) console.log('mismatches:', JSON.stringify(problems.slice(0, 10), null, 2));
    const failed = serverErrors > 0 || errors > 0 || problems.length > 0 || growth >= 0.1;
    console.log(failed ? 'load: FAILED' : 'load: passed (0 5xx, no lost writes, flat memory)');
    process.exitCode = failed ? 1 : 0;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (exited ? resolve() : child.once('exit', resolve)));
    await smtp.close();
    await new Promise((resolve) => smsGateway.close(resolve));
    rmSync(storageDir, { recursive: true, force: true });
    if (process.env.LOAD_KEEP_DATABASE !== '1') await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
