/**
 * Tests that need a real Redis (shared rate-limit counters, two instances) run when the one at TEST_REDIS_URL
 * answered global-setup's PING, and are skipped, saying why, when none did. Under CI=true global-setup fails the
 * run instead: CI must not pass with these tests skipped.
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Redis answered (set by global-setup, which every e2e worker inherits). */
export const redisAnswers = (): boolean => process.env.TEST_REDIS_ANSWERS === 'true';

/** `describe`, or, without Redis, one skipped test that says the suite needs it. */
export function describeWithRedis(name: string, suite: () => void): void {
  if (redisAnswers()) {
    describe(name, suite);
    return;
  }
  describe(name, () => {
    it.skip(`needs Redis at ${TEST_REDIS_URL} (set TEST_REDIS_URL); none answered, so skipped`, () => undefined);
  });
}
