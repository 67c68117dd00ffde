import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations/index.js';
import { dataSourceOptions } from '../../../src/platform/database/data-source-options.js';
import { runMigrationsWithLock } from '../../../src/platform/database/migrate-with-lock.js';
import {
  buildApp,
  call,
  createDatabase,
  loginAccount,
  markAccountVerified,
  registerAccount,
  startApps,
  type Account,
  type AppProcess,
  type TestDatabase,
} from '../../support/processes.js';
import { describeWithRedis, TEST_REDIS_URL } from '../../support/redis.js';

const LOGIN_LIMIT = 4;
const SLOW = 90_000;

const bearer = (credential: string): Record<string, string> => ({ Authorization: `Bearer ${credential}` });
/** A client address of its own per call, so only the per-account login counter can trip. */
const someIp = (): Record<string, string> => ({
  'X-Forwarded-For': `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
});

async function queryOne<T>(url: string, sql: string, params: unknown[] = []): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows[0] as T;
  } finally {
    await client.end();
  }
}

describeWithRedis('two instances on one PostgreSQL, one Redis and one storage directory', () => {
  let db: TestDatabase;
  let storageDir: string;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    const main = await buildApp();
    db = await createDatabase();
    storageDir = await mkdtemp(path.join(tmpdir(), 'tessera-shared-storage-'));
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      STORAGE_DIR: storageDir,
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: String(LOGIN_LIMIT),
      TRUST_PROXY: 'loopback',
    };
    // Started at the same moment on an empty database: both run the start-up migrations and the first-admin check.
    [a, b] = await startApps(main, 2, { env });
  }, SLOW);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  }, SLOW);

  const register = (on: AppProcess) => registerAccount(on.url, 'twin');
  const login = (on: AppProcess, account: Account) => loginAccount(on.url, account, someIp());

  it('applied the migrations once and created one first admin although both started at once', async () => {
    const migrations = await queryOne<{ total: number; distinct: number }>(
      db.url,
      'SELECT count(*)::int AS total, count(DISTINCT name)::int AS distinct FROM migrations',
    );
    expect(migrations).toEqual({ total: MIGRATIONS.length, distinct: MIGRATIONS.length });
    expect(await queryOne(db.url, `SELECT count(*)::int AS admins FROM users WHERE username = 'admin'`)).toEqual({ admins: 1 });
  });

  it('accepts a token from A on B, and refuses it on A as soon as B revoked its session', async () => {
    const token = await login(a, await register(a));
    expect((await call(`${b.url}/api/me`, { headers: bearer(token) })).status).toBe(200);

    expect((await call(`${b.url}/api/logout`, { method: 'POST', headers: bearer(token) })).status).toBe(200);
    const refused = await call(`${a.url}/api/me`, { headers: bearer(token) });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ message: 'Unauthenticated.' });
  });

  it('counts login attempts made on both instances against one limit', async () => {
    const user = await register(b);
    const attempt = (on: AppProcess, password = 'wrong password') =>
      call(`${on.url}/api/login`, { method: 'POST', headers: someIp(), json: { username: user.username, password } });
    // Two failures on each: neither instance alone reached the limit of 4.
    for (const on of [a, b, a, b]) expect((await attempt(on)).status).toBe(422);

    const limited = await attempt(a, user.password);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await attempt(b, user.password)).status).toBe(429);
  });

  it('serves through B an avatar uploaded through A', async () => {
    const token = await login(a, await register(a));
    const image = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const form = new FormData();
    form.append('file', new Blob([image], { type: 'image/png' }), 'avatar.png');
    const uploaded = await call(`${a.url}/api/me/avatar`, { method: 'POST', headers: bearer(token), body: form });
    expect(uploaded.status).toBe(200);
    const avatar = new URL(uploaded.body.data.avatar as string);
    expect(avatar.pathname).toMatch(/^\/storage\/avatars\/[0-9a-f]{32}\.webp$/);

    const served = await fetch(`${b.url}${avatar.pathname}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).width).toBe(512);
  });

  it('refuses on B an API key deleted on A', async () => {
    const account = await register(a);
    await markAccountVerified(db.url, account);
    const token = await login(a, account);
    const created = await call(`${a.url}/api/client/account/api-keys`, {
      method: 'POST',
      headers: bearer(token),
      json: { description: 'two instances' },
    });
    expect(created.status).toBe(200);
    const key = created.body.meta.secret_token as string;
    const identifier = created.body.attributes.identifier as string;
    expect((await call(`${b.url}/api/client/account`, { headers: bearer(key) })).status).toBe(200);

    const deleted = await call(`${a.url}/api/client/account/api-keys/${identifier}`, { method: 'DELETE', headers: bearer(token) });
    expect(deleted.status).toBe(204);
    expect((await call(`${b.url}/api/client/account`, { headers: bearer(key) })).status).toBe(401);
  });

  it('keeps serving on both (no instance died along the way)', async () => {
    for (const on of [a, b]) expect((await call(`${on.url}/health/ready`)).status).toBe(200);
  });
});

describe('start-up migrations under the advisory lock', () => {
  it('are applied exactly once when four instances migrate the same empty database at once', async () => {
    const db = await createDatabase();
    const sources = Array.from({ length: 4 }, () => new DataSource(dataSourceOptions({ url: db.url, poolSize: 1 })));
    try {
      await Promise.all(sources.map((source) => source.initialize()));
      const applied = await Promise.all(sources.map((source) => runMigrationsWithLock(source, { pollMs: 20 })));
      // One instance applied everything; the others waited for the lock and found nothing pending.
      expect(applied.map((list) => list.length).sort((x, y) => y - x)).toEqual([MIGRATIONS.length, 0, 0, 0]);
      expect(await queryOne(db.url, 'SELECT count(*)::int AS total FROM migrations')).toEqual({ total: MIGRATIONS.length });
    } finally {
      await Promise.all(sources.filter((source) => source.isInitialized).map((source) => source.destroy()));
      await db.drop();
    }
  }, SLOW);
});
