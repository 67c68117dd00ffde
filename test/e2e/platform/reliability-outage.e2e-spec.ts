import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../../../src/platform/database/embedded-postgres.js';
import { buildApp, call, loginAccount, registerAccount, startApp, type AppProcess, type JsonResponse } from '../../support/processes.js';

const logger = pino({ level: 'silent' });
const SLOW = 120_000;
/** Both kept low so the test is quick; an answer must come within them plus a margin for a loaded machine. */
const CONNECTION_TIMEOUT_MS = 1000;
const STATEMENT_TIMEOUT_MS = 1000;
const ANSWER_WITHIN_MS = CONNECTION_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 1500;
const UNAVAILABLE = 'The service is temporarily unavailable. Please retry shortly.';

interface Sample {
  route: 'vanguard' | 'client';
  at: number;
  ms: number;
  response?: JsonResponse;
  error?: string;
}

/**
 * The database goes away under a running instance and comes back. The PostgreSQL here is the test's own
 * embedded cluster (never the machine's shared server), stopped and started again on the same port.
 */
describe('database outage', () => {
  let base: string;
  let dataDir: string;
  let database: EmbeddedPostgresServer | undefined;
  let app: AppProcess;
  /** The test's background clients run while this is true; afterAll stops them even when an expectation failed. */
  let flowing = false;

  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'tessera-outage-'));
    // As root the embedded PostgreSQL runs as the OS user postgres, which must be able to enter this directory.
    chmodSync(base, 0o711);
    dataDir = path.join(base, '.data');
    const [main, server] = await Promise.all([buildApp(), startEmbeddedPostgres({ dataDir, database: 'tessera', logger })]);
    database = server;
    app = await startApp(main, {
      env: {
        DATABASE_URL: server.url,
        DB_CONNECTION_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
        DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DB_POOL_SIZE: '5',
        STORAGE_DIR: path.join(base, 'storage'),
      },
    });
  }, SLOW);

  afterAll(async () => {
    flowing = false;
    await app?.stop();
    await database?.stop();
    rmSync(base, { recursive: true, force: true });
  }, SLOW);

  it('answers 503 with Retry-After while PostgreSQL is down, and recovers in the same process once it is back', async () => {
    const account = await registerAccount(app.url, 'outage');
    const token = await loginAccount(app.url, account);
    const auth = { Authorization: `Bearer ${token}` };

    // Four clients keep asking (two per route family) from before the outage until after the recovery.
    const samples: Sample[] = [];
    flowing = true;
    const client = async (route: Sample['route']): Promise<void> => {
      const url = route === 'vanguard' ? `${app.url}/api/me` : `${app.url}/api/client/account`;
      while (flowing) {
        const at = Date.now();
        try {
          const response = await call(url, { headers: auth, timeoutMs: 10_000 });
          samples.push({ route, at, ms: Date.now() - at, response });
        } catch (error) {
          samples.push({ route, at, ms: Date.now() - at, error: String(error) });
        }
        await sleep(20);
      }
    };
    const clients = Promise.all((['vanguard', 'client', 'vanguard', 'client'] as const).map(client));
    await sleep(300);

    await database!.stop();
    database = undefined;
    const downAt = Date.now();
    // Let the requests meet the dead database for a while (pooled connections die, new ones are refused).
    await sleep(2500);

    const ready = await call(`${app.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('5');
    expect(ready.body).toEqual({ message: UNAVAILABLE });
    // Liveness does not depend on the database: an orchestrator must not restart the instance for an outage.
    expect((await call(`${app.url}/health`)).status).toBe(200);

    // PostgreSQL accepts connections a little before start-up resolves: the outage ends when the start begins.
    const restartAt = Date.now();
    database = await startEmbeddedPostgres({ dataDir, database: 'tessera', logger });
    const upAt = Date.now();
    let recoveredAt: number | undefined;
    while (Date.now() - upAt < 10_000) {
      const res = await call(`${app.url}/api/me`, { headers: auth });
      if (res.status === 200) {
        recoveredAt = Date.now();
        break;
      }
      await sleep(50);
    }
    await sleep(300);
    flowing = false;
    await clients;

    const failures = samples.filter((sample) => sample.error !== undefined);
    expect(failures).toEqual([]);
    const during = samples.filter((sample) => sample.at >= downAt && sample.at < restartAt);
    expect(during.length).toBeGreaterThan(4);
    for (const sample of during) {
      const res = sample.response!;
      expect({ route: sample.route, status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({
        route: sample.route,
        status: 503,
        retryAfter: '5',
      });
      if (sample.route === 'vanguard') expect(res.body).toEqual({ message: UNAVAILABLE });
      else expect(res.body).toEqual({ errors: [{ code: expect.any(String), status: '503', detail: UNAVAILABLE }] });
    }
    // No request hangs: each one was answered within the configured timeouts.
    expect(Math.max(...samples.map((sample) => sample.ms))).toBeLessThan(ANSWER_WITHIN_MS);
    expect(samples.filter((sample) => ![200, 503].includes(sample.response!.status))).toEqual([]);

    // The same process recovered, without a restart, within 5 s of PostgreSQL being back.
    expect(recoveredAt).toBeDefined();
    expect(recoveredAt! - upAt).toBeLessThan(5000);
    expect(samples.at(-1)!.response!.status).toBe(200);
    expect((await call(`${app.url}/health/ready`)).status).toBe(200);
    expect(app.child.exitCode).toBeNull();
    expect(app.child.pid).toBe(app.pid);
  }, SLOW);
});
