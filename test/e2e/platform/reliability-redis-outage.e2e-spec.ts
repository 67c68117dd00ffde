import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  buildApp,
  call,
  createDatabase,
  registerAccount,
  startApps,
  type Account,
  type AppProcess,
  type JsonResponse,
  type TestDatabase,
} from '../../support/processes.js';
import { describeWithPrivateRedis, startPrivateRedis, type PrivateRedis } from '../../support/private-redis.js';

const SLOW = 180_000;
/** Bound of every wait on a state change (polling, never a fixed sleep before an assertion). */
const BOUND_MS = 20_000;
/** Requests the load must have sent while Redis was away before it is started again. */
const OUTAGE_REQUESTS = 150;
const DOWN_LINE = 'Redis does not answer: rate limits are counted per instance until it does';
const UP_LINE = 'Redis answers again: rate limits are shared by every instance again';

interface Sample {
  op: string;
  phase: 'before' | 'outage' | 'after';
  status?: number;
  error?: string;
}

const octet = (): number => 1 + Math.floor(Math.random() * 250);
const someIp = (): string => `10.${octet()}.${octet()}.${octet()}`;
const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

/** Polls `check` until it is true, within BOUND_MS; returns the milliseconds it took. */
async function within(what: string, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > BOUND_MS) throw new Error(`${what}: not within ${BOUND_MS} ms`);
    await sleep(25);
  }
  return Date.now() - start;
}

const readiness = (on: AppProcess): Promise<JsonResponse> => call(`${on.url}/health/ready`);
const reportsRedis = async (on: AppProcess, status: 'up' | 'down'): Promise<boolean> => {
  const res = await readiness(on);
  return res.status === 200 && res.body?.details?.redis?.status === status;
};
const countLines = (on: AppProcess, message: string): number => on.output().split('\n').filter((line) => line.includes(message)).length;

/**
 * Two instances share a PostgreSQL and a Redis of the test's own; a small mixed load (reads, writes, sign-ins,
 * refreshes, registrations and reset requests, on both instances and in the three route families) runs while Redis is
 * killed and started again. The machine's Redis is never touched.
 */
describeWithPrivateRedis('Redis outage under load, two instances', () => {
  let redis: PrivateRedis;
  let db: TestDatabase;
  let storageDir: string;
  let a: AppProcess;
  let b: AppProcess;
  let flowing = false;
  let load: Promise<void> | undefined;

  beforeAll(async () => {
    const [main, started] = await Promise.all([buildApp(), startPrivateRedis()]);
    redis = started;
    db = await createDatabase();
    storageDir = await mkdtemp(path.join(tmpdir(), 'tessera-redis-outage-'));
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      STORAGE_DIR: storageDir,
      TRUST_PROXY: 'loopback',
      // The transitions are warnings: the test counts their lines.
      LOG_LEVEL: 'warn',
      // The login failure limits at their defaults (the shared test environment raises them).
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP: '5',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '20',
      RATE_LIMIT_LOGIN_FAILURES_PER_IP: '100',
    };
    [a, b] = await startApps(main, 2, { env });
  }, SLOW);

  afterAll(async () => {
    flowing = false;
    await load;
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.kill();
    await db?.drop();
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  }, SLOW);

  it('serves every request without a 5xx, keeps logins limited and says so in readiness; shares the counters again once Redis is back', async () => {
    const accounts: Account[] = await Promise.all([a, b, a, b].map((on) => registerAccount(on.url, 'redisout')));
    const sessions = await Promise.all(
      accounts.map(async (account) => {
        const res = await call(`${a.url}/api/login`, { method: 'POST', headers: { 'X-Forwarded-For': someIp() }, json: account });
        if (res.status !== 200) throw new Error(`login: ${res.status}`);
        return { account, token: res.body.token as string, refresh: res.body.refresh_token as string };
      }),
    );

    const samples: Sample[] = [];
    let phase: Sample['phase'] = 'before';
    const record = async (op: string, request: () => Promise<JsonResponse>): Promise<JsonResponse | undefined> => {
      const at = phase;
      try {
        const res = await request();
        samples.push({ op, phase: at, status: res.status });
        return res;
      } catch (error) {
        samples.push({ op, phase: at, error: String(error) });
        return undefined;
      }
    };

    // One client per session, alternating instances, going round a mix of reads and writes.
    const client = async (index: number): Promise<void> => {
      const session = sessions[index]!;
      for (let round = 0; flowing; round++) {
        const on = (round + index) % 2 === 0 ? a : b;
        const auth = bearer(session.token);
        switch (round % 7) {
          case 0:
            await record('GET /api/me', () => call(`${on.url}/api/me`, { headers: auth }));
            break;
          case 1:
            await record('GET /api/client/account', () => call(`${on.url}/api/client/account`, { headers: auth }));
            break;
          case 2:
            await record('PATCH /api/me/details', () =>
              call(`${on.url}/api/me/details`, { method: 'PATCH', headers: auth, json: { first_name: `n${round}` } }),
            );
            break;
          case 3:
            await record('POST /api/v1/auth/user/profile', () =>
              call(`${on.url}/api/v1/auth/user/profile`, { method: 'POST', headers: auth, json: { last_name: `l${round}` } }),
            );
            break;
          case 4: {
            const res = await record('POST /api/login', () =>
              call(`${on.url}/api/login`, { method: 'POST', headers: { 'X-Forwarded-For': someIp() }, json: session.account }),
            );
            if (res?.status === 200) session.refresh = res.body.refresh_token as string;
            break;
          }
          case 5: {
            const res = await record('POST /api/token/refresh', () =>
              call(`${on.url}/api/token/refresh`, { method: 'POST', json: { refresh_token: session.refresh } }),
            );
            if (res?.status === 200) {
              session.token = res.body.token as string;
              session.refresh = res.body.refresh_token as string;
            }
            break;
          }
          default:
            if (index % 2 === 0) {
              await record('POST /api/register', async () => {
                const username = `ld_${randomBytes(5).toString('hex')}`;
                const password = `pw-${randomBytes(8).toString('hex')}`;
                return call(`${on.url}/api/register`, {
                  method: 'POST',
                  headers: { 'X-Forwarded-For': someIp() },
                  json: { username, email: `${username}@example.com`, password, password_confirmation: password },
                });
              });
            } else {
              await record('POST /api/password/remind', () =>
                call(`${on.url}/api/password/remind`, { method: 'POST', headers: { 'X-Forwarded-For': someIp() }, json: { email: `${session.account.username}@example.com` } }),
              );
            }
        }
      }
    };
    flowing = true;
    load = Promise.all(sessions.map((_, index) => client(index))).then(() => undefined);
    await within('some load before the outage', async () => samples.length >= 40);

    // Redis dies under the load.
    phase = 'outage';
    await redis.kill();
    const downAfterMs = Math.max(...(await Promise.all([a, b].map((on) => within(`${on.url} reports Redis down`, () => reportsRedis(on, 'down'))))));
    const ready = await readiness(a);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'degraded', details: { database: { status: 'up' }, redis: { status: 'down' } } });

    // Logins are still limited, on the instance's own counters: five failures lock the account at this address.
    const target = await registerAccount(a.url, 'redislock');
    const lockIp = someIp();
    const attempt = (password: string) => call(`${a.url}/api/login`, { method: 'POST', headers: { 'X-Forwarded-For': lockIp }, json: { username: target.username, password } });
    const wrong: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await attempt('wrong password');
      wrong.push(`${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(wrong).toEqual([...Array.from({ length: 5 }, () => expect.stringMatching(/^422 /)), `429 ${JSON.stringify({ message: 'Too Many Attempts.' })}`]);
    const rightButLocked = await attempt(target.password);
    expect(rightButLocked.status).toBe(429);
    expect(Number(rightButLocked.headers.get('retry-after'))).toBeGreaterThan(0);

    const outageStart = samples.findIndex((sample) => sample.phase === 'outage');
    await within(`${OUTAGE_REQUESTS} requests during the outage`, async () => samples.length - outageStart >= OUTAGE_REQUESTS);

    // Redis is back (empty: it saved nothing).
    await redis.start();
    const restartedAt = Date.now();
    phase = 'after';
    await Promise.all([a, b].map((on) => within(`${on.url} reports Redis up`, () => reportsRedis(on, 'up'))));
    const upAfterMs = Date.now() - restartedAt;

    // Shared again: failures of one account at one address on A and B add up to one lock-out.
    const shared = await registerAccount(b.url, 'redisback');
    const sharedIp = someIp();
    const on = (instance: AppProcess, password: string) =>
      call(`${instance.url}/api/login`, { method: 'POST', headers: { 'X-Forwarded-For': sharedIp }, json: { username: shared.username, password } });
    const split: number[] = [];
    for (const instance of [a, b, a, b, a]) split.push((await on(instance, 'wrong password')).status);
    expect(split).toEqual([422, 422, 422, 422, 422]);
    expect((await on(b, shared.password)).status).toBe(429);
    const sharedAfterMs = Date.now() - restartedAt;

    // The lock-out set on A during the outage was handed to Redis: B refuses the right password too.
    expect((await call(`${b.url}/api/login`, { method: 'POST', headers: { 'X-Forwarded-For': lockIp }, json: target })).status).toBe(429);

    await within('some load after the recovery', async () => samples.filter((sample) => sample.phase === 'after').length >= 40);
    flowing = false;
    await load;

    const failures = samples.filter((sample) => sample.error !== undefined || sample.status! >= 500);
    const during = samples.filter((sample) => sample.phase === 'outage');
    const statuses = (list: Sample[]): Record<string, number> =>
      list.reduce<Record<string, number>>((acc, sample) => ({ ...acc, [String(sample.status ?? 'error')]: (acc[String(sample.status ?? 'error')] ?? 0) + 1 }), {});
    process.stdout.write(
      `redis outage: ${samples.length} requests (${during.length} while Redis was down), ${failures.length} 5xx or failed; ` +
        `statuses during ${JSON.stringify(statuses(during))}; down reported after ${downAfterMs} ms; ` +
        `both up ${upAfterMs} ms and counters shared ${sharedAfterMs} ms after Redis restarted\n`,
    );
    expect(failures).toEqual([]);
    expect(during.length).toBeGreaterThanOrEqual(OUTAGE_REQUESTS);
    // Every operation of the mix was served during the outage, not only refused.
    for (const op of new Set(samples.map((sample) => sample.op))) {
      expect({ op, served: during.some((sample) => sample.op === op && sample.status! < 300) }).toEqual({ op, served: true });
    }
    // One warning line per move and instance, never one per request.
    for (const instance of [a, b]) {
      const moves = { down: countLines(instance, DOWN_LINE), up: countLines(instance, UP_LINE) };
      const lines = instance.output().split('\n').filter((line) => line.includes('"redis"'));
      expect({ ...moves, lines: moves.down === 1 && moves.up === 1 ? [] : lines }).toEqual({ down: 1, up: 1, lines: [] });
    }
  }, SLOW);
});
