import { HealthService } from '../../../src/capabilities/health/health.service.js';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { describeWithRedis, TEST_REDIS_URL } from '../../support/redis.js';

/** An app of its own for the enclosing describe, optionally put in a state first. */
function useApp(prepare?: (t: TestApp) => Promise<void>, env: Record<string, string> = {}): () => TestApp {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp(env);
    await prepare?.(t);
  });
  afterAll(async () => {
    await t?.close();
  });
  return () => t;
}

describe('health', () => {
  const app = useApp();

  it('answers liveness outside the api prefix, without credentials', async () => {
    const res = await app().http().get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
    await app().http().get('/api/health').expect(404);
  });

  it('answers readiness with a database ping, and the mail outbox backlog', async () => {
    const res = await app().http().get('/health/ready').expect(200);
    const count = expect.any(Number) as unknown;
    expect(res.body).toEqual({ status: 'ok', details: { database: { status: 'up' }, mail_outbox: { pending: count, failed: count, oldest_pending_seconds: count } } });
  });

  it('documents both probes', async () => {
    const res = await app().http().get('/docs-json').expect(200);
    expect(res.body.paths['/health'].get.operationId).toBe('getLiveness');
    expect(res.body.paths['/health/ready'].get.operationId).toBe('getReadiness');
  });
});

describeWithRedis('health with Redis', () => {
  const app = useApp(undefined, { REDIS_URL: TEST_REDIS_URL });

  it('reports Redis up beside the database', async () => {
    const res = await app().http().get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', details: { database: { status: 'up' }, redis: { status: 'up' }, mail_outbox: expect.any(Object) } });
  });
});

describe('health while the database is gone', () => {
  const app = useApp((t) => t.db.destroy());

  it('stays live but not ready, and says nothing about the driver', async () => {
    await app().http().get('/health').expect(200);
    const res = await app().http().get('/health/ready').expect(503);
    expect(res.body).toEqual({ message: 'The service is temporarily unavailable. Please retry shortly.' });
    expect(res.headers['retry-after']).toBe('5');
  });
});

describe('health during shutdown', () => {
  const app = useApp();

  it('turns readiness off from the first shutdown hook, liveness stays on', async () => {
    await app().http().get('/health/ready').expect(200);
    // The hook Nest runs first when the app begins closing (app.close() or a signal).
    app().app.get(HealthService).beforeApplicationShutdown();
    await app().http().get('/health/ready').expect(503);
    await app().http().get('/health').expect(200);
  });
});
