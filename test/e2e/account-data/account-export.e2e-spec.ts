import { jest } from '@jest/globals';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ACCOUNT_DATA_ERRORS } from '../../../src/capabilities/account-data/errors.js';
import { AccountLifecycle } from '../../../src/core/lifecycle/account-lifecycle.js';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { bearer, loggedInUser } from '../../support/factories.js';
import { richAccount } from '../../support/account-helpers.js';

/**
 * The app behind a server of its own on a real port (the Nest server stays supertest's): nothing but the app holds
 * the body, and the test sees the socket as a client does.
 */
async function listenRaw(t: TestApp): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer(t.app.getHttpAdapter().getInstance() as RequestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('GET /api/me/export', () => {
  let t: TestApp;
  let storageDir: string;

  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), 'tessera-export-'));
    t = await bootTestApp({ STORAGE_DIR: storageDir, TRUST_PROXY: 'loopback', APP_URL: 'http://export.test' });
  });
  afterAll(async () => {
    await t.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  it('is a JSON attachment, not cached, with every kind of data, and never a hash, secret, token or code', async () => {
    const account = await richAccount(t);
    const res = await t.http().get('/api/me/export').set(account.auth).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="tessera-export-${account.username}-${new Date().toISOString().slice(0, 10)}.json"`);
    expect(res.headers['cache-control']).toBe('no-store');
    const text = res.text;
    const doc = JSON.parse(text);

    expect(doc).toMatchObject({ format: 'tessera-account-export', version: 1 });
    expect(Date.now() - Date.parse(doc.exported_at)).toBeLessThan(60_000);
    expect(doc.profile).toMatchObject({ id: account.id, username: account.username, email: account.email, status: 'Active', role: { slug: 'user' } });
    expect(doc.settings).toEqual({ public_profile: true, public_badges: false, language: 'en' });
    expect(doc.avatar).toEqual({
      source: 'upload',
      main: `http://export.test/storage/avatars/${account.avatarKey}.webp`,
      high: `http://export.test/storage/avatars/${account.avatarKey}_high.webp`,
      thumbnail: `http://export.test/storage/avatars/${account.avatarKey}_thumbnail.webp`,
    });
    expect(doc.two_factor).toMatchObject({ enabled: true, method: 'totp', recovery_codes_left: 10 });
    expect(doc.two_factor.recovery_codes_issued_at).toEqual(expect.any(String));
    expect(doc.sessions).toEqual([
      expect.objectContaining({ ip_address: account.ip, user_agent: account.userAgent, browser: 'Unknown', revoked_at: null, logged_in_at: expect.any(String) }),
    ]);
    expect(doc.api_keys).toEqual([expect.objectContaining({ identifier: account.apiKey.slice(0, 16), description: 'laptop', allowed_ips: [] })]);
    expect(doc.one_time_links).toEqual([
      expect.objectContaining({ purpose: 'email_verification', email: account.email, used_at: null }),
      expect.objectContaining({ purpose: 'password_reset', email: account.email, used_at: null }),
    ]);
    const events = doc.activity.map((entry: { event: string }) => entry.event);
    expect(events).toEqual(expect.arrayContaining(['user:registered', 'auth:login', 'user:avatar.updated', 'user:api-key.create', 'user:two-factor.create', 'user:account.exported']));
    expect(doc.activity.find((entry: { event: string }) => entry.event === 'user:account.exported')).toMatchObject({ actor: 'self', ip: account.ip, user_agent: account.userAgent });

    // Every secret the database or the responses hold about the account.
    const [{ password }] = await t.db.query(`SELECT password FROM users WHERE id = $1`, [account.id]);
    const rowSecrets: { secret: string | null }[] = await t.db.query(
      `SELECT totp_secret AS secret FROM two_factor_settings WHERE user_id = $1
       UNION ALL SELECT pending_totp_secret FROM two_factor_settings WHERE user_id = $1
       UNION ALL SELECT code_hash FROM two_factor_recovery_codes WHERE user_id = $1
       UNION ALL SELECT token_hash FROM two_factor_challenges WHERE user_id = $1
       UNION ALL SELECT secret_hash FROM api_keys WHERE user_id = $1
       UNION ALL SELECT refresh_token_hash FROM sessions WHERE user_id = $1
       UNION ALL SELECT previous_refresh_token_hash FROM sessions WHERE user_id = $1
       UNION ALL SELECT token_hash FROM user_tokens WHERE user_id = $1`,
      [account.id],
    );
    const secrets = [
      password as string,
      account.password,
      account.totpSecret,
      ...account.recoveryCodes,
      account.apiKey,
      account.apiKey.slice(16),
      account.tokens.token,
      account.tokens.refresh_token,
      ...rowSecrets.map((row) => row.secret).filter((secret): secret is string => secret !== null),
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(10 + 10 + 5);
    for (const secret of secrets) expect(text).not.toContain(secret.trim());
    expect(text).not.toMatch(/\$argon2/);
  });

  it('needs an access token with a recent sign-in: API keys and stale sessions get 403, nobody 401', async () => {
    const account = await richAccount(t);
    await t.http().get('/api/me/export').set(bearer(account.apiKey)).expect(403, { message: 'API keys cannot use this route.' });
    await t.db.query(`UPDATE sessions SET logged_in_at = now() - interval '1 hour' WHERE user_id = $1`, [account.id]);
    await t.http().get('/api/me/export').set(account.auth).expect(403, { message: ACCOUNT_DATA_ERRORS.EXPORT_RECENT_AUTH_REQUIRED.message });
    await t.http().get('/api/me/export').expect(401);
    const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM activity_logs WHERE user_id = $1 AND event = 'user:account.exported'`, [account.id]);
    expect(count).toBe(0);
  });

  it('is allowed once a minute per account (429 with Retry-After); another account is not held up', async () => {
    const user = await loggedInUser(t);
    const other = await loggedInUser(t);
    await t.http().get('/api/me/export').set(user.auth).expect(200);
    const again = await t.http().get('/api/me/export').set(user.auth).expect(429, { message: 'Too Many Attempts.' });
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(60);
    await t.http().get('/api/me/export').set(other.auth).expect(200);
  });

  it('cuts the connection when a read fails mid-stream: never a truncated document that looks complete', async () => {
    const user = await loggedInUser(t);
    const activity = t.app.get(AccountLifecycle).exportSections().find((section) => section.key === 'activity')!;
    jest.spyOn(activity, 'write').mockImplementationOnce(async function* () {
      yield [{ id: '1' }];
      throw new Error('database went away');
    });
    const { port, close } = await listenRaw(t);
    try {
      const outcome = await new Promise<string>((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/api/me/export', headers: user.auth }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve(`ended ${res.statusCode}: ${body}`));
          res.on('error', (error) => resolve(`aborted ${res.statusCode} (${error.message}) after ${body.length} characters`));
        });
        req.on('error', (error) => resolve(`request failed: ${error.message}`));
        req.end();
      });
      expect(outcome).toMatch(/^aborted 200 /);
    } finally {
      jest.restoreAllMocks();
      await close();
    }
  });

  it('streams 100,000 activity entries in bounded memory', async () => {
    const user = await loggedInUser(t);
    const entries = 100_000;
    await t.db.query(
      `INSERT INTO activity_logs (user_id, actor_id, event, description, ip, user_agent, properties, created_at)
       SELECT $1, $1, 'auth:login', 'Logged in.', '203.0.113.' || (n % 250), 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
              jsonb_build_object('n', n, 'note', repeat('x', 64)), now() - make_interval(secs => $2 - n)
         FROM generate_series(1, $2) AS n`,
      [user.id, entries],
    );

    // The body goes to a file, parsed after the measurement.
    const { port, close } = await listenRaw(t);
    const file = path.join(storageDir, 'export.json');
    // Live memory, not garbage V8 has not collected yet: a full collection before the baseline and before each
    // sample, taken at every 25th chunk (the first included, when a buffered document would be at its largest).
    // Live = V8 heap + external memory (Buffers, where a document turned into bytes would sit).
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    gc();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    const live = (usage: NodeJS.MemoryUsage) => usage.heapUsed + usage.external;
    let peakLive = live(baseline);
    let bytes = 0;
    let chunks = 0;
    let samples = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/api/me/export', headers: user.auth }, (res) => {
          expect(res.statusCode).toBe(200);
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (chunks++ % 25 !== 0) return;
            gc();
            samples++;
            const now = process.memoryUsage();
            peakRss = Math.max(peakRss, now.rss);
            peakLive = Math.max(peakLive, live(now));
          });
          pipeline(res, createWriteStream(file)).then(resolve, reject);
        });
        req.on('error', reject);
        req.end();
      });
    } finally {
      await close();
    }
    const mib = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
    const growth = { rss: mib(peakRss - baseline.rss), live: mib(peakLive - live(baseline)), body: mib(bytes) };
    process.stdout.write(`export of ${entries} activity entries: body ${growth.body} MiB, peak growth: RSS ${growth.rss} MiB, live ${growth.live} MiB (${samples} samples over ${chunks} chunks)\n`);
    // The whole document held in memory would be at least the body (35 MiB of live Buffer, far more as rows and
    // objects); streamed, it is a page of rows at a time. Figures measured are in the README ("Your data").
    expect(growth.body).toBeGreaterThan(30);
    expect(growth.live).toBeLessThan(24);
    expect(growth.rss).toBeLessThan(64);

    const doc = JSON.parse(await readFile(file, 'utf8'));
    const seeded = doc.activity.filter((entry: { event: string; properties: { n?: number } }) => entry.properties.n !== undefined);
    expect(seeded).toHaveLength(entries);
    expect(seeded[0].properties.n).toBe(1);
    expect(seeded[entries - 1].properties.n).toBe(entries);
  }, 300_000); // a memory test: 35 MiB through a full collection every 25 chunks takes minutes on a busy machine
});
