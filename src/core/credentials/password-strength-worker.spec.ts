import { jest } from '@jest/globals';
import { PasswordStrengthWorker } from './password-strength-worker.js';

const LIMITS = { maxLength: 64, l33tMaxSubstitutions: 10 };
const IDLE_MS = 30_000;

describe('PasswordStrengthWorker', () => {
  let estimator: PasswordStrengthWorker;
  beforeEach(() => {
    // Only the idle timer is faked: the worker's messages flow as they do in the server.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    estimator = new PasswordStrengthWorker(LIMITS, IDLE_MS);
  });
  afterEach(async () => {
    await estimator.close();
    jest.useRealTimers();
  });

  it('scores against the dictionaries and the owner\'s words, in a worker started on first use', async () => {
    expect(estimator.running).toBe(false);
    expect(await estimator.score('password', [])).toBe(0);
    expect(estimator.running).toBe(true);
    expect(await estimator.score('Marmalade-Tundra-Violin-77', [])).toBeGreaterThanOrEqual(3);
    expect(await estimator.score('Marmalade-Tundra-Violin-77', ['marmalade-tundra-violin-77'])).toBeLessThan(3);
  });

  it('ends the worker once idle for the idle time, and starts another for the next score', async () => {
    await Promise.all([estimator.score('password', []), estimator.score('iloveyou', [])]);
    jest.advanceTimersByTime(IDLE_MS - 1);
    expect(estimator.running).toBe(true);
    jest.advanceTimersByTime(1);
    expect(estimator.running).toBe(false);
    expect(await estimator.score('qwerty123', [])).toBeLessThan(3);
    expect(estimator.running).toBe(true);
  });

  it('keeps the worker while scores keep coming', async () => {
    await estimator.score('password', []);
    jest.advanceTimersByTime(IDLE_MS - 1);
    await estimator.score('password', []);
    jest.advanceTimersByTime(IDLE_MS - 1);
    expect(estimator.running).toBe(true);
  });

  it('fails the scores a worker still owes when it ends, and recovers on the next', async () => {
    const owed = estimator.score('password', []);
    await estimator.close();
    await expect(owed).rejects.toThrow(/stopped/);
    expect(await estimator.score('password', [])).toBe(0);
  });
});
