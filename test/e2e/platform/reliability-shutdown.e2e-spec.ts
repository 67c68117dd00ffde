import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  buildApp,
  call,
  createDatabase,
  loginAccount,
  markAccountVerified,
  registerAccount,
  startApp,
  type AppProcess,
  type Exit,
  type TestDatabase,
} from '../../support/processes.js';

const SLOW = 120_000;
const CONNECTIONS = 50;
const SHUTDOWN_DELAY_MS = 1500;
/**
 * The clients play a load balancer's traffic: they stop sending this long after readiness first answered 503,
 * well inside the shutdown delay. (Connections still waiting in the listen backlog when the listener closes are
 * reset by the kernel; taking the instance out of rotation first is what the delay is for.)
 */
const BALANCER_REACTION_MS = 500;

interface Outcome {
  at: number;
  status?: number;
  /** The network error's code when there was no answer. */
  error?: string;
}

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? String(error);
}

/** One client: its own user, creating an API key then deleting it, over and over, until told to stop. */
class WriteClient {
  readonly outcomes: Outcome[] = [];
  readonly created = new Set<string>();
  readonly deleted = new Set<string>();
  userId = 0;
  private auth: Record<string, string> = {};

  constructor(
    private readonly url: string,
    private readonly databaseUrl: string,
  ) {}

  async signUp(): Promise<void> {
    const account = await registerAccount(this.url, 'drain');
    await markAccountVerified(this.databaseUrl, account);
    const token = await loginAccount(this.url, account);
    this.auth = { Authorization: `Bearer ${token}` };
    this.userId = (await call(`${this.url}/api/client/account`, { headers: this.auth })).body.attributes.id as number;
  }

  /** Runs while `sending()` says so, or until a request gets no answer. */
  async run(sending: () => boolean): Promise<void> {
    while (sending()) {
      const created = await this.attempt('/api/client/account/api-keys', 'POST', { description: 'drain' });
      if (typeof created !== 'object' || created.status !== 200) return;
      const identifier = created.body.attributes.identifier as string;
      this.created.add(identifier);
      if (!sending()) return;
      const deleted = await this.attempt(`/api/client/account/api-keys/${identifier}`, 'DELETE');
      if (typeof deleted !== 'object') return;
      if (deleted.status === 204) this.deleted.add(identifier);
    }
  }

  private async attempt(route: string, method: string, json?: unknown): Promise<Awaited<ReturnType<typeof call>> | string> {
    const at = Date.now();
    try {
      const res = await call(`${this.url}${route}`, { method, headers: this.auth, json, timeoutMs: 15_000 });
      this.outcomes.push({ at, status: res.status });
      return res;
    } catch (error) {
      const code = errorCode(error);
      this.outcomes.push({ at, error: code });
      return code;
    }
  }
}

describe('graceful shutdown under load', () => {
  let db: TestDatabase;
  let storageDir: string;
  let app: AppProcess;

  beforeAll(async () => {
    const main = await buildApp();
    db = await createDatabase();
    storageDir = await mkdtemp(path.join(tmpdir(), 'tessera-shutdown-'));
    app = await startApp(main, {
      env: { DATABASE_URL: db.url, STORAGE_DIR: storageDir, SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS) },
    });
  }, SLOW);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await db?.drop();
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  }, SLOW);

  it(`on SIGTERM with ${CONNECTIONS} busy connections: not ready first, drains, exits 0 within 10 s, no write half done`, async () => {
    const clients = Array.from({ length: CONNECTIONS }, () => new WriteClient(app.url, db.url));
    await Promise.all(clients.map((client) => client.signUp()));

    const readiness: Outcome[] = [];
    let stopSendingAt = Infinity;
    const poller = (async () => {
      while (stopSendingAt === Infinity) {
        const at = Date.now();
        try {
          const { status } = await call(`${app.url}/health/ready`, { timeoutMs: 5000 });
          readiness.push({ at, status });
          if (status === 503) stopSendingAt = Date.now() + BALANCER_REACTION_MS;
        } catch (error) {
          readiness.push({ at, error: errorCode(error) });
          stopSendingAt = Date.now();
        }
        await sleep(25);
      }
    })();
    const running = Promise.all(clients.map((client) => client.run(() => Date.now() < stopSendingAt)));
    await sleep(1000);

    const sigtermAt = Date.now();
    app.child.kill('SIGTERM');
    const exit: Exit = await app.exited;
    const exitedAt = Date.now();
    await running;
    await poller;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAt - sigtermAt).toBeLessThan(10_000);

    // Readiness was up under load, then turned false at once, while requests were still being served.
    expect(readiness.filter((probe) => probe.at < sigtermAt).every((probe) => probe.status === 200)).toBe(true);
    const notReady = readiness.find((probe) => probe.at >= sigtermAt && probe.status === 503);
    expect(notReady).toBeDefined();
    expect(notReady!.at - sigtermAt).toBeLessThan(SHUTDOWN_DELAY_MS / 2);
    const outcomes = clients.flatMap((client) => client.outcomes);
    const servedAfterNotReady = outcomes.filter((outcome) => outcome.at > notReady!.at && outcome.status !== undefined);
    expect(servedAfterNotReady.length).toBeGreaterThan(0);

    // Every request sent was answered, none with an error: those in flight when the server closed completed.
    expect(outcomes.filter((outcome) => outcome.status === undefined || ![200, 204].includes(outcome.status))).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(CONNECTIONS);

    // No write is half done: the keys in the database are exactly those created and not deleted, as answered,
    // and each creation has its activity entry (same transaction).
    const userIds = clients.map((client) => client.userId);
    const check = new pg.Client({ connectionString: db.url });
    await check.connect();
    try {
      const keys = await check.query<{ identifier: string }>('SELECT identifier FROM api_keys WHERE user_id = ANY($1)', [userIds]);
      const expected = clients.flatMap((client) => [...client.created].filter((identifier) => !client.deleted.has(identifier)));
      expect(keys.rows.map((row) => row.identifier).sort()).toEqual(expected.sort());
      const logged = await check.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM activity_logs WHERE user_id = ANY($1) AND event = 'user:api-key.create'`,
        [userIds],
      );
      expect(logged.rows[0].count).toBe(clients.reduce((sum, client) => sum + client.created.size, 0));
    } finally {
      await check.end();
    }
  }, SLOW);
});
