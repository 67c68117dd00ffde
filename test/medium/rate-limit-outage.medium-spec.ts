import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimiterService, type RateLimitRule } from '../../src/platform/rate-limit/rate-limiter.service.js';
import { describeWithPrivateRedis, startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { bootServices, type TestServices } from '../support/services.js';

const COUNTER: RateLimitRule = { name: 'outage-counter', points: 3, durationSeconds: 600 };
const LOCK: RateLimitRule = { name: 'outage-lock', points: 1, durationSeconds: 86_400 };
const MARKER: RateLimitRule = { name: 'outage-marker', points: 1, durationSeconds: 3_600 };
const BOUND_MS = 15_000;

let sequence = 0;
const freshKey = (): string => `key-${process.pid}-${++sequence}`;

/** Polls (bounded) until every limiter reports `status` from a readiness-style check. */
async function until(limiters: RateLimiterService[], status: 'up' | 'down'): Promise<void> {
  const deadline = Date.now() + BOUND_MS;
  while (!(await Promise.all(limiters.map((limiter) => limiter.checkSharedStore()))).every((s) => s === status)) {
    if (Date.now() > deadline) throw new Error(`the limiters did not report Redis ${status} within ${BOUND_MS} ms`);
    await sleep(50);
  }
}

/**
 * The limiter of two instances (two application contexts on one database) sharing a Redis of the test's own, which
 * is killed and started again (empty: it saved nothing) under them.
 */
describeWithPrivateRedis('rate limits while Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let a: TestServices;
  let b: TestServices;
  let onA: RateLimiterService;
  let onB: RateLimiterService;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    [a, b] = await Promise.all([bootServices({ REDIS_URL: redis.url }), bootServices({ REDIS_URL: redis.url })]);
    onA = a.get(RateLimiterService);
    onB = b.get(RateLimiterService);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.kill();
  });

  it('counts in Redis, then each instance alone once it is gone (never an error), and in Redis again once it is back', async () => {
    expect([await onA.checkSharedStore(), await onB.checkSharedStore()]).toEqual(['up', 'up']);
    const shared = freshKey();
    await onA.take(COUNTER, shared);
    expect(await onB.take(COUNTER, shared)).toMatchObject({ allowed: true, consumed: 2 });

    // Lock-outs written and read while Redis answered.
    const setByA = freshKey();
    const readByB = freshKey();
    const neverSeenByB = freshKey();
    await onA.block(LOCK, setByA, 600);
    await onA.block(LOCK, readByB, 600);
    await onA.block(LOCK, neverSeenByB, 600);
    expect(await onB.blockedFor(LOCK, readByB)).toBeGreaterThan(0);
    await onA.set(MARKER, 'clearing', 1234);
    expect(await onB.pointsOf(MARKER, 'clearing')).toBe(1234);

    await redis.kill();
    await until([onA, onB], 'down');

    // Each counts alone, within the same rule: the fourth step on one instance is over it.
    const alone = freshKey();
    for (let i = 1; i <= 3; i++) expect(await onA.take(COUNTER, alone)).toMatchObject({ allowed: true, consumed: i });
    expect(await onA.take(COUNTER, alone)).toMatchObject({ allowed: false, consumed: 4 });
    expect(await onB.take(COUNTER, alone)).toMatchObject({ allowed: true, consumed: 1 });
    await expect(onA.consume(COUNTER, alone)).rejects.toMatchObject({ status: 429 });
    await onB.refund(COUNTER, alone);
    expect(await onB.spentFor(COUNTER, alone)).toBe(0);

    // The lock-outs each instance set or read still hold there; one B never saw is not known to it.
    expect(await onA.blockedFor(LOCK, setByA)).toBeGreaterThan(0);
    expect(await onB.blockedFor(LOCK, readByB)).toBeGreaterThan(0);
    expect(await onB.blockedFor(LOCK, neverSeenByB)).toBe(0);
    expect(await onB.pointsOf(MARKER, 'clearing')).toBe(1234);

    // Set while Redis is away: kept by A, handed over when Redis answers again.
    const setDuringOutage = freshKey();
    await onA.block(LOCK, setDuringOutage, 600);
    await onA.set(MARKER, 'clearing', 5678);
    const cleared = freshKey();
    await onA.block(LOCK, cleared, 600);
    await onA.reset(LOCK, cleared);

    await redis.start();
    await until([onA, onB], 'up');

    expect(await onB.blockedFor(LOCK, setDuringOutage)).toBeGreaterThan(0);
    expect(await onB.pointsOf(MARKER, 'clearing')).toBe(5678);
    expect(await onB.blockedFor(LOCK, cleared)).toBe(0);
    // Shared again: steps on both instances add up in one counter.
    const again = freshKey();
    await onA.take(COUNTER, again);
    await onB.take(COUNTER, again);
    await onA.take(COUNTER, again);
    expect(await onB.take(COUNTER, again)).toMatchObject({ allowed: false, consumed: 4 });
  });
});
